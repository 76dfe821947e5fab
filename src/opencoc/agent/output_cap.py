"""Bounded output capture: keeps the head and the tail, counts what fell out in between."""

DEFAULT_LIMIT = 1024 * 1024
MARKER_RESERVE = 64


def marker(dropped: int) -> bytes:
    return f"\n...[{dropped} bytes truncated]...\n".encode()


class OutputCap:
    """Accepts any amount of output and never holds more than `limit` bytes of it.

    The first half of the limit keeps the start of the output, the rest keeps its end (where the
    error usually is); `render()` joins them with a visible marker saying how much was dropped.
    """

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.head_limit = limit // 2
        self.tail_limit = limit - self.head_limit - MARKER_RESERVE
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data[-self.tail_limit :]
            excess = len(self.tail) - self.tail_limit
            if excess > 0:
                del self.tail[:excess]

    @property
    def dropped(self) -> int:
        return self.total - len(self.head) - len(self.tail)

    def render(self) -> bytes:
        middle = marker(self.dropped) if self.dropped else b""
        return b"".join((self.head, middle, self.tail))
