"""PYTHON placeholders are placed token-aware: a value is always a string, never code."""

from typing import Any

import pytest

from opencoc.scripts.python_params import PlacementError, check, substitute

# Quotes, backslashes, every line terminator, shell and Python metacharacters, and attempts to
# close the literal they land in.
HOSTILE = [
    "plain",
    "",
    "it's",
    'say "hi"',
    "'''",
    '"""',
    "back\\slash\\",
    "ends with backslash\\",
    "new\nline",
    "cr\rlf\r\n",
    "vt\vff\f",
    "nel\x85ls\u2028ps\u2029",
    "nul\x00byte",
    "é ü 中文",
    "'); HIT.append(1); ('",
    '"); HIT.append(1); ("',
    "'''); HIT.append(1); ('''",
    "\\'); HIT.append(1); #",
    "{HIT.append(1)}",
    "${other}",
    "; rm -rf / | $(touch x) `id` && echo",
]


def _run(source: str) -> dict[str, Any]:
    scope: dict[str, Any] = {"HIT": []}
    exec(compile(source, "<placed>", "exec"), scope)  # noqa: S102 - the point: placed values stay data
    assert scope["HIT"] == [], "a value ran as code"
    return scope


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("x = ${v}", lambda v: v),
        ("x = '${v}'", lambda v: v),
        ('x = "${v}"', lambda v: v),
        ("x = '''<${v}>'''", lambda v: f"<{v}>"),
        ('x = """<${v}>"""', lambda v: f"<{v}>"),
        ("x = r'C:\\dir\\${v}'", lambda v: "C:\\dir\\" + v),
        ('x = R"${v}\\d+"', lambda v: v + "\\d+"),
        ("x = u'${v}'", lambda v: v),
        ("x = b'<${v}>'", lambda v: f"<{v}>".encode()),
        ("x = rb'\\x${v}'", lambda v: b"\\x" + v.encode()),
        ("x = Br'''${v}'''", lambda v: v.encode()),
        ("x = 'a' '${v}' \"b\"", lambda v: f"a{v}b"),
        ("x = ${v}.upper()", lambda v: v.upper()),
        ("x = [${v}, '${v}']", lambda v: [v, v]),
    ],
)
def test_a_value_arrives_byte_exact_as_a_literal(template: str, expected: Any, value: str) -> None:
    placed = substitute(template, {"v": value})
    assert _run(placed)["x"] == expected(value), placed


def test_a_placeholder_outside_a_string_becomes_its_repr() -> None:
    assert substitute("print(${a}, ${b})", {"a": "it's", "b": "x"}) == "print(\"it's\", 'x')"


def test_a_placeholder_inside_a_literal_keeps_the_quote_kind_where_it_can() -> None:
    assert substitute("x = 'hello ${name}'", {"name": "world"}) == "x = 'hello world'"
    assert substitute('x = b"${name}"', {"name": "w"}) == "x = b'w'"


def test_a_multi_line_literal_keeps_the_line_numbers() -> None:
    template = 'def f():\n    """doc ${v}\n    more"""\n    return 1\n\n\nraise ValueError("here")\n'
    placed = substitute(template, {"v": "x"})
    assert placed.count("\n") == template.count("\n")
    with pytest.raises(ValueError) as exc:
        _run(placed)
    assert exc.traceback[-1].lineno + 1 == 7


def test_a_placeholder_in_a_comment_is_left_alone() -> None:
    template = "# greets ${v}\nx = 1  # ${v}\n"
    assert substitute(template, {"v": "\nHIT.append(1)"}) == template


def test_names_that_are_not_parameters_and_scripts_without_placeholders_are_untouched() -> None:
    assert substitute("print('${other}')", {"v": "x"}) == "print('${other}')"
    assert substitute("not python at all (", {"v": "x"}) == "not python at all ("
    assert substitute("x = ${v}", {}) == "x = ${v}"


@pytest.mark.parametrize(
    "template",
    [
        "print(f'hello ${v}')",
        'print(F"${v}")',
        "print(rf'${v}')",
        "print(fR'''${v}''')",
        "print(f'{${v}}')",
        "print(f'{x!r:>{${v}}}')",
    ],
)
def test_a_placeholder_in_an_f_string_is_refused(template: str) -> None:
    with pytest.raises(PlacementError, match=r"line 1: \$\{v\} is inside an f-string"):
        check(template, ["v"])


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("x = a${v}", r"line 1: \$\{v\} is joined to other text in the token 'a\$\{v\}'"),
        ("x = ${v}b", r"joined to other text in the token '\$\{v\}b'"),
        ("x = ${v}${w}", r"joined to other text in the token '\$\{v\}\$\{w\}'"),
        ("import ${v}", "only a value can go"),
        ("obj.${v} = 1", "only a value can go"),
        ("def f(${v}): pass", "only a value can go"),
        ("f(${v}=1)", "only a value can go"),
        ("${v} = 1", "only a value can go"),
        ("x = ${v} ${v}", "line 1: invalid syntax: a script with parameters must be valid Python"),
        ("x = '${v}", "must be valid Python"),
        ("print 'py2 ${v}'", "must be valid Python"),
        ("x = 1\ry = '${v}'", r"line 1: '\\r' is not a Python token"),
    ],
)
def test_a_placeholder_split_across_tokens_or_in_a_name_position_is_refused(template: str, message: str) -> None:
    with pytest.raises(PlacementError, match=message):
        check(template, ["v", "w"])


def test_the_check_accepts_what_substitute_places() -> None:
    check("x = ${v}\ny = r'${v}'\n# ${v}\n", ["v"])
