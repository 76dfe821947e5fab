"""Every pattern that guards input matches the whole value: a trailing newline is never let through.

In Python `$` also matches before a final newline, so `^...$` with `re.match` accepted "hello\\n"
as a parameter value; the guards now use \\A...\\Z or fullmatch.
"""

from typing import Any

import pytest
import typer
from pydantic import BaseModel, ValidationError

from opencoc.agents.cli import parse_ttl
from opencoc.auth.signature import parse_authorization
from opencoc.core.errors import OpenCOCError
from opencoc.jobs.schemas import ScriptExecuteInputParam, ScriptExecuteParam
from opencoc.jobs.tasks import TASK_ID
from opencoc.scripts import params
from opencoc.scripts.schemas import AddScriptModel, ScriptParamDefine

EXECUTE = {"timeout": 60, "success_rate": 100, "execute_user": "root"}
SCRIPT = {
    "name": "s",
    "properties": {"risk_level": "LOW", "version": "1"},
    "description": "d",
    "type": "SHELL",
    "content": "echo",
}
DEFINE = {"param_name": "a", "param_value": "", "param_description": "", "param_order": 1}
CASES: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (ScriptExecuteInputParam, {"param_name": "a"}, "param_value"),
    (ScriptExecuteParam, EXECUTE, "execute_user"),
    (AddScriptModel, SCRIPT, "name"),
    (ScriptParamDefine, DEFINE, "param_name"),
]


@pytest.mark.parametrize(("model", "base", "field"), CASES)
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\n\n"])
def test_a_wire_field_ending_in_a_newline_is_refused(
    model: type[BaseModel], base: dict[str, Any], field: str, ending: str
) -> None:
    model.model_validate(base | {field: "value"})
    with pytest.raises(ValidationError) as exc:
        model.model_validate(base | {field: "value" + ending})
    assert [e["loc"] for e in exc.value.errors()] == [(field,)]


def test_a_script_param_default_ending_in_a_newline_is_refused() -> None:
    define = ScriptParamDefine.model_validate(DEFINE | {"param_value": "hello\n"})
    with pytest.raises(OpenCOCError, match="The paramValue is invalid. a"):
        params.check([define])


def test_a_task_id_ending_in_a_newline_is_not_a_task_id() -> None:
    assert TASK_ID.fullmatch("0" * 32) and not TASK_ID.fullmatch("0" * 32 + "\n")


@pytest.mark.parametrize("value", ["7d\nx", "7d\n7", "٣d", "１0"])
def test_an_enrolment_ttl_takes_ascii_digits_and_nothing_after(value: str) -> None:
    assert parse_ttl("7d") == 7 * 86400
    with pytest.raises(typer.Exit):
        parse_ttl(value)


def test_an_authorization_header_with_text_after_the_signature_is_malformed() -> None:
    header = "SDK-HMAC-SHA256 Access=ak, SignedHeaders=host;x-sdk-date, Signature=abcd"
    parsed = parse_authorization(header)
    assert parsed is not None and parsed.signature == "abcd"
    assert parse_authorization(header + "\nX-Other: 1") is None
    assert parse_authorization(header + " extra") is None
