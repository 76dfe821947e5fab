"""The `opencoc` CLI run as a user runs it against a live server: endpoint and access key from the environment."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from harness.server import LiveServer
from tests.support.signing import TenantKey


def signed_cli(
    server: LiveServer, key: TenantKey, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`opencoc ARGS...` as the key's user (wide COLUMNS: tables are not wrapped)."""
    env = dict(
        server.env,
        OPENCOC_ENDPOINT=server.url,
        HUAWEICLOUD_SDK_AK=key.access_key,
        HUAWEICLOUD_SDK_SK=key.secret_key,
        COLUMNS="200",
    )
    return subprocess.run(
        [sys.executable, "-m", "opencoc", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def json_of(out: subprocess.CompletedProcess[str]) -> Any:
    """The command's --json output; it must have succeeded."""
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)
