"""Scripts really run on real agent processes: files written, timeouts, output cap, cancel, gates."""

import os
from pathlib import Path

import pytest

from tests.e2e.jobs.support import Api, Host, wait_for

pytestmark = pytest.mark.timeout(120)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_script_writes_a_file_on_each_host(api: Api, hosts: list[Host], tmp_path: Path) -> None:
    script = api.script('f=$(mktemp ${dir}/host.XXXXXX) && echo "${msg}" > $f && echo wrote $f', {"dir": "", "msg": ""})
    uuid = api.execute(script, [hosts[:2], hosts[2:]], params={"dir": str(tmp_path), "msg": "hello world"})
    info = api.wait_status(uuid, "FINISHED", "ABNORMAL")
    assert info["status"] == "FINISHED", api.instances(uuid, 1)
    files = sorted(tmp_path.glob("host.*"))
    assert len(files) == 3 and {f.read_text() for f in files} == {"hello world\n"}
    messages = [i["message"] for b in (1, 2) for i in api.instances(uuid, b)]
    assert sorted(m.split()[1] for m in messages) == sorted(str(f) for f in files)
    assert all(i["target_instance"]["agent_status"] == "ONLINE" for i in api.instances(uuid, 1))


def test_a_script_past_its_timeout_is_killed_and_abnormal(api: Api, hosts: list[Host]) -> None:
    uuid = api.execute(api.script("echo started; sleep 60"), [hosts[:1]], timeout=5)
    info = api.wait_status(uuid, "ABNORMAL", "FINISHED")
    inst = api.instance(uuid)
    assert info["status"] == "ABNORMAL" and inst["status"] == "ABNORMAL"
    assert "started" in inst["message"] and "timed out" in inst["message"]


def test_output_is_capped_at_1_mb_keeping_head_and_tail(api: Api, hosts: list[Host]) -> None:
    script = api.script("echo HEAD; head -c 3000000 /dev/zero | tr '\\0' a; echo; echo TAIL")
    uuid = api.execute(script, [hosts[:1]])
    assert api.wait_status(uuid, *("FINISHED", "ABNORMAL"))["status"] == "FINISHED"
    message = api.instance(uuid)["message"]
    assert message.startswith("HEAD\n") and message.endswith("TAIL\n")
    assert "bytes truncated" in message
    assert len(message.encode()) <= 1024 * 1024 + 200


def test_cancel_instance_kills_the_running_script(api: Api, hosts: list[Host], tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = api.script("sleep 120 & echo $! > ${pidfile}; wait", {"pidfile": ""})
    uuid = api.execute(script, [hosts[:1]], params={"pidfile": str(pid_file)})
    pid = int(wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), "the script to start"))
    assert _alive(pid)
    api.operate(uuid, "CANCEL_INSTANCE", instance_id=api.instance(uuid)["id"])
    assert api.wait_status(uuid, "ABNORMAL", "FINISHED", "CANCELED")["status"] == "ABNORMAL"
    assert api.instance(uuid)["status"] == "CANCELED"
    wait_for(lambda: not _alive(pid), "the script's child process to be gone", timeout=10)


def test_pause_between_batches_and_continue(api: Api, hosts: list[Host]) -> None:
    uuid = api.execute(api.script("echo ok"), [hosts[:1], hosts[1:2]], strategy="PAUSE")
    info = api.wait_status(uuid, "PAUSED")
    assert info["properties"]["current_execute_batch_index"] == 2
    assert api.instance(uuid, 2)["status"] == "READY"
    api.operate(uuid, "CONTINUE_ORDER")
    assert api.wait_status(uuid, "FINISHED", "ABNORMAL")["status"] == "FINISHED"


def test_success_rate_pause_then_retry_and_continue(api: Api, hosts: list[Host], tmp_path: Path) -> None:
    # The first run on any host fails (it creates the marker); every later run succeeds.
    script = api.script(
        "if mkdir ${marker} 2>/dev/null; then echo first run fails; exit 3; fi; echo ok", {"marker": ""}
    )
    uuid = api.execute(script, [hosts[:1], hosts[1:2]], params={"marker": str(tmp_path / "marker")})
    info = api.wait_status(uuid, "PAUSED", "FINISHED", "ABNORMAL")
    assert info["status"] == "PAUSED" and "success rate" in info["properties"]["reason"]
    failed = api.instance(uuid, 1)
    assert failed["status"] == "ABNORMAL" and "first run fails" in failed["message"]
    api.operate(uuid, "RETRY_INSTANCE", instance_id=failed["id"])
    wait_for(lambda: api.instance(uuid, 1)["status"] == "FINISHED", "the retried instance to finish")
    assert api.info(uuid)["status"] == "PAUSED"
    api.operate(uuid, "CONTINUE_ORDER")
    assert api.wait_status(uuid, "FINISHED", "ABNORMAL")["status"] == "FINISHED"


def test_skip_batch(api: Api, hosts: list[Host]) -> None:
    uuid = api.execute(api.script("echo ok"), [hosts[:1], hosts[1:2], hosts[2:]], strategy="PAUSE")
    api.wait_status(uuid, "PAUSED")
    api.operate(uuid, "SKIP_BATCH", batch_index=2)
    api.operate(uuid, "CONTINUE_ORDER")
    assert api.wait_status(uuid, "FINISHED", "ABNORMAL")["status"] == "FINISHED", "the last batch ends the order"
    assert api.instance(uuid, 2)["status"] == "CANCELED"
    assert api.instance(uuid, 3)["status"] == "FINISHED"
