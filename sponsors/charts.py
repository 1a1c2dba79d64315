"""A bar chart of clicks per day as plain SVG geometry, drawn by a template (no JavaScript)."""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 180
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 36, 24, 12


@dataclass
class Bar:
    day: object
    clicks: int
    x: float
    y: float
    width: float
    height: float


def bar_chart(series):
    """Geometry for `series` = [(day, clicks)]; the template turns it into <rect>s."""
    if not series:
        return None
    peak = max(clicks for _, clicks in series) or 1
    plot_width = WIDTH - PAD_LEFT
    plot_height = HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_width / len(series)
    gap = min(2, step * 0.2)
    bars = []
    for i, (day, clicks) in enumerate(series):
        height = plot_height * clicks / peak
        bars.append(
            Bar(
                day=day,
                clicks=clicks,
                x=round(PAD_LEFT + i * step + gap / 2, 2),
                y=round(PAD_TOP + plot_height - height, 2),
                width=round(step - gap, 2),
                height=round(height, 2),
            )
        )
    return {
        "bars": bars,
        "peak": peak,
        "total": sum(clicks for _, clicks in series),
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": HEIGHT - PAD_BOTTOM,
        "top": PAD_TOP,
        "left": PAD_LEFT,
        "first": series[0][0],
        "last": series[-1][0],
    }
