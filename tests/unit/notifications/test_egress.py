"""At send time, a connection to an internal address is refused before it is made, unless allowed."""

import socket
from collections.abc import Iterator

import pytest

from opencoc.notifications import urls
from opencoc.notifications.allowlist import Policy


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def _connected(sock: socket.socket) -> bool:
    try:
        sock.accept()[0].close()
    except BlockingIOError:
        return False
    return True


def test_a_loopback_url_is_refused_at_send_time_without_connecting(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    with pytest.raises(urls.DeliveryError) as refused:
        urls.deliver(f"json://127.0.0.1:{port}/hook", "t", "b", Policy.parse("json", ""))
    assert "internal address 127.0.0.1" in str(refused.value) and "OPENCOC_NOTIFY_ALLOWED_HOSTS" in str(refused.value)
    assert not _connected(listener), "no connection was made"


def test_the_same_url_connects_when_its_host_is_listed(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    with pytest.raises(urls.DeliveryError):  # the listener never answers HTTP: the send fails, after connecting
        urls.deliver(f"json://127.0.0.1:{port}/hook?cto=1&rto=0.2", "t", "b", Policy.parse("json", "127.0.0.1"))
    assert _connected(listener)


def test_resolving_outside_a_send_is_unchanged(listener: socket.socket) -> None:
    with pytest.raises(urls.DeliveryError):  # a refused send leaves the guard installed
        urls.deliver(f"json://127.0.0.1:{listener.getsockname()[1]}/", "t", "b", Policy.parse("json", ""))
    assert socket.getaddrinfo("localhost", 80)[0][4][0] in ("127.0.0.1", "::1")
