"""`opencoc attachment upload|get|download|delete` against a real server."""

import json
import subprocess
from pathlib import Path

from harness.server import LiveServer
from tests.support.cli import signed_cli
from tests.support.signing import TenantKey


def _attachment(server: LiveServer, key: TenantKey, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return signed_cli(server, key, "attachment", *args, cwd=cwd)


def test_upload_get_download_delete_from_the_shell(
    live_server: LiveServer, live_tenant: TenantKey, tmp_path: Path
) -> None:
    source = tmp_path / "report.json"
    source.write_text('{"ok": true}')
    out = _attachment(live_server, live_tenant, tmp_path, "upload", str(source), "--subject", "incident:IM1", "--json")
    assert out.returncode == 0, out.stderr
    meta = json.loads(out.stdout)
    assert meta["name"] == "report.json" and meta["content_type"] == "application/json"
    assert meta["subject"] == {"kind": "incident", "id": "IM1"}

    shown = _attachment(live_server, live_tenant, tmp_path, "get", meta["attachment_id"])
    assert shown.returncode == 0 and meta["sha256"] in shown.stdout

    (tmp_path / "out").mkdir()
    got = _attachment(live_server, live_tenant, tmp_path / "out", "download", meta["attachment_id"])
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "out" / "report.json").read_bytes() == source.read_bytes()

    assert _attachment(live_server, live_tenant, tmp_path, "delete", meta["attachment_id"]).returncode == 0
    gone = _attachment(live_server, live_tenant, tmp_path, "download", meta["attachment_id"], "-o", "x")
    assert gone.returncode == 1 and "OPENCOC.ATTACHMENT.NOT_FOUND" in gone.stderr and not (tmp_path / "x").exists()


def test_a_refused_type_exits_nonzero_with_the_reason(
    live_server: LiveServer, live_tenant: TenantKey, tmp_path: Path
) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html></html>")
    out = _attachment(live_server, live_tenant, tmp_path, "upload", str(page))
    assert out.returncode == 1 and "HTTP 415" in out.stderr and "not allowed" in out.stderr
    fake = tmp_path / "fake.png"
    fake.write_text("not a png")
    out = _attachment(live_server, live_tenant, tmp_path, "upload", str(fake))
    assert out.returncode == 1 and "does not match" in out.stderr
