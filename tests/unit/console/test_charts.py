"""console/charts.py: the SVG a chart draws, its words for screen readers, its links and escaping."""

import re

from opencoc.console import charts

LEVELS = [charts.Series("P1", "P1", "c-p1"), charts.Series("P2", "P2", "c-p2")]


def test_the_axis_tops_at_a_round_number() -> None:
    assert [charts._scale(n) for n in (1, 3, 7, 10, 11, 180, 999)] == [1, 5, 10, 10, 20, 200, 1000]


def test_stacked_bars_describe_their_breakdown_and_link_to_their_lists() -> None:
    chart = charts.Chart(
        "per-day",
        "Incidents per day",
        [charts.Bar("03-01", {"P1": 2, "P2": 3}, "/console/incidents?day=1"), charts.Bar("03-02", {})],
        LEVELS,
    )
    svg = str(charts.svg(chart))
    assert '<title id="per-day-title">Incidents per day</title>' in svg
    assert '<desc id="per-day-desc">03-01: 5 (P1 2, P2 3); 03-02: 0</desc>' in svg
    assert 'role="img" aria-labelledby="per-day-title per-day-desc"' in svg
    assert svg.count("<rect ") == 2, "one rectangle per non-zero value"
    assert '<a href="/console/incidents?day=1" aria-label="03-01: 5">' in svg
    heights = [float(h) for h in re.findall(r'height="([\d.]+)"', svg)]
    assert heights[0] / heights[1] == 2 / 3, "heights are proportional to the values"


def test_a_plain_bar_chart_does_not_repeat_its_series_in_words() -> None:
    chart = charts.Chart("open", "Open", [charts.Bar("P1", {"P1": 4})], LEVELS, stacked=False)
    assert chart.description() == "P1: 4"
    assert not chart.empty and charts.Chart("e", "E", [charts.Bar("P1", {})], LEVELS).empty


def test_labels_and_links_are_escaped_and_long_labels_cut() -> None:
    chart = charts.Chart(
        "noisy",
        "Sources",
        [charts.Bar('<b>"evil"</b> source name', {"n": 1}, '/console/alarms?source=a&b="c"')],
        [charts.Series("n", "occurrences", "c")],
        stacked=False,
    )
    svg = str(charts.svg(chart))
    assert "<b>" not in svg and "&lt;b&gt;&#34;evil&#34;&lt;/b&gt; source name" in svg
    assert 'href="/console/alarms?source=a&amp;b=&#34;c&#34;"' in svg
    assert ">&lt;b&gt;&#34;evil&#34;&lt;/…</text>" in svg, "the label under the bar: 11 characters and …"
