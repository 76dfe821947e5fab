"""A parameter value never becomes code: the seed's characters only, names that cannot bend the
shell, PYTHON placeholders placed token-aware by the server, and nothing written on a refusal."""

from typing import Any

import pytest
from sqlalchemy import func, select, update

from opencoc.jobs.models import ScriptInstance, ScriptOrder
from opencoc.scripts.models import ScriptVersion
from tests.api.jobs.helpers import Fleet, batches, execute_body, param

# Every shell metacharacter and line terminator, each after a harmless prefix and before a command.
REFUSED_CHARS = [";", "|", "&", "$", "`", "(", ")", "<", ">", "\\", "#", "~", "!", "%", "^", "\t", "\x00"]
LINE_TERMINATORS = ["\n", "\r", "\r\n", "\v", "\f", "\x85", "\u2028", "\u2029", "\x1c", "\x1d", "\x1e"]
# What the seed's rules let through, with its shell and Python meaning: quotes, globs, braces.
ADMITTED = ["it's", 'say "hi"', "*", "? [a-z]", "{a,b} {}", "a=b,c+d@e:f/g", "' + '", '" , "', "x' '", "'''", "-rf /"]


def _orders(fleet: Fleet) -> int:
    with fleet.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(ScriptOrder)) or 0)


def _only_instance(fleet: Fleet, uuid: str) -> tuple[str, str]:
    """(status, error) of the order's one instance."""
    with fleet.db.read() as session:
        status, error = session.execute(
            select(ScriptInstance.status, ScriptInstance.error)
            .join(ScriptOrder, ScriptOrder.id == ScriptInstance.order_id)
            .where(ScriptOrder.execute_uuid == uuid)
        ).one()
    return status, error


def _refused(fleet: Fleet, script: str, body: dict[str, Any]) -> str:
    before = _orders(fleet)
    resp = fleet.execute_raw(script, body)
    assert resp.status_code == 400, resp.text
    assert _orders(fleet) == before, "a refused execution wrote an order"
    msg: str = resp.json()["error_msg"]
    return msg


@pytest.mark.parametrize("char", REFUSED_CHARS + LINE_TERMINATORS, ids=repr)
@pytest.mark.parametrize("where", ["end", "middle"])
def test_a_value_with_a_metacharacter_or_line_terminator_is_a_400_and_runs_nothing(
    fleet: Fleet, char: str, where: str
) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script("echo ${greeting} ${name}", [param("greeting", "hi", 1), param("name", "x", 2)])
    value = "hello" + char if where == "end" else f"x{char}touch PWNED"
    sent = [{"param_name": "greeting", "param_value": value}, {"param_name": "name", "param_value": "touch PWNED"}]
    assert "script_params[0].param_value" in _refused(fleet, script, execute_body(batches([a]), script_params=sent))
    assert fleet.poll(a) == {"tasks": [], "cancel": []}


@pytest.mark.parametrize("value", ADMITTED)
def test_an_admitted_value_reaches_the_agent_as_it_was_sent(fleet: Fleet, value: str) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script('printf %s "${v}"', [param("v", "d", 1)])
    fleet.execute(script, batches([a]), script_params=[{"param_name": "v", "param_value": value}])
    task = fleet.task(a)
    assert task["content"] == 'printf %s "${v}"', "the server must not alter a SHELL script"
    assert task["params"] == [{"name": "v", "value": value, "sensitive": False}]


@pytest.mark.parametrize("value", ADMITTED)
def test_a_python_placeholder_arrives_as_a_literal_holding_the_value(fleet: Fleet, value: str) -> None:
    (a,) = fleet.enroll(1)
    content = "x = ${v}\ny = '<${v}>'\n# ${v}\n"
    script = fleet.script(content, [param("v", "d", 1)], type="PYTHON")
    fleet.execute(script, batches([a]), script_params=[{"param_name": "v", "param_value": value}])
    placed = fleet.task(a)["content"]
    scope: dict[str, Any] = {}
    exec(compile(placed, "<task>", "exec"), scope)  # noqa: S102 - what the agent would run
    assert (scope["x"], scope["y"]) == (value, f"<{value}>")
    assert placed.endswith("# ${v}\n")


