"""Failed deliveries wait twice as long after each attempt, up to ten minutes."""

from opencoc.notifications.outbox import backoff_ms


def test_backoff_doubles_from_two_seconds() -> None:
    assert [backoff_ms(n) for n in range(1, 6)] == [2_000, 4_000, 8_000, 16_000, 32_000]


def test_backoff_is_capped_at_ten_minutes() -> None:
    assert backoff_ms(9) == 512_000
    assert backoff_ms(10) == backoff_ms(40) == 600_000
