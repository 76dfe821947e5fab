"""Behind a proxy: only the proxies OPENCOC_CONSOLE_TRUSTED_PROXIES names are believed about HTTPS (a real server).

uvicorn believes X-Forwarded-* from 127.0.0.1 by default; `opencoc serve` turns that off, so that a
local process claiming HTTPS does not get the console's Secure cookies unless 127.0.0.1 is listed.
"""

from pathlib import Path

import httpx
import pytest

from harness.server import LiveServer

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def _sign_in_cookie(tmp_path: Path, trusted: str) -> str:
    server = LiveServer(tmp_path, None, extra_env={"OPENCOC_CONSOLE_TRUSTED_PROXIES": trusted}).start()
    try:
        page = httpx.get(server.url + "/console/sign-in", headers=FORWARDED, timeout=10)
        assert page.status_code == 200
        return page.headers["set-cookie"]
    finally:
        server.stop()


@pytest.mark.parametrize(("trusted", "secure"), [("", False), ("127.0.0.1", True)])
def test_forwarded_https_is_believed_only_from_a_trusted_proxy(tmp_path: Path, trusted: str, secure: bool) -> None:
    cookie = _sign_in_cookie(tmp_path, trusted)
    assert cookie.startswith("opencoc_sign_in=")
    assert ("; secure" in cookie.lower()) is secure
