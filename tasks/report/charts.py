"""The note's charts: matplotlib (Agg) PNGs embedded as base64 data URIs, so the page needs no network.

Axis numbers are written in the note's language by Babel (`1 250 000` with a narrow no-break space and a
decimal comma in French), like the numbers in the text around them."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from babel.numbers import format_decimal  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

INK, ACCENT, MUTED = "#222222", "#1f5f8b", "#9aa5b1"
PANELS_PER_FIGURE = 4  # two rows of two: a figure stays well under an A4 page, so it is never cut in two


def axis_numbers(lang: str) -> FuncFormatter:
    """Tick labels with the language's thousands and decimal separators (Babel's CLDR data)."""
    return FuncFormatter(lambda value, _position: format_decimal(value, locale=lang))


def _data_uri(figure) -> str:
    """Close the figure and return it as an inline PNG."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _sober(axis, lang: str, numbers: str = "y") -> None:
    for which in numbers:
        getattr(axis, f"{which}axis").set_major_formatter(axis_numbers(lang))
    axis.spines[["top", "right"]].set_visible(False)
    axis.tick_params(colors=INK, labelsize=8)
    axis.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    axis.set_axisbelow(True)


def trends(series: Sequence[dict], lang: str = "en") -> list[str]:
    """Small multiples: one panel per indicator, its stored totals across the bi-months so far, drawn
    `PANELS_PER_FIGURE` to a picture so each picture fits on a printed page.

    Each item has `title`, `labels` (periods), `values` (already in display units, None when missing),
    `target` (display units or None) and `percent` (bool).
    """
    return [
        _trend_panels(series[start : start + PANELS_PER_FIGURE], lang)
        for start in range(0, len(series), PANELS_PER_FIGURE)
    ]


def _trend_panels(series: Sequence[dict], lang: str) -> str:
    columns = 2
    rows = max(1, (len(series) + columns - 1) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(9, 2.6 * rows), squeeze=False)
    for axis in axes.flat[len(series) :]:
        axis.set_visible(False)
    for axis, item in zip(axes.flat, series, strict=False):
        heights = [v if v is not None else 0 for v in item["values"]]
        bars = axis.bar(item["labels"], heights, color=ACCENT, width=0.6)
        for bar, value in zip(bars, item["values"], strict=True):
            if value is None:
                bar.set_color(MUTED)
        if item.get("target") is not None:
            axis.axhline(item["target"], color=INK, linestyle="--", linewidth=0.8)
        if item.get("percent"):
            axis.set_ylim(0, max(100, *heights))
        axis.set_title(item["title"], fontsize=9, color=INK, loc="left")
        axis.tick_params(axis="x", rotation=45)
        _sober(axis, lang)
    figure.tight_layout()
    return _data_uri(figure)


def weekly_reach(
    campaigns: dict[str, tuple[list[int], list[float | None]]],
    week_label: str,
    axis_label: str,
    lang: str = "en",
) -> str:
    """Reach (%) per campaign week, one line per campaign; missing weeks are gaps."""
    figure, axis = plt.subplots(figsize=(9, 2.8))
    for name, (weeks, values) in campaigns.items():
        axis.plot(
            weeks,
            [v if v is not None else float("nan") for v in values],
            marker="o",
            markersize=3,
            linewidth=1.2,
            label=name,
        )
    axis.set_ylim(0, 100)
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_xlabel(week_label, fontsize=8)
    axis.set_ylabel(axis_label, fontsize=8)
    axis.legend(fontsize=8, frameon=False)
    _sober(axis, lang)
    return _data_uri(figure)


def portfolio(groups: list[tuple[str, list[str], list[float]]], value_label: str, lang: str = "en") -> str:
    """Gross loan portfolio as horizontal bars, one panel per breakdown (by MFI, by crop)."""
    figure, axes = plt.subplots(
        1, len(groups), figsize=(9, 0.5 + 0.45 * max(len(g[1]) for g in groups)), squeeze=False
    )
    for axis, (title, labels, values) in zip(axes.flat, groups, strict=True):
        axis.barh(labels, values, color=ACCENT, height=0.6)
        axis.set_title(title, fontsize=9, color=INK, loc="left")
        axis.set_xlabel(value_label, fontsize=8)
        _sober(axis, lang, numbers="x")
        axis.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    figure.tight_layout()
    return _data_uri(figure)
