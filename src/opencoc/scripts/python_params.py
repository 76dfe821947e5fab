"""PYTHON scripts: `${name}` placed token-aware, so that a parameter's value is always data.

Each placeholder of a declared parameter is first swapped for a unique identifier, then the
content is parsed and tokenized (`ast`, `tokenize`):

- a placeholder that is a token of its own (`x = ${name}`) becomes a string literal of the value
  (`repr`);
- a string literal holding placeholders (`'...${name}...'`, any prefix and quotes: raw, bytes,
  triple-quoted) is rewritten as one literal of the same kind (str, or bytes holding the value's
  UTF-8) whose value is the old literal's with the parameters' values in place, so a quote, a
  backslash or a line break in a value stays a character. A literal spanning several lines keeps
  them (backslash continuations before it), so tracebacks name the lines of the stored script;
- a placeholder in a comment is left as it is;
- a placeholder in an f-string (or t-string), one glued to other text in one token (`x${name}`),
  and content that does not parse are refused: there is no safe place for a value there.

The result is checked before it is used: its syntax tree must be exactly the original's with each
placeholder turned into its value (as a constant, or inside one), or nothing runs.
"""

import ast
import io
import re
import secrets
import string
import tokenize
import warnings
from collections.abc import Iterable
from typing import Any

_FSTRING_START = {getattr(tokenize, n) for n in ("FSTRING_START", "TSTRING_START") if hasattr(tokenize, n)}
_FSTRING_END = {getattr(tokenize, n) for n in ("FSTRING_END", "TSTRING_END") if hasattr(tokenize, n)}


class PlacementError(ValueError):
    """No safe place for a parameter's value; the message says where (line) and why."""


def _parse(text: str) -> ast.Module:
    with warnings.catch_warnings():  # an invalid escape in the script is the author's business
        warnings.simplefilter("ignore")
        return ast.parse(text)


def _literal(token: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.literal_eval(token)


class _Marks:
    """The placeholders of the declared names, each swapped for `__opencoc_<random>_<i>_`."""

    def __init__(self, content: str, values: dict[str, str]) -> None:
        self.names = sorted(values)
        self.values = values
        tag = "__opencoc_" + secrets.token_hex(8) + "_"
        while tag in content:  # pragma: no cover - 64 random bits
            tag = "__opencoc_" + secrets.token_hex(8) + "_"
        self.find = re.compile(re.escape(tag) + r"(\d+)_")
        self.find_bytes = re.compile(self.find.pattern.encode())
        placeholder = re.compile(r"\$\{(" + "|".join(re.escape(n) for n in self.names) + r")\}")
        self.count = len(placeholder.findall(content))
        self.text = placeholder.sub(lambda m: f"{tag}{self.names.index(m[1])}_", content)

    def name(self, match: "re.Match[Any]") -> str:
        return self.names[int(match[1])]

    def value(self, match: "re.Match[str]") -> str:
        return self.values[self.name(match)]

    def placeholder(self, match: "re.Match[str]") -> str:
        return "${" + self.name(match) + "}"

    def fill(self, constant: Any) -> Any:
        """A str or bytes constant with every mark replaced by its value."""
        if isinstance(constant, bytes):
            return self.find_bytes.sub(lambda m: self.value_bytes(m), constant)
        return self.find.sub(self.value, constant)

    def value_bytes(self, match: "re.Match[bytes]") -> bytes:
        return self.values[self.names[int(match[1])]].encode()


class _Expected(ast.NodeTransformer):
    """The tree the placed script must have: each mark turned into its value."""

    def __init__(self, marks: _Marks) -> None:
        self.marks = marks

    def visit_Name(self, node: ast.Name) -> ast.AST:
        match = self.marks.find.fullmatch(node.id)
        return ast.Constant(self.marks.value(match)) if match else node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str | bytes):
            node.value = self.marks.fill(node.value)
        return node


def _dump(tree: ast.AST) -> str:
    """The tree without the `u` marker of string constants (a placed literal has none)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            node.kind = None
    return ast.dump(tree)


def _prefix(literal: str) -> str:
    """`rb` of `rb'...'`."""
    return literal[: len(literal) - len(literal.lstrip(string.ascii_letters))]


def _line_offsets(text: str) -> list[int]:
    """Where each line starts, split as `tokenize` reads them (at `\\n`)."""
    offsets = [0]
    for line in io.StringIO(text):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _edits(marks: _Marks) -> Iterable[tuple[int, int, str]]:
    """(start, end, replacement) of each token holding a mark, in order."""
    starts = _line_offsets(marks.text)
    depth = 0
    for tok in tokenize.generate_tokens(io.StringIO(marks.text).readline):
        depth += (tok.type in _FSTRING_START) - (tok.type in _FSTRING_END)
        found = marks.find.search(tok.string)
        if tok.type == tokenize.ERRORTOKEN:
            raise PlacementError(f"line {tok.start[0]}: {tok.string!r} is not a Python token")
        if found is None:
            continue
        where = f"line {tok.start[0]}: ${{{marks.name(found)}}}"
        start, end = starts[tok.start[0] - 1] + tok.start[1], starts[tok.end[0] - 1] + tok.end[1]
        if tok.type == tokenize.COMMENT:
            yield start, end, marks.find.sub(marks.placeholder, tok.string)
        elif depth or (tok.type == tokenize.STRING and set(_prefix(tok.string).lower()) & {"f", "t"}):
            raise PlacementError(f"{where} is inside an f-string; use a plain string literal or a variable")
        elif tok.type == tokenize.STRING:
            lines = "\\\n" * (tok.end[0] - tok.start[0])
            yield start, end, lines + repr(marks.fill(_literal(tok.string)))
        elif tok.type == tokenize.NAME and found.group() == tok.string:
            yield start, end, repr(marks.value(found))
        else:
            token = marks.find.sub(marks.placeholder, tok.string)
            raise PlacementError(
                f"{where} is joined to other text in the token {token!r}; put it on its own or in a string literal"
            )


def _where(exc: Exception) -> str:
    line = getattr(exc, "lineno", None) or (exc.args[1][0] if len(exc.args) > 1 else None)
    message = getattr(exc, "msg", None) or exc.args[0]
    return f"line {line}: {message}" if line else str(message)


def _place(content: str, values: dict[str, str]) -> str:
    if not values:
        return content
    marks = _Marks(content, values)
    if not marks.count:
        return content
    try:
        tree = _parse(marks.text)
        edits = list(_edits(marks))
    except (SyntaxError, ValueError, tokenize.TokenError) as exc:
        if isinstance(exc, PlacementError):
            raise
        raise PlacementError(f"{_where(exc)}: a script with parameters must be valid Python") from None
    out, at = [], 0
    for start, end, text in edits:
        out += [marks.text[at:start], text]
        at = end
    placed = "".join(out) + marks.text[at:]
    try:
        same = _dump(_parse(placed)) == _dump(_Expected(marks).visit(tree))
    except SyntaxError:
        same = False
    if not same:
        raise PlacementError(
            "a parameter is used where only a value can go, not as a name, attribute or keyword: use ${name}"
            " as a value or inside a string literal"
        )
    return placed


def check(content: str, names: Iterable[str]) -> None:
    """Raise PlacementError when a placeholder of `names` has no safe place in `content`."""
    _place(content, dict.fromkeys(names, ""))


def substitute(content: str, values: dict[str, str]) -> str:
    """The content with each `${name}` of `values` placed as data (see the module's docstring)."""
    return _place(content, values)
