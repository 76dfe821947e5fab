"""What `make run` does first: `opencoc quickstart` prints a working endpoint and key, once."""

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from harness.server import LiveServer, server_env

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ImportWarning")


def _quickstart(data_dir: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "opencoc", "quickstart"],
        env=server_env(data_dir, None),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout


def _signs_in_to_the_console(url: str, first: str, second: str) -> None:
    """The console URL and the admin's first password are printed, the password once, and it signs in."""
    password = re.search(r"password (\S+)", first)
    assert password and "web console: http" in first, first
    assert password[1] not in second and "web console: http" in second
    with httpx.Client(base_url=url, follow_redirects=False) as browser:
        token = re.search(r'name="sign_in_token" value="([^"]+)"', browser.get("/console/sign-in").text)
        assert token
        form = {"tenant": "default", "user": "admin", "password": password[1], "sign_in_token": token[1]}
        assert browser.post("/console/sign-in", data=form).headers["location"] == "/console/"
        assert browser.get("/console/incidents").status_code == 200


def test_quickstart_prints_a_key_that_the_official_sdk_can_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _quickstart(tmp_path)
    ak = re.search(r"access key: (\w+)", first)
    sk = re.search(r"secret key: (\w+)", first)
    domain = re.search(r"domain_id:\s+(\w+)", first)
    assert ak and sk and domain, first
    assert "GlobalCredentials(" in first and "with_endpoints" in first
    profile = json.loads((tmp_path / "profile.json").read_text())
    assert profile["access_key"] == ak[1] and oct((tmp_path / "profile.json").stat().st_mode & 0o777) == "0o600"

    second = _quickstart(tmp_path)
    assert ak[1] not in second and "secret key" not in second, "the secret is printed only once"

    server = LiveServer(tmp_path, None).start()
    try:
        monkeypatch.setenv("HOME", str(tmp_path))  # the SDK writes ~/.huaweicloud on import
        from huaweicloudsdkcoc.v1 import CocClient
        from huaweicloudsdkcore.auth.credentials import GlobalCredentials
        from huaweicloudsdkcore.region.region import Region

        credentials = GlobalCredentials(ak[1], sk[1]).with_iam_endpoint(server.url)
        CocClient.new_builder().with_credentials(credentials).with_region(Region("local", server.url)).build()
        assert credentials.domain_id == domain[1], "the SDK resolves the domain id from GET /v3/auth/domains"
        _signs_in_to_the_console(server.url, first, second)
    finally:
        server.stop()
