"""Colours of the one stylesheet, checked as WCAG does (issue 18): text on buttons and links on
the page background reach 4.5:1 in light and in dark mode."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parent.parent / "static" / "css" / "site.css").read_text()


def palette(dark):
    """The custom properties of :root, with the dark-mode block's on top when `dark`."""
    light = re.search(r":root\s*{(.*?)}", CSS, re.S)[1]
    values = dict(re.findall(r"--([\w-]+):\s*([^;]+);", light))
    if dark:
        block = re.search(r"prefers-color-scheme:\s*dark\)\s*{\s*:root\s*{(.*?)}", CSS, re.S)[1]
        values.update(re.findall(r"--([\w-]+):\s*([^;]+);", block))
    return values


def luminance(colour):
    colour = colour.strip().lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize(
    ("text", "background"),
    [("on-accent", "accent"), ("on-accent", "accent-hover"), ("link", "bg"), ("text", "bg"),
     ("muted", "bg"), ("muted", "surface"), ("accent", "surface"), ("pending", "surface"),
     ("approved", "surface"), ("rejected", "surface")],
)  # fmt: skip
def test_text_reaches_four_and_a_half_to_one(dark, text, background):
    colours = palette(dark)
    assert "var(--on-accent)" in re.search(r"\nbutton, \.button {[^}]*}", CSS)[0]
    assert contrast(colours[text], colours[background]) >= 4.5, (text, background)
