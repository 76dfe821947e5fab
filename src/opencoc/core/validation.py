"""The one translator of pydantic validation errors into a message that names each field and its rule.

Two wordings reach the wire, both from here; the message joins every problem with ` | ` as COC
does, each once:
- OPENCOC: FastAPI's request validation, the signed alarm-mgmt bodies, the CLI's files:
  `title length must be at most 5 characters | count must be >= 1`.
- COC: the incident API and the alarm webhooks, in the words of COC's backend (Java bean
  validation): `alarmName must not be null`, `incidentTitle size must be between 0 and 200`,
  `The field[alarmLevel] value[Hot] invalid`. Its rules name fields in camelCase, and
  `The field[...]` names them as sent. COC's own API names a list item by its list
  (`string_filters.operator`); the webhooks, whose bodies are lists of alerts, by index
  (`alerts[0].status`): COC_INDEXED.

Models add rules of their own with PydanticCustomError types: `coc_rule` (the message is the
whole message), `coc_invalid` (the value is invalid), `coc_size` (a length between `min_length`
and `max_length`), `json_bounds` (core/json_bounds.py words the rule).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from opencoc.core.errors import OpenCOCError
from opencoc.core.json_bounds import preview
from opencoc.core.limits import MAX_MS

_LOC_SKIP = {"body", "query", "path", "header"}


@dataclass(frozen=True, slots=True)
class Wording:
    coc: bool
    indexes: bool = True


OPENCOC = Wording(coc=False)
COC = Wording(coc=True, indexes=False)
COC_INDEXED = Wording(coc=True)


def field_name(loc: Iterable[Any], *, indexes: bool = True) -> str:
    """`('body', 'parameter', 'cause')` -> `parameter.cause`; list indexes as `[i]`, or left out."""
    out = ""
    for part in loc:
        if part in _LOC_SKIP and not out:
            continue
        if isinstance(part, int):
            out += f"[{part}]" if indexes else ""
        else:
            out += ("." if out else "") + str(part)
    return out or "body"


def _opencoc_rule(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "must not be null"
    if kind == "string_too_long":
        return f"length must be at most {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return f"length must be at least {ctx.get('min_length')} characters"
    if kind == "too_long":
        return f"size must be at most {ctx.get('max_length')}"
    if kind == "too_short":
        return f"size must be at least {ctx.get('min_length')}"
    if kind in ("literal_error", "enum"):
        return f"value[{preview(err.get('input'))}] invalid, expected {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return f"must match pattern {ctx.get('pattern')}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        word = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"must be {word} {bound}"
    if kind.startswith("int_") or kind == "int_type":
        return "must be an integer"
    if kind.startswith("float_"):
        return "must be a number"
    if kind.startswith("bool_"):
        return "must be a boolean"
    if kind == "string_type":
        return "must be a string"
    if kind == "string_unicode":
        return "must be valid Unicode text (no lone surrogates)"
    if kind in ("list_type", "tuple_type"):
        return "must be an array"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "must be an object"
    if kind == "extra_forbidden":
        return "is not allowed"
    if kind == "json_bounds":  # core/json_bounds.py words its rules itself
        return str(err.get("msg"))
    if kind == "value_error":
        return str(ctx.get("error", err.get("msg", "is invalid")))
    return str(err.get("msg", "is invalid")).lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _coc_message(err: Mapping[str, Any], wording: Wording, prefix: str) -> str:
    kind = err["type"]
    if kind == "coc_rule":
        return str(err["msg"])
    loc = (prefix, *err["loc"]) if prefix else tuple(err["loc"])
    field = field_name(loc, indexes=wording.indexes)
    if kind == "json_bounds":
        return f"{field} {err['msg']}"
    camel = _camel(field)
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f"{camel} must not be null"
    if kind in ("string_too_short", "too_short"):
        return f"{camel} must not be blank"
    if kind in ("string_too_long", "too_long", "coc_size"):
        return f"{camel} size must be between {ctx.get('min_length', 0)} and {ctx.get('max_length')}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{camel} must be between 0 and {MAX_MS}"
    if kind in ("dict_type", "model_type", "model_attributes_type") and not any(isinstance(p, str) for p in err["loc"]):
        return f"{prefix or 'request body'} must be a JSON object"
    return f"The field[{field}] value[{preview(err.get('input'))}] invalid"


def describe(
    errors: Iterable[Mapping[str, Any]], wording: Wording = OPENCOC, *, prefix: str = "", limit: int | None = None
) -> str:
    """One message for all errors (each named once), in `wording`; fields under `prefix` when given.

    With `limit`, at most that many are named and the others counted (` | ... 7 more`) without
    being worded: a body of 20,000 bad alerts costs one message, not 40,000.
    """
    named: dict[str, None] = {}
    more: set[tuple[Any, ...]] = set()
    for err in errors:
        if limit is not None and len(named) >= limit:
            more.add((err.get("type"), *err.get("loc", ())))
        else:
            named[_message(err, wording, prefix)] = None
    text = " | ".join(named) or "request is invalid"
    return f"{text} | ... {len(more)} more" if more else text


def _message(err: Mapping[str, Any], wording: Wording, prefix: str) -> str:
    if err.get("type") == "json_invalid":
        return "request body is not valid JSON"
    if wording.coc:
        return _coc_message(err, wording, prefix)
    loc = (prefix, *err.get("loc", ())) if prefix else err.get("loc", ())
    return f"{field_name(loc)} {_opencoc_rule(err)}"


M = TypeVar("M", bound=BaseModel)


def parse(
    model: type[M], data: Any, *, code: str, wording: Wording = OPENCOC, prefix: str = "", limit: int | None = None
) -> M:
    """`data` validated as `model`; otherwise an OpenCOCError(`code`) naming every failing field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        message = describe(exc.errors(include_url=False), wording, prefix=prefix, limit=limit)
        raise OpenCOCError(code, message) from None
