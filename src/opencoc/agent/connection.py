"""The agent's side of the agent protocol over httpx (the transport is a seam for tests).

Each identity has its own small `httpx.AsyncClient` (a long-poll, a heartbeat and a result can
be in flight at once). One client shared by N simulated identities would be slower: httpcore
scans its whole pool on every request, which made 1,000 idle identities cost a full core.
All clients share one TLS context.
"""

import ssl
from typing import Any

import certifi
import httpx

from opencoc.agent.identity import Identity

API = "/opencoc/v1/agent"
GONE = (404, 410)


class ServerError(Exception):
    """The server answered with a non-2xx status; `retry_after` is its Retry-After in seconds, if any."""

    def __init__(self, status: int, body: str, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status
        self.retry_after = retry_after


def retry_after(resp: httpx.Response) -> float | None:
    """The response's Retry-After as seconds (the delay form; an HTTP date is not sent by our server)."""
    value = resp.headers.get("retry-after", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 3600 else None


def tls_context(server: str) -> ssl.SSLContext:
    """The TLS context every client shares (CA bundle loaded only for an https server)."""
    if server.startswith("https:"):
        return ssl.create_default_context(cafile=certifi.where())
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def make_client(
    server: str,
    *,
    tls: ssl.SSLContext | None = None,
    pool_size: int = 4,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """A client with keep-alive connections for `pool_size` concurrent calls of one identity."""
    limits = httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size)
    return httpx.AsyncClient(
        base_url=server.rstrip("/"),
        limits=limits,
        timeout=httpx.Timeout(30.0, connect=10.0),
        transport=transport,
        verify=tls or tls_context(server),
    )


def _json(resp: httpx.Response) -> Any:
    if not resp.is_success:
        raise ServerError(resp.status_code, resp.text, retry_after(resp))
    return resp.json()


async def enroll(client: httpx.AsyncClient, token: str, facts: dict[str, Any]) -> dict[str, Any]:
    """`{agent_sn, agent_secret, resource_id}` for a new identity."""
    return dict(_json(await client.post(f"{API}/enroll", json={"token": token, "facts": facts})))


class AgentConnection:
    """The calls one enrolled identity makes."""

    def __init__(self, client: httpx.AsyncClient, identity: Identity) -> None:
        self.client = client
        self.headers = {"Authorization": identity.authorization}

    async def heartbeat(self, facts: dict[str, Any]) -> None:
        _json(await self.client.post(f"{API}/heartbeat", json={"facts": facts}, headers=self.headers))

    async def poll(self, wait: float) -> dict[str, Any]:
        """`{tasks: [...], cancel: [...]}`; the server holds the request up to `wait` seconds."""
        resp = await self.client.get(
            f"{API}/tasks", params={"wait": int(wait)}, headers=self.headers, timeout=httpx.Timeout(wait + 15.0)
        )
        return dict(_json(resp))

    async def report(self, task_id: str, body: bytes, wait: float | None = None) -> dict[str, Any] | None:
        """Deliver a task result (its JSON body); raises ServerError (or httpx.HTTPError) when not delivered.
        With `wait`, the request goes on as the next long-poll: its feed (`tasks`, `cancel`) is returned."""
        headers = {**self.headers, "Content-Type": "application/json"}
        url = f"{API}/tasks/{task_id}/result"
        if wait is None:
            _json(await self.client.post(url, content=body, headers=headers))
            return None
        resp = await self.client.post(
            url, content=body, headers=headers, params={"wait": int(wait)}, timeout=httpx.Timeout(wait + 15.0)
        )
        return dict(_json(resp))
