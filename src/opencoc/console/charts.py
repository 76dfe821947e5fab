"""Small server-side SVG charts for the overview: bar charts, stacked or not.

Each chart is an `<svg role="img">` named by its `<title>` and `<desc>` (the figures in words), and
every bar is a link to the list it summarises. The page shows the same figures as a table too.
Colours come from CSS classes (`console.css`), so the charts follow the stylesheet.
"""

from dataclasses import dataclass, field

from markupsafe import Markup, escape

# Drawn at about the size a card shows it on a laptop, so that the labels stay readable on a phone too.
WIDTH, HEIGHT = 480, 200
TOP, BOTTOM, LEFT, RIGHT = 12, 28, 34, 6  # room for the axis labels
LABEL_CHARS = 12  # a longer bar label is cut under the bar (the table and the tooltip have it whole)


@dataclass(frozen=True)
class Bar:
    """One bar (or stacked column): its label, its value per series, and the list it links to."""

    label: str
    values: dict[str, int]
    href: str = ""

    @property
    def total(self) -> int:
        return sum(self.values.values())


@dataclass(frozen=True)
class Series:
    """A series of a chart: its key in `Bar.values`, its name, and its CSS colour class."""

    key: str
    name: str
    css: str


@dataclass(frozen=True)
class Chart:
    """What a chart shows; `svg(chart)` draws it."""

    id: str
    title: str
    bars: list[Bar]
    series: list[Series]
    stacked: bool = True  # False: one value per bar, its series only colours it (no legend, no breakdown)
    unit: str = ""
    label_every: int = 1  # label every n-th bar (30 days do not fit under a phone's width)
    legend: dict[str, str] = field(default_factory=dict)  # series key -> link of its list

    @property
    def empty(self) -> bool:
        return not any(bar.total for bar in self.bars)

    def description(self) -> str:
        """The figures in words, for the SVG's <desc> (what a screen reader says)."""
        parts = []
        for bar in self.bars:
            detail = ", ".join(f"{s.name} {bar.values.get(s.key, 0)}" for s in self.series if bar.values.get(s.key))
            parts.append(f"{bar.label}: {bar.total}" + (f" ({detail})" if detail and self.stacked else ""))
        return "; ".join(parts) or "no data"


def _scale(top: int) -> int:
    """A round axis maximum at or above `top` (1, 2, 5 × 10^n)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= top:
                return step * factor
        step *= 10


def svg(chart: Chart) -> Markup:
    """The chart as inline SVG: bars scaled to a round maximum, gridlines at its half and top, labels below."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = _scale(max((bar.total for bar in chart.bars), default=0) or 1)
    slot = plot_w / max(len(chart.bars), 1)
    bar_w = max(min(slot * 0.7, 48), 2)
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart.id}-title {chart.id}-desc" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{chart.id}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart.id}-desc">{escape(chart.description())}</desc>',
    ]
    for fraction in (0, 0.5, 1) if peak % 2 == 0 else (0, 1):  # whole numbers on the axis
        y = TOP + plot_h * (1 - fraction)
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="axis" x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{peak * fraction:g}</text>')
    for index, bar in enumerate(chart.bars):
        x = LEFT + slot * index + (slot - bar_w) / 2
        y = TOP + plot_h
        shapes = []
        for series in chart.series:
            value = bar.values.get(series.key, 0)
            if not value:
                continue
            height = plot_h * value / peak
            y -= height
            shapes.append(
                f'<rect class="{series.css}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}">'
                f"<title>{escape(bar.label)}: {escape(series.name)} {value}{escape(chart.unit)}</title></rect>"
            )
        if shapes and bar.href:
            out.append(f'<a href="{escape(bar.href)}" aria-label="{escape(bar.label)}: {bar.total}">')
            out.extend(shapes)
            out.append("</a>")
        else:
            out.extend(shapes)
        if index % chart.label_every == 0:
            label = bar.label if len(bar.label) <= LABEL_CHARS else bar.label[: LABEL_CHARS - 1] + "…"
            out.append(
                f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    out.append("</svg>")
    return Markup("".join(out))
