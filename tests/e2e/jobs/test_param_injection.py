"""A parameter value never runs as a command on a real agent (issue 10, item 1).

Through execute_script and through an alarm's auto-process `input_param`: a value the seed's
rules refuse (every shell metacharacter and line terminator) is a 400 and no order exists; a
value they admit reaches the script byte-exact, in `"${name}"` (SHELL, from the environment) and
in a string literal (PYTHON, placed by the server).
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.alarms.helpers import alarm_body
from tests.e2e.jobs.support import ORDERS, Api, Host

pytestmark = pytest.mark.timeout(180)

REFUSED = [";", "|", "&", "$", "`", "(", ")", "<", ">", "\\", "#", "~", "!", "%", "\t", "\x00"]
LINE_TERMINATORS = ["\n", "\r", "\r\n", "\v", "\f", "\x85", "\u2028", "\u2029"]
ADMITTED = [
    "it's",
    'say "hi"',
    "*",
    "? [a-z]*",
    "{a,b} {}",
    "a=b,c+d@e:f/g",
    "' + '",
    "x' '",
    "'''",
    '"""',
    "-rf /",
    "  two  spaces  ",
    "",
    "A-Za-z0-9_-/.*?:\"',=+@[]{} every admitted sign",
]


@pytest.fixture(scope="module")
def host(add_hosts: Callable[..., list[Host]]) -> Host:
    (one,) = add_hosts(1)
    return one


@pytest.fixture(scope="module")
def alarm_id(api: Api) -> str:
    created = api.call("POST", "/opencoc/v1/alarm-mgmt/integrations", json={"name": "inject", "type": "custom"})
    assert httpx.post(created["url"], json=alarm_body(alarmId="inject-1")).is_success
    alarms = api.call("GET", "/opencoc/v1/alarm-mgmt/alarms")["list"]
    return str(next(a["alarm_id"] for a in alarms if a["original_alarm_id"] == "inject-1"))


def _execute(api: Api, script: str, host: Host, values: dict[str, str]) -> httpx.Response:
    body = {
        "execute_param": {
            "timeout": 60,
            "success_rate": 100,
            "execute_user": "root",
            "script_params": [{"param_name": k, "param_value": v} for k, v in values.items()],
        },
        "execute_batches": [
            {"batch_index": 1, "rotation_strategy": "CONTINUE", "target_instances": [{"resource_id": host.resource_id}]}
        ],
    }
    return api.http.post(f"/v1/job/scripts/{script}", json=body)


def _auto_process(api: Api, alarm_id: str, script: str, host: Host, values: dict[str, str]) -> httpx.Response:
    body = {
        "task_type": "SCRIPT",
        "associated_task_id": script,
        "input_param": values,
        "target_instances": [{"target_selection": "MANUAL", "target_instances": host.resource_id, "order_no": 1}],
    }
    return api.http.post(f"/v1/alarm-mgmt/alarm/{alarm_id}/auto-process", json=body)


def _finished(api: Api, resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    uuid = data["associated_task_id"] if isinstance(data, dict) else data
    info = api.wait_status(uuid, "FINISHED", "ABNORMAL")
    assert info["status"] == "FINISHED", api.instances(uuid, 1)
    return info


def test_a_value_the_rules_refuse_is_a_400_on_both_paths_and_runs_nothing(
    api: Api, host: Host, alarm_id: str, tmp_path: Path
) -> None:
    marker = tmp_path / "PWNED"
    script = api.script("echo ${greeting} ${name}", {"greeting": "", "name": ""})
    orders = api.call("GET", ORDERS, params={"limit": 1})["total"]
    for char in REFUSED + LINE_TERMINATORS:
        for greeting in ("hello" + char, f"x{char}touch {marker}{char}"):
            values = {"greeting": greeting, "name": f"touch {marker}"}
            for resp in (_execute(api, script, host, values), _auto_process(api, alarm_id, script, host, values)):
                assert resp.status_code == 400, f"{greeting!r}: {resp.status_code} {resp.text}"
                named = ("script_params[0].param_value", "input_param.greeting")  # NUL: the alarm's own check
                assert any(field in resp.json()["error_msg"] for field in named), resp.text
    assert api.call("GET", ORDERS, params={"limit": 1})["total"] == orders, "a refused value made an order"
    # The agent is alive and takes work in order: a later order runs, the refused ones never did.
    control = tmp_path / "control"
    _finished(api, _execute(api, api.script("touch ${f}", {"f": ""}), host, {"f": str(control)}))
    assert control.exists() and not marker.exists()


def test_an_admitted_value_arrives_byte_exact_in_a_shell_script_on_both_paths(
    api: Api, host: Host, alarm_id: str, tmp_path: Path
) -> None:
    names = [f"p{i}" for i in range(len(ADMITTED))]
    body = "; ".join(f'printf %s "${{{n}}}" > "$out/{n}"; echo ${{{n}}} > /dev/null' for n in names)
    script = api.script(f"{body}; touch $out/done", dict.fromkeys([*names, "out"], ""))
    for path, send in (("api", _execute), ("alarm", None)):
        out = tmp_path / path
        out.mkdir()
        values = dict(zip(names, ADMITTED, strict=True)) | {"out": str(out)}
        resp = send(api, script, host, values) if send else _auto_process(api, alarm_id, script, host, values)
        _finished(api, resp)
        assert (out / "done").exists()
        arrived = {n: (out / n).read_bytes() for n in names}
        assert arrived == {n: v.encode() for n, v in zip(names, ADMITTED, strict=True)}, path


def test_an_admitted_value_arrives_byte_exact_in_a_python_string_literal(api: Api, host: Host, tmp_path: Path) -> None:
    names = [f"p{i}" for i in range(len(ADMITTED))]
    lines = [f"open(out + '/{n}', 'w').write(${{{n}}} + '|' + '${{{n}}}' + '|' + r'''${{{n}}}''')" for n in names]
    content = "out = ${out}\n" + "\n".join(lines) + "\nopen(out + '/done', 'w').close()\n"
    script = api.script(content, dict.fromkeys([*names, "out"], ""), script_type="PYTHON")
    values = dict(zip(names, ADMITTED, strict=True)) | {"out": str(tmp_path)}
    _finished(api, _execute(api, script, host, values))
    assert (tmp_path / "done").exists()
    arrived = {n: (tmp_path / n).read_text() for n in names}
    assert arrived == {n: f"{v}|{v}|{v}" for n, v in zip(names, ADMITTED, strict=True)}
