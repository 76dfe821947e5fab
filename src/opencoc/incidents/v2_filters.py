"""The v2 lists' filter language compiled to SQL: ObjectFilterV2 items, the `condition` over their names, sort.

- A filter names a `field` (a key of the list's FIELDS), an `operator` and its `values`:
  `=` / `in` (any of the values), `!=` / `not in` (none of them), `like` / `startwith` /
  `endwith` (text, any value), `>` `>=` `<` `<=` (the first value). A field holding a list (the
  assignees, the region) matches an element with `=`/`in`/`!=`/`not in`.
- `condition` combines the filters by their `name`: `a AND (b OR NOT c)` (`&&`, `||`, `!` too),
  at most MAX_DEPTH parentheses deep; filters it does not name, and those without a name, must
  all hold as well. Without a condition every filter must hold.
- `sort_filter` sorts by its field, `asc` or `desc` (its operator).
Every problem is a 400 naming the filter's place and the rule.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

import orjson
from sqlalchemy import ColumnElement, Text, and_, cast, not_, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from opencoc.core.errors import OpenCOCError
from opencoc.incidents import enums
from opencoc.incidents.v2_schemas import ObjectFilterV2

Kind = Literal["str", "int", "bool", "list"]
MAX_DEPTH = 16
_TEXT_OPS = ("like", "startwith", "endwith")
_ORDER_OPS = (">", ">=", "<", "<=")
_SET_OPS = ("=", "in", "!=", "not in")
OPERATORS = (*_SET_OPS, *_TEXT_OPS, *_ORDER_OPS)


class FilterField(NamedTuple):
    column: InstrumentedAttribute[Any]
    kind: Kind


def invalid(msg: str) -> OpenCOCError:
    return OpenCOCError(enums.INVALID_CODE, msg)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _int(value: str | int, where: str) -> int:
    if isinstance(value, int):
        return value
    text = value.strip()
    if not re.fullmatch(r"-?\d{1,19}", text) or not -(2**63) <= int(text) < 2**63:
        raise invalid(f"{where}.values must be integers within 64 bits for this field, not [{value[:64]}]")
    return int(text)


def _bool(value: str | int, where: str) -> bool:
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise invalid(f"{where}.values must be true or false for this field, not [{str(value)[:64]}]")
    return text == "true"


def _typed(values: Sequence[str | int], kind: Kind, where: str) -> list[Any]:
    if kind == "int":
        return [_int(v, where) for v in values]
    if kind == "bool":
        return [_bool(v, where) for v in values]
    return [str(v) for v in values]


def _field(item: ObjectFilterV2, fields: Mapping[str, FilterField], where: str) -> FilterField:
    if not item.field:
        raise invalid(f"{where}.field must not be null")
    spec = fields.get(item.field)
    if spec is None:
        raise invalid(f"The field[{where}.field] value[{item.field}] invalid: one of {', '.join(fields)}")
    return spec


def _element(column: InstrumentedAttribute[Any], value: str) -> ColumnElement[bool]:
    """The JSON list in `column` holds `value` (its stored text contains the quoted element)."""
    quoted = orjson.dumps(value).decode()
    return cast(column, Text).like(f"%{_escape_like(quoted)}%", escape="\\")


def compile_filter(item: ObjectFilterV2, fields: Mapping[str, FilterField], where: str) -> ColumnElement[bool]:
    """One filter as a SQL condition."""
    spec = _field(item, fields, where)
    operator = (item.operator or "=").strip().lower()
    if operator not in OPERATORS:
        raise invalid(f"The field[{where}.operator] value[{item.operator}] invalid: one of {', '.join(OPERATORS)}")
    if not item.values:
        raise invalid(f"{where}.values must hold at least one value")
    column = spec.column
    if spec.kind == "list":
        if operator not in _SET_OPS:
            raise invalid(f"{where}.operator must be one of {', '.join(_SET_OPS)} for field[{item.field}]")
        anyof = or_(*(_element(column, str(v)) for v in item.values))
        return anyof if operator in ("=", "in") else not_(anyof)
    if operator in _TEXT_OPS:
        if spec.kind != "str":
            raise invalid(f"{where}.operator[{operator}] applies to text fields, not field[{item.field}]")
        patterns = {"like": "%{}%", "startwith": "{}%", "endwith": "%{}"}[operator]
        return or_(*(column.like(patterns.format(_escape_like(str(v))), escape="\\") for v in item.values))
    values = _typed(item.values, spec.kind, where)
    if operator in _ORDER_OPS:
        first = values[0]
        compared: ColumnElement[bool] = {
            ">": column > first,
            ">=": column >= first,
            "<": column < first,
            "<=": column <= first,
        }[operator]
        return compared
    member: ColumnElement[bool] = column.in_(values) if operator in ("=", "in") else column.not_in(values)
    return member


# The condition: a tiny boolean language over filter names.

_TOKEN = re.compile(r"\s*(\(|\)|&&|\|\||!|[A-Za-z0-9_.\-]+)")


def _tokens(condition: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = condition.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise invalid(f"condition has an unexpected character at position {pos}: [{text[pos : pos + 16]}]")
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], named: Mapping[str, ColumnElement[bool]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.named = named
        self.used: set[str] = set()

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise invalid("condition ends too early")
        self.pos += 1
        return token

    def expr(self, depth: int) -> ColumnElement[bool]:
        parts = [self.term(depth)]
        while (self.peek() or "").upper() in ("OR", "||"):
            self.take()
            parts.append(self.term(depth))
        return or_(*parts) if len(parts) > 1 else parts[0]

    def term(self, depth: int) -> ColumnElement[bool]:
        parts = [self.factor(depth)]
        while (self.peek() or "").upper() in ("AND", "&&"):
            self.take()
            parts.append(self.factor(depth))
        return and_(*parts) if len(parts) > 1 else parts[0]

    def factor(self, depth: int) -> ColumnElement[bool]:
        token = self.take()
        if token.upper() in ("NOT", "!"):
            return not_(self.factor(depth))
        if token == "(":
            if depth >= MAX_DEPTH:
                raise invalid(f"condition must be at most {MAX_DEPTH} parentheses deep")
            inner = self.expr(depth + 1)
            if self.take() != ")":
                raise invalid("condition has a '(' without its ')'")
            return inner
        if token == ")" or token.upper() in ("AND", "OR", "&&", "||"):
            raise invalid(f"condition has [{token}] where a filter name belongs")
        if token not in self.named:
            raise invalid(f"condition names filter[{token[:64]}], which no string_filters or int_filters item has")
        self.used.add(token)
        return self.named[token]


def where(
    groups: Mapping[str, Sequence[ObjectFilterV2] | None],
    condition: str | None,
    fields: Mapping[str, FilterField],
) -> ColumnElement[bool]:
    """The filters of each group (e.g. `string_filters`) combined by `condition` (module docstring)."""
    named: dict[str, ColumnElement[bool]] = {}
    loose: list[ColumnElement[bool]] = []
    for group, items in groups.items():
        for item in items or []:
            clause = compile_filter(item, fields, group)
            if not item.name:
                loose.append(clause)
            elif item.name in named:
                raise invalid(f"filter name[{item.name}] is used twice: names must be unique for the condition")
            else:
                named[item.name] = clause
    if condition is None or not condition.strip():
        return and_(true(), *named.values(), *loose)
    parser = _Parser(_tokens(condition), named)
    combined = parser.expr(0)
    if parser.peek() is not None:
        raise invalid(f"condition has [{parser.peek()}] after its end")
    rest = [clause for name, clause in named.items() if name not in parser.used]
    return and_(combined, *rest, *loose)


def order(sort: ObjectFilterV2 | None, fields: Mapping[str, FilterField], default: str) -> tuple[str, bool]:
    """(field, descending) of `sort_filter`; (`default`, descending) without one."""
    if sort is None or not sort.field:
        return default, True
    spec = _field(sort, fields, "sort_filter")
    if spec.kind == "list":
        raise invalid(f"sort_filter.field[{sort.field}] holds a list and cannot be sorted on")
    direction = (sort.operator or "asc").strip().lower()
    if direction not in ("asc", "desc"):
        raise invalid(f"The field[sort_filter.operator] value[{sort.operator}] invalid: asc or desc")
    return sort.field, direction == "desc"
