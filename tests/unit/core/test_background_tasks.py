"""A server-lifetime task that dies says so at once, with its traceback; the others keep running."""

import asyncio
import logging
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from harness.polling import wait_for
from opencoc import app as app_module
from opencoc.config import Settings


class SweeperBroke(Exception):
    pass


async def _dies(app: FastAPI) -> None:
    raise SweeperBroke("the sweep query failed")


async def _runs(app: FastAPI) -> None:
    app.state.still_running = asyncio.Event()
    app.state.still_running.set()
    await asyncio.Event().wait()


def test_a_background_task_that_dies_logs_its_traceback_at_error_while_the_server_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(app_module, "BACKGROUND", (("test.dies", _dies), ("test.runs", _runs)))
    settings = Settings(data_dir=tmp_path, secret_key="test-master-key")
    caplog.set_level(logging.ERROR, logger="opencoc.tasks")

    with TestClient(app_module.create_app(settings)) as client:
        record = wait_for(
            lambda: next((r for r in caplog.records if "test.dies" in r.getMessage()), None),
            "the dead task's log record",
            timeout=10,
        )
        assert record.levelno == logging.ERROR
        assert record.exc_info is not None and isinstance(record.exc_info[1], SweeperBroke), "no traceback logged"
        assert client.get("/opencoc/health").status_code == 200
        wait_for(lambda: getattr(client.app.state, "still_running", None), "the other task to run")

    assert not [r for r in caplog.records if "test.runs" in r.getMessage()], "a cancelled task is not an error"
