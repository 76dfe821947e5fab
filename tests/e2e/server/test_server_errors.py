"""A 500 is a complete response that leaves the keep-alive connection usable; a client that
goes away mid-body is one info line in the log.

The 500 is provoked as it happens in production: a table the route reads is gone from the
server's database (renamed under the running server).
"""

import http.client
import json
import socket
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text

from harness.polling import wait_for
from harness.server import LiveServer
from tests.compat.sdk import SDK_WARNINGS, client, create_request, sdk
from tests.conftest import cli_tenant
from tests.support.signing import TenantKey, signed_headers

pytestmark = SDK_WARNINGS
__all__ = ["sdk"]

RESOURCES_QUERY = "limit=10&provider=ecs&type=cloudservers"
INTERNAL_ERROR = {"error_code": "COC.00040701", "error_msg": "Internal server error"}


@pytest.fixture(scope="module")
def key(own_server: LiveServer) -> TenantKey:
    """A tenant on a server whose `resources` table has gone away."""
    created = cli_tenant(own_server.data_dir, own_server.database_url, "broken")
    engine = create_engine(own_server.database_url or f"sqlite:///{own_server.data_dir / 'opencoc.db'}")
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE resources RENAME TO resources_unavailable"))
    engine.dispose()
    return created


def _host(server: LiveServer) -> str:
    return server.url.removeprefix("http://")


def test_500_is_complete_and_the_connection_serves_the_next_request(own_server: LiveServer, key: TenantKey) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", own_server.port, timeout=30)
    try:
        headers = signed_headers(key, "GET", "/v1/resources", _host(own_server), RESOURCES_QUERY)
        conn.request("GET", f"/v1/resources?{RESOURCES_QUERY}", headers=headers)
        failed = conn.getresponse()
        assert failed.status == 500
        assert json.loads(failed.read()) == INTERNAL_ERROR
        assert len(failed.getheader("x-request-id") or "") == 32
        assert conn.sock is not None, "a 500 without `Connection: close` keeps the connection"
        local = conn.sock.getsockname()

        conn.request(
            "GET", "/v3/auth/domains", headers=signed_headers(key, "GET", "/v3/auth/domains", _host(own_server))
        )
        answered = conn.getresponse()
        assert answered.status == 200
        assert json.loads(answered.read())["domains"][0]["id"] == key.domain_id
        assert conn.sock is not None and conn.sock.getsockname() == local, "the same connection answered"
    finally:
        conn.close()


def test_sdk_requests_between_500s_all_succeed(sdk: SimpleNamespace, own_server: LiveServer, key: TenantKey) -> None:
    from huaweicloudsdkcoc.v1 import ListResourcesRequest
    from huaweicloudsdkcore.exceptions.exceptions import ServerResponseException

    coc = client(sdk, sdk.GlobalCredentials(key.access_key, key.secret_key, key.domain_id), own_server.url)
    created = []
    for _ in range(10):
        with pytest.raises(ServerResponseException) as failed:
            coc.list_resources(ListResourcesRequest(provider="ecs", type="cloudservers", limit=10))
        assert (failed.value.status_code, failed.value.error_code) == (500, "COC.00040701")
        created.append(coc.create_coc_incident(create_request(sdk)).data.incident_num)
    assert len(set(created)) == 10, "every valid request between the 500s succeeded"


def test_client_gone_mid_body_is_one_info_line(own_server: LiveServer, key: TenantKey) -> None:
    path = "/v1/external/incident/create"
    headers = signed_headers(key, "POST", path, _host(own_server), body=b"{}")
    head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    with socket.create_connection(("127.0.0.1", own_server.port), timeout=10) as sock:
        sock.sendall(head.encode() + b'{"incident')

    line = wait_for(
        lambda: next((ln for ln in own_server.log_tail().splitlines() if "went away" in ln), None),
        "the server to log the client that went away",
        timeout=10,
    )
    assert "INFO" in line and path in line
    assert "Traceback" not in own_server.log_tail()
    assert "ClientDisconnect" not in own_server.log_tail()
