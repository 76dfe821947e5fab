"""Results not yet delivered (agent/results.py): kept on disk until the server has them."""

import json
import stat
from pathlib import Path

from opencoc.agent.results import ResultSpool

RESULT = {"status": "FINISHED", "exit_code": 0, "output": "ok\n", "started_at": 1, "finished_at": 2, "error": None}


def test_a_result_is_kept_as_the_json_body_until_done(tmp_path: Path) -> None:
    spool = ResultSpool(tmp_path)
    spool.put("t1", RESULT)
    assert json.loads(spool.get("t1") or b"") == RESULT
    assert stat.S_IMODE(next((tmp_path / "results").glob("*.json")).stat().st_mode) == 0o600
    spool.done("t1")
    assert spool.get("t1") is None and spool.pending() == []
    spool.done("t1")  # twice is harmless


def test_a_later_run_finds_every_result_left_behind(tmp_path: Path) -> None:
    assert ResultSpool(tmp_path).pending() == []
    for task_id in ("b", "a/../x", "c%20d"):
        ResultSpool(tmp_path).put(task_id, RESULT)
    assert sorted(ResultSpool(tmp_path).pending()) == ["a/../x", "b", "c%20d"], "task ids are kept exactly"
    assert [p.parent for p in (tmp_path / "results").iterdir()] == [tmp_path / "results"] * 3


def test_putting_again_replaces_the_result(tmp_path: Path) -> None:
    spool = ResultSpool(tmp_path)
    spool.put("t1", RESULT)
    spool.put("t1", {**RESULT, "output": "less"})
    assert json.loads(spool.get("t1") or b"")["output"] == "less"
    assert spool.pending() == ["t1"]


def test_a_delivered_results_file_is_written_over_by_the_next(tmp_path: Path) -> None:
    spool = ResultSpool(tmp_path)
    spool.put("long", {**RESULT, "output": "x" * 10_000})
    inode = next((tmp_path / "results").glob("*.json")).stat().st_ino
    spool.done("long")
    spool.put("short", RESULT)
    [kept] = (tmp_path / "results").glob("*.json")
    assert kept.stat().st_ino == inode, "no new file per result"
    assert json.loads(spool.get("short") or b"") == RESULT, "nothing of the longer result is left"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and spool.pending() == ["short"]


def test_a_later_run_removes_the_spare_an_earlier_run_left(tmp_path: Path) -> None:
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / ".1.spare").write_text("{}")  # an earlier process's
    spool = ResultSpool(tmp_path)
    spool.put("t1", RESULT)
    assert spool.pending() == ["t1"]
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["t1.json"]
