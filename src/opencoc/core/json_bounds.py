"""Depth and size bounds of free-form JSON, checked on input and enforced again on output.

Every free-form JSON field a client sends (alarm `additional`, Alertmanager `labels` and
`annotations`, incident `parameter`, `sub_task_info`, resource `properties`) is refused with a 400
naming the field when it is nested deeper than `Bounds.depth`, is longer than `Bounds.chars` as
JSON, or holds an integer orjson cannot write (beyond 64 bits). What was stored before these
bounds still renders: `clip` replaces what is nested too deep, and the JSON response falls back to
it (core/responses.py).

Nothing here recurses: a hostile value is as deep as the JSON parser allowed (orjson: 1024
levels), deeper than Python's recursion limit, so every walk keeps its own stack.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

INT_MIN = -(2**63)
INT_MAX = 2**64 - 1  # orjson writes integers in [-2**63, 2**64 - 1]
TRUNCATED = "<truncated: nested too deep>"
OUT_OF_RANGE = "<integer beyond 64 bits>"
PREVIEW_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Bounds:
    """How deep (levels of objects and arrays) and how long (characters as compact JSON) a value may be."""

    depth: int = 16
    chars: int = 16 * 1024


DEFAULT = Bounds()


def _containers(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list | tuple):
        return list(value)
    return []


def violation(value: Any, bounds: Bounds = DEFAULT) -> str | None:
    """The rule `value` breaks, worded to follow the field's name; None when it is within `bounds`."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list | tuple):
            if level >= bounds.depth:
                return f"must be nested at most {bounds.depth} levels deep"
            stack.extend((child, level + 1) for child in _containers(node))
        elif isinstance(node, int) and not isinstance(node, bool) and not INT_MIN <= node <= INT_MAX:
            return f"must hold integers between {INT_MIN} and {INT_MAX} only"
    if len(compact(value)) > bounds.chars:
        return f"size must be at most {bounds.chars} characters as JSON"
    return None


def compact(value: Any) -> str:
    """`value` as compact JSON text; only for values within bounds (orjson stops at 254 levels)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def clip(value: Any, depth: int) -> Any:
    """A copy of `value` with every object or array nested deeper than `depth` replaced by TRUNCATED.

    Integers beyond 64 bits become OUT_OF_RANGE and keys become strings, so orjson can write the copy.
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 0)]
    while stack:
        node, parent, key, level = stack.pop()
        if isinstance(node, dict | list | tuple):
            if level >= depth:
                parent[key] = TRUNCATED
                continue
            if isinstance(node, dict):
                copy: Any = dict.fromkeys(str(k) for k in node)  # keys first, so the order is kept
                stack.extend((item, copy, str(k), level + 1) for k, item in node.items())
            else:
                copy = [None] * len(node)
                stack.extend((item, copy, i, level + 1) for i, item in enumerate(node))
            parent[key] = copy
        elif isinstance(node, int) and not isinstance(node, bool) and not INT_MIN <= node <= INT_MAX:
            parent[key] = OUT_OF_RANGE
        else:
            parent[key] = node
    return root[0]


def preview(value: Any, limit: int = 100) -> str:
    """`value` as an error message quotes it: strings as they are, the rest as JSON; at most `limit` characters."""
    text = value if isinstance(value, str) else json.dumps(clip(value, PREVIEW_DEPTH), ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def checker(bounds: Bounds) -> Callable[[Any], Any]:
    """A pydantic after-validator refusing values outside `bounds` (error type `json_bounds`)."""

    def check(value: Any) -> Any:
        rule = violation(value, bounds)
        if rule is not None:
            raise PydanticCustomError("json_bounds", rule)
        return value

    return check


JsonObject = Annotated[dict[str, Any], AfterValidator(checker(DEFAULT))]
"""A free-form JSON object within the DEFAULT bounds."""
