"""Results not yet delivered, kept in `<state-dir>/results/` until the server has them.

A restarted agent still reports them, and a result waiting for its next retry (up to 1 MB of
output) sits on disk, not in the agent's memory. Each file holds the JSON body as it is sent.
"""

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote


class ResultSpool:
    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir / "results"

    def _path(self, task_id: str) -> Path:
        return self.dir / f"{quote(task_id, safe='')}.json"

    def put(self, task_id: str, result: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.dir / f".{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(json.dumps(result).encode())
        os.replace(tmp, self._path(task_id))

    def get(self, task_id: str) -> bytes | None:
        """The JSON body of the result, or None once it was delivered."""
        try:
            return self._path(task_id).read_bytes()
        except FileNotFoundError:
            return None

    def done(self, task_id: str) -> None:
        self._path(task_id).unlink(missing_ok=True)

    def pending(self) -> list[str]:
        """Task ids whose results were written by an earlier run and never confirmed."""
        if not self.dir.exists():
            return []
        return [unquote(path.name.removesuffix(".json")) for path in sorted(self.dir.glob("*.json"))]
