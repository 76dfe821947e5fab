"""OutputCap keeps the head and the tail within the limit and marks what it dropped."""

from opencoc.agent.output_cap import MARKER_RESERVE, OutputCap


def test_small_output_is_kept_whole() -> None:
    cap = OutputCap(1000)
    for chunk in (b"hello ", b"world"):
        cap.feed(chunk)
    assert cap.render() == b"hello world" and cap.dropped == 0


def test_large_output_keeps_head_and_tail_with_a_marker() -> None:
    cap = OutputCap(1000)
    data = bytes(range(256)) * 40  # 10,240 bytes
    for i in range(0, len(data), 333):
        cap.feed(data[i : i + 333])
    out = cap.render()
    head, tail = data[:500], data[-(500 - MARKER_RESERVE) :]
    dropped = len(data) - len(head) - len(tail)
    assert out == head + f"\n...[{dropped} bytes truncated]...\n".encode() + tail
    assert len(out) <= 1000


def test_memory_never_exceeds_the_limit() -> None:
    cap = OutputCap(1000)
    for _ in range(100):
        cap.feed(b"x" * 4096)
        assert len(cap.head) + len(cap.tail) <= 1000
