"""How parameters reach a script, per type (scripts/placement.py): refusals name the field, with the caller's code."""

import pytest

from opencoc.core.errors import OpenCOCError
from opencoc.scripts import placement


def _refusal(script_type: str, content: str, names: list[str]) -> tuple[str, str]:
    with pytest.raises(OpenCOCError) as refused:
        placement.check(script_type, content, names, error_code="COC.TEST")
    return refused.value.error_code, refused.value.error_msg


@pytest.mark.parametrize("name", ["PATH", "IFS", "LD_PRELOAD", "BASH_ENV"])
def test_a_shell_parameter_the_shell_or_loader_reads_is_refused(name: str) -> None:
    code, message = _refusal("SHELL", "echo ${x}", ["x", name])
    assert code == "COC.TEST" and message.startswith(f"script_params.param_name {name} ")


def test_a_shell_script_is_not_read_so_any_text_may_hold_its_placeholders() -> None:
    placement.check("SHELL", "echo '${greeting}' ${greeting}x $(${cmd})", ["greeting", "cmd"], error_code="X")


def test_a_python_placeholder_without_a_safe_place_is_refused_naming_the_line() -> None:
    assert _refusal("PYTHON", "x = 1\nprint(f'{${v}}')", ["v"]) == (
        "COC.TEST",
        "content line 2: ${v} is inside an f-string; use a plain string literal or a variable",
    )


def test_a_python_placeholder_in_a_value_position_is_accepted() -> None:
    placement.check("PYTHON", "x = ${v}\nprint('${v}')", ["v"], error_code="X")


def test_bat_scripts_get_nothing_placed_and_are_not_checked() -> None:
    placement.check("BAT", "echo %PATH% ${v}", ["PATH", "v"], error_code="X")
