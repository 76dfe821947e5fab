"""The offline threshold right after a start reaches back to a grace before the servers last saw an agent."""

from opencoc.jobs.offline_grace import OfflineGrace

START = 1_700_000_000_000


def test_with_no_agent_seen_before_the_start_the_grace_applies() -> None:
    assert OfflineGrace(6, START).at(START + 1000) == 6


def test_after_a_long_downtime_agents_seen_before_it_are_not_offline_for_one_grace() -> None:
    grace = OfflineGrace(6, START, last_recorded_ms=START - 60_000)  # the servers were down for a minute
    now = START + 5_000
    threshold = grace.at(now)
    assert now - threshold * 1000 == START - 66_000  # seen up to a grace before the crash: still there
    assert grace.at(START + 6_000) == 6  # one grace after the start: judged as usual


def test_while_other_replicas_saw_agents_until_just_now_the_threshold_moves_by_no_more_than_that() -> None:
    now = START + 100
    assert now - OfflineGrace(6, START, last_recorded_ms=START - 200).at(now) * 1000 == START - 6_200