def test_a_sensitive_python_value_is_placed_for_the_agent_only(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script("login(${pw})", [param("pw", "defaultsecret", 1, sensitive=True)], type="PYTHON")
    uuid = fleet.execute(script, batches([a]), script_params=[{"param_name": "pw", "param_value": "hunter2hunter"}])
    with fleet.db.read() as session:
        order = session.scalars(select(ScriptOrder).where(ScriptOrder.execute_uuid == uuid)).one()
        assert "hunter2hunter" not in order.content + str(order.params)
    assert fleet.task(a)["content"] == "login('hunter2hunter')"


@pytest.mark.parametrize("name", ["PATH", "IFS", "ENV", "BASH_ENV", "LD_PRELOAD", "PYTHONPATH", "PS4", "1st"])
def test_a_shell_parameter_name_the_shell_reads_is_refused_on_create_and_modify(fleet: Fleet, name: str) -> None:
    body = {
        "name": f"named_{name}",
        "type": "SHELL",
        "content": "echo ${" + name + "}",
        "description": "d",
        "properties": {"risk_level": "LOW", "version": "1"},
        "script_params": [param("ok", "", 1), param(name, "", 2)],
    }
    resp = fleet.client.post("/v1/job/scripts", json=body, auth=fleet.tenant.auth)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error_msg"].startswith(f"script_params.param_name {name} ")
    script = fleet.script()
    edit = {"description": "d", "content": "echo", "script_params": [param(name, "", 1)]}
    resp = fleet.client.put(f"/v1/job/scripts/{script}", json=edit, auth=fleet.tenant.auth)
    assert resp.status_code == 400 and name in resp.json()["error_msg"], resp.text
    shown = fleet.client.get(f"/v1/job/scripts/{script}", auth=fleet.tenant.auth).json()["data"]
    assert [p["param_name"] for p in shown["script_params"]] == ["a"], "a refused modify changed the script"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("print(f'hello ${v}')", "content line 1: ${v} is inside an f-string"),
        ("x = a${v}", "content line 1: ${v} is joined to other text"),
        ("import ${v}", "content a parameter is used where only a value can go"),
        ("echo ${v}", "content line 1: invalid syntax: a script with parameters must be valid Python"),
    ],
)
def test_a_python_placeholder_without_a_safe_place_is_refused(fleet: Fleet, content: str, message: str) -> None:
    body = {
        "name": "py_refused",
        "type": "PYTHON",
        "content": content,
        "description": "d",
        "properties": {"risk_level": "LOW", "version": "1"},
        "script_params": [param("v", "", 1)],
    }
    resp = fleet.client.post("/v1/job/scripts", json=body, auth=fleet.tenant.auth)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error_code"] == "COC.00040601"
    assert resp.json()["error_msg"].startswith(message)


def test_a_script_stored_before_the_rules_cannot_execute(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script("echo ${a}")
    with fleet.db.write() as session:
        session.execute(
            update(ScriptVersion)
            .where(ScriptVersion.script_uuid == script)
            .values(
                params=[
                    {
                        "param_name": "IFS",
                        "param_value": "x",
                        "param_description": "",
                        "param_order": 1,
                        "sensitive": False,
                    }
                ]
            )
        )
    msg = _refused(fleet, script, execute_body(batches([a])))
    assert msg.startswith("script_params.param_name IFS cannot be used by a SHELL script")


def test_a_retried_python_order_older_than_the_rules_ends_abnormal_without_reaching_the_agent(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script("print(${v})", [param("v", "x", 1)], type="PYTHON"), batches([a]))
    with fleet.db.write() as session:  # what an older server let through
        session.execute(update(ScriptOrder).where(ScriptOrder.execute_uuid == uuid).values(content="f'${v}'"))
    assert fleet.poll(a)["tasks"] == []
    status, error = _only_instance(fleet, uuid)
    assert status == "ABNORMAL"
    assert error.startswith("parameters not placed: content line 1: ${v} is inside an f-string")


def test_a_secret_the_server_cannot_decrypt_ends_its_task_abnormal_and_says_why(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script("echo ${token}", [param("token", "s3cret", 1, sensitive=True)]), batches([a]))
    with fleet.db.write() as session:  # stored under another OPENCOC_SECRET_KEY
        order = session.scalars(select(ScriptOrder).where(ScriptOrder.execute_uuid == uuid)).one()
        order.params = [{**p, "param_value": "gAAAAA-not-ours"} for p in order.params]
    assert fleet.poll(a)["tasks"] == [], "nothing half-built reaches the agent"
    status, error = _only_instance(fleet, uuid)
    assert (status, error) == (
        "ABNORMAL",
        "parameters not placed: secret cannot be decrypted with this OPENCOC_SECRET_KEY",
    )
