"""Turn pydantic validation errors into one message that names each field and its rule."""

from collections.abc import Iterable, Mapping
from typing import Any

from opencoc.core.json_bounds import preview

_LOC_SKIP = {"body", "query", "path", "header"}


def field_name(loc: Iterable[Any]) -> str:
    """`('body', 'parameter', 'cause')` -> `parameter.cause`; list indexes as `[i]`."""
    out = ""
    for part in loc:
        if part in _LOC_SKIP and not out:
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "body"


def _rule(err: Mapping[str, Any]) -> str:
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


def describe(errors: Iterable[Mapping[str, Any]]) -> str:
    """One message for all errors, joined by ` | ` like COC does."""
    parts: list[str] = []
    for err in errors:
        if err.get("type") == "json_invalid":
            parts.append("request body is not valid JSON")
            continue
        parts.append(f"{field_name(err.get('loc', ()))} {_rule(err)}")
    return " | ".join(dict.fromkeys(parts)) or "request is invalid"
