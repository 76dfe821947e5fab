"""Request heads are bounded in size and count, and slow heads and bodies time out (a real server).

The server runs with 1 s head and body deadlines so that the tests are quick.
"""

import http.client
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.polling import wait_for
from harness.server import LiveServer

TIMEOUT_S = 1.0
MB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {
        "OPENCOC_HEADER_TIMEOUT_SECONDS": str(TIMEOUT_S),
        "OPENCOC_BODY_TIMEOUT_SECONDS": str(TIMEOUT_S),
        "OPENCOC_DOCS": "1",  # a public /openapi.json: a large response for the slow reader
    }
    live = LiveServer(tmp_path_factory.mktemp("limits"), None, extra_env=env).start()
    yield live
    live.stop()


def _connect(server: LiveServer, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=timeout)


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    out = b""
    while chunk := sock.recv(65536):
        out += chunk
    return out


def _get_health(headers: list[str]) -> bytes:
    return (
        "GET /opencoc/health HTTP/1.1\r\n" + "".join(h + "\r\n" for h in headers) + "Connection: close\r\n\r\n"
    ).encode()


def _status(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/1.1 ") else 0


def _rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_head_within_the_limits_is_served(server: LiveServer) -> None:
    headers = ["Host: x", "X-Big: " + "a" * (20 * 1024)] + [f"X-H{i}: v" for i in range(97)]
    with _connect(server) as sock:
        sock.sendall(_get_health(headers))
        assert _status(_read_all(sock)) == 200


def test_too_many_header_fields_is_431(server: LiveServer) -> None:
    headers = ["Host: x"] + [f"X-H{i}: v" for i in range(100)]  # 101 fields, the limit is 100
    with _connect(server) as sock:
        sock.sendall(_get_health(headers))
        answer = _read_all(sock)
    assert _status(answer) == 431
    assert b"at most 100 header fields" in answer


def test_oversized_complete_head_is_431(server: LiveServer) -> None:
    with _connect(server) as sock:
        sock.sendall(_get_health(["Host: x", "X-Big: " + "a" * (40 * 1024)]))
        answer = _read_all(sock)
    assert _status(answer) == 431
    assert b"must be at most 32768 bytes" in answer


def _flood(server: LiveServer, results: list[tuple[int, bytes]]) -> None:
    """Send an unterminated 50 MB header; record how much went out before the server closed."""
    sent = 0
    answer = b""
    chunk = b"a" * 65536
    with _connect(server, timeout=20) as sock:
        try:
            sock.sendall(b"GET /opencoc/health HTTP/1.1\r\nHost: x\r\nX-Flood: ")
            while sent < 50 * MB:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the server closed the connection: what we wanted
        try:
            answer = _read_all(sock)
        except OSError:
            pass  # a reset can discard the 431 before we read it
    results.append((sent, answer))


def test_ten_connections_with_50_mb_headers_are_refused_early(server: LiveServer) -> None:
    assert server.proc is not None
    peak_before = _rss_peak_mb(server.proc.pid)
    results: list[tuple[int, bytes]] = []
    threads = [threading.Thread(target=_flood, args=(server, results)) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 10
    for sent, answer in results:
        assert sent < 20 * MB, f"the server read {sent} bytes of one head before refusing it"
        assert answer == b"" or _status(answer) == 431
    assert any(_status(answer) == 431 for _, answer in results), "the refusal is a 431"
    growth = _rss_peak_mb(server.proc.pid) - peak_before
    assert growth < 64, f"server memory grew by {growth:.0f} MB"


def test_stalled_head_is_408_within_the_deadline(server: LiveServer) -> None:
    with _connect(server) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /opencoc/health HTTP/1.1\r\nHost: x\r\n")
        answer = _read_all(sock)
        elapsed = time.monotonic() - started
    assert _status(answer) == 408
    assert TIMEOUT_S * 0.8 <= elapsed < TIMEOUT_S + 2


def test_drip_fed_head_still_times_out(server: LiveServer) -> None:
    answer = b""
    with _connect(server, timeout=0.1) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /opencoc/health HTTP/1.1\r\nHost: x\r\n")
        for byte in itertools.cycle(b"X-Drip: slow\r\n"):
            try:
                sock.sendall(bytes([byte]))
                chunk = sock.recv(4096)  # waits up to 0.1 s for the server's verdict
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            answer += chunk
            assert time.monotonic() - started < TIMEOUT_S + 5, "a drip-fed head must not keep the connection"
        elapsed = time.monotonic() - started
    assert _status(answer) == 408
    assert elapsed < TIMEOUT_S + 2


def test_stalled_body_closes_the_connection_within_the_deadline(server: LiveServer) -> None:
    head = b"POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    with _connect(server) as sock:
        started = time.monotonic()
        sock.sendall(head + b'{"auth": ')
        answer = _read_all(sock)
        elapsed = time.monotonic() - started
    assert answer == b"", "nobody is left to answer"
    assert TIMEOUT_S * 0.8 <= elapsed < TIMEOUT_S + 2
    wait_for(lambda: "request body not received within 1 s" in server.log_tail(), "the server to log the slow body")
    assert "Traceback" not in server.log_tail()


def test_keep_alive_and_pipelined_requests_still_work(server: LiveServer) -> None:
    one = b"GET /opencoc/health HTTP/1.1\r\nHost: x\r\n\r\n"
    with _connect(server) as sock:
        sock.sendall(one + one + _get_health(["Host: x"]))
        answer = _read_all(sock)
    assert answer.count(b"HTTP/1.1 200 OK") == 3


def test_a_long_keep_alive_connection_is_not_counted_as_one_head(server: LiveServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        big = json.dumps({"auth": "x" * 200_000}).encode()  # a body far over the head limit, read in several chunks
        for _ in range(2):
            conn.request("POST", "/v3/auth/tokens", body=big, headers={"Content-Type": "application/json"})
            refused = conn.getresponse()
            assert refused.status == 400, "an invalid login body, read in full"
            refused.read()
            for _ in range(400):  # ~100 bytes a head: 40 KiB of heads between two bodies
                conn.request("GET", "/opencoc/health", headers={"X-Pad": "p" * 40})
                answer = conn.getresponse()
                assert answer.status == 200, answer.read()
                answer.read()
    finally:
        conn.close()


def test_a_body_arriving_in_parts_is_waited_for(server: LiveServer) -> None:
    body = json.dumps({"auth": {"identity": {}}}).encode()
    head = (
        f"POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with _connect(server) as sock:
        sock.sendall(head + body[:5])
        time.sleep(TIMEOUT_S / 3)  # the application is now waiting for the rest of its body
        sock.sendall(body[5:])
        answer = _read_all(sock)
    assert _status(answer) == 400, answer[:300]
    assert b"identity" in answer, "the whole body was read and validated"


def test_a_slow_reader_gets_a_large_response_whole_and_the_connection_goes_on(server: LiveServer) -> None:
    request = b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: the window it offers
        sock.settimeout(10)
        sock.connect(("127.0.0.1", server.port))
        sock.sendall(request)
        time.sleep(0.5)  # nothing read: the server's writes pause until the client reads
        raw = b""
        while b"\r\n\r\n" not in raw:
            raw += sock.recv(65536)
        head, _, rest = raw.partition(b"\r\n\r\n")
        length = int(
            next(
                v
                for k, _, v in (line.partition(b": ") for line in head.split(b"\r\n"))
                if k.lower() == b"content-length"
            )
        )
        assert length > 128 * 1024, "the response is far over the transport's write buffer"
        while len(rest) < length:
            rest += sock.recv(65536)
        assert "/opencoc/v1/agent/tasks" in json.loads(rest[:length])["paths"]
        sock.sendall(_get_health(["Host: x"]))  # the next request on the same connection is answered
        assert _status(_read_all(sock)) == 200
