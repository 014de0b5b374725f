"""The Word version's charts as PNG images, drawn by matplotlib from the same specs.

In: a frozen :class:`~planwatch.report.chart.ChartSpec` or
:class:`~planwatch.report.funnel.FunnelSpec`. Out: :func:`png`, the chart as PNG bytes at
:data:`PNG_DPI`. The report's SVG (HTML and PDF) is written directly by
:mod:`planwatch.report.svg` to the same layout (its constants are used here): figure
size, margins, marks, line styles, ticks, labels and legend. Imported only when a PNG is
drawn (matplotlib is slow to import).
"""

from __future__ import annotations

import io
import math
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from planwatch import formatting as fmt
from planwatch.narrative.templates import RATE_DECIMALS
from planwatch.report import palette
from planwatch.report.chart import ChartSpec, EventLine
from planwatch.report.funnel import X_LABEL, Y_LABEL, FunnelSpec, limits_legend
from planwatch.report.svg import (
    CHAR_EM,
    EVENT_LABEL_FROM,
    FIGURE_SIZE,
    FONT_SIZE,
    FUNNEL_X_MARGIN,
    FUNNEL_Y_MARGIN,
    LEGEND_PAD_PT,
    LEGEND_ROW_PT,
    MAX_MARKED_PERIODS,
    PLOT_HEIGHT_PT,
    POINTS_PER_INCH,
    RIGHT_PT,
    SMALL_FONT_SIZE,
    TICK_PT,
    TOP_PT,
    X_LABELS_PT,
    X_TITLE_PT,
    Y_TITLE_PT,
    fitted,
    legend_columns,
    tick_decimals,
)

#: Resolution of the PNG charts in the Word version: 1,005 pixels across the 6.7 in text
#: width, sharp in print and on screen; 200 dpi took a third longer to draw and to convert.
PNG_DPI = 150
PNG_OPTIONS: Any = {"format": "png", "dpi": PNG_DPI, "metadata": {"Software": None}}


def png(spec: ChartSpec | FunnelSpec) -> bytes:
    """The chart as a PNG image (the Word version of the report)."""
    buf = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=FIGURE_SIZE)
        ax = fig.add_subplot()
        if isinstance(spec, FunnelSpec):
            _draw_funnel(ax, spec)
        else:
            _draw(ax, spec)
        _lay_out(fig, ax)
        fig.savefig(buf, **PNG_OPTIONS)
    return buf.getvalue()


RC: Any = {  # matplotlib rcParams (typed as Any: its stubs want literal keys)
    "font.family": ["DejaVu Sans"],
    "font.size": FONT_SIZE,
    "axes.edgecolor": palette.TEXT,
    "text.color": palette.TEXT,
    "xtick.color": palette.TEXT,
    "ytick.color": palette.TEXT,
}


def _lay_out(fig: Figure, ax: Axes) -> None:
    """Margins from the tick labels and legend, the legend below the axes; no second draw."""
    width_pt = FIGURE_SIZE[0] * POINTS_PER_INCH
    labels = ax.get_legend_handles_labels()[1]
    ncol = legend_columns(labels, width_pt)
    rows = -(-len(labels) // ncol) if labels else 0
    legend_pt = rows * LEGEND_ROW_PT + (LEGEND_PAD_PT if rows else 0.0)
    height_pt = FIGURE_SIZE[1] * POINTS_PER_INCH + max(rows - 1, 0) * LEGEND_ROW_PT
    fig.set_size_inches(FIGURE_SIZE[0], height_pt / POINTS_PER_INCH)
    low, high = ax.get_ylim()
    formatter = ax.yaxis.get_major_formatter()
    ticks = [t for t in ax.get_yticks() if low <= t <= high]
    y_labels_pt = max((len(formatter(t, 0)) * CHAR_EM * FONT_SIZE for t in ticks), default=0.0)
    left_pt = Y_TITLE_PT + y_labels_pt + TICK_PT
    bottom_pt = X_LABELS_PT + legend_pt + (X_TITLE_PT if ax.get_xlabel() else 0.0)
    fig.subplots_adjust(
        left=left_pt / width_pt,
        right=1 - RIGHT_PT / width_pt,
        top=1 - TOP_PT / height_pt,
        bottom=bottom_pt / height_pt,
    )
    if labels:
        ax.legend(
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            bbox_transform=fig.transFigure,
            ncol=ncol,
            frameon=False,
            fontsize=SMALL_FONT_SIZE,
        )


def _nan(values: tuple[float | None, ...]) -> list[float]:
    return [math.nan if v is None else v for v in values]


def _draw(ax: Axes, spec: ChartSpec) -> None:
    x = list(range(len(spec.labels)))
    if spec.band_low:
        ax.fill_between(
            x,
            _nan(spec.band_low),
            _nan(spec.band_high),
            color=palette.TREND_BAND,
            alpha=0.35,
            linewidth=0,
        )
    if spec.trend:
        ax.plot(
            x,
            _nan(spec.trend),
            color=palette.TREND,
            linewidth=1.3,
            linestyle="--",
            label=spec.trend_label,
        )
    if spec.limits is not None:
        _draw_limits(ax, spec)
    ax.plot(
        x,
        _nan(spec.values),
        color=palette.SERIES,
        linewidth=1.8,
        marker="o" if len(x) <= MAX_MARKED_PERIODS else None,
        markersize=2.8,
        label=spec.title,
    )
    if len(x) > MAX_MARKED_PERIODS:
        _draw_isolated(ax, spec)
    if spec.intervals:
        _draw_intervals(ax, spec)
    _draw_latest(ax, spec)
    _style_axes(ax, spec)
    for event in spec.events:
        _draw_event(ax, event)
    if spec.suspect:
        _draw_suspect(ax, spec)


def _draw_suspect(ax: Axes, spec: ChartSpec) -> None:
    """Held-out values are marked but do not set the axis: one drawn outside the range of
    the rest sits at the edge as an arrow, labelled with its value."""
    low, high = ax.get_ylim()
    ax.set_ylim(low, high)  # fixed: the held-out points must not rescale it
    inside = [(i, v) for i, v in spec.suspect if low <= v <= high]
    ax.plot(
        [i for i, _ in inside] or [math.nan],
        [v for _, v in inside] or [math.nan],
        linestyle="none",
        marker="o",
        markerfacecolor="white",
        markeredgecolor=palette.SUSPECT,
        markersize=5,
        label="Held out (probable error)",
    )
    for i, v in spec.suspect:
        if low <= v <= high:
            continue
        above = v > high
        edge = high if above else low
        ax.plot(
            [i], [edge], linestyle="none", marker="^" if above else "v", markersize=6,
            color=palette.SUSPECT, clip_on=False,
        )  # fmt: skip
        ax.annotate(
            f"{fmt.value(v, spec.unit, spec.decimals)} (held out, off the scale)",
            (i, edge),
            xytext=(6, -10 if above else 4),
            textcoords="offset points",
            ha="left" if i < len(spec.labels) / 2 else "right",
            fontsize=SMALL_FONT_SIZE,
            color=palette.TEXT,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
        )


def _draw_isolated(ax: Axes, spec: ChartSpec) -> None:
    """A value with gaps on both sides has no line to sit on: mark it."""
    values = spec.values
    lone = [
        i
        for i, v in enumerate(values)
        if v is not None
        and (i == 0 or values[i - 1] is None)
        and (i == len(values) - 1 or values[i + 1] is None)
    ]
    if lone:
        ax.plot(
            lone,
            _nan(tuple(values[i] for i in lone)),
            linestyle="none",
            marker="o",
            markersize=2.8,
            color=palette.SERIES,
        )


def _draw_limits(ax: Axes, spec: ChartSpec) -> None:
    assert spec.limits is not None
    ax.axhline(spec.limits.mean, color=palette.SPC, linewidth=1.0, label="Mean")
    ax.axhline(
        spec.limits.upper,
        color=palette.SPC,
        linewidth=1.0,
        linestyle="-.",
        label=spec.limits.legend,
    )
    ax.axhline(spec.limits.lower, color=palette.SPC, linewidth=1.0, linestyle="-.")


def _draw_intervals(ax: Axes, spec: ChartSpec) -> None:
    points = [
        (i, v, ci)
        for i, (v, ci) in enumerate(zip(spec.values, spec.intervals, strict=True))
        if v is not None and ci
    ]
    if not points:
        return
    ax.errorbar(
        [i for i, _, _ in points],
        [v for _, v, _ in points],
        yerr=[[v - ci[0] for _, v, ci in points], [ci[1] - v for _, v, ci in points]],
        linestyle="none",
        color=palette.SERIES,
        elinewidth=0.9,
        capsize=2.5,
        label="95% confidence interval",
    )


def _draw_latest(ax: Axes, spec: ChartSpec) -> None:
    i = spec.latest_index
    v = spec.values[i] if i is not None else None
    if i is None or v is None:
        return
    ax.plot(
        [i],
        [v],
        linestyle="none",
        marker="o",
        markersize=7,
        color=palette.LATEST,
        label=f"Latest ({spec.labels[i]})",
        zorder=5,
    )
    ax.annotate(
        fmt.value(v, spec.unit, spec.decimals),
        (i, v),
        xytext=(0, 8),
        textcoords="offset points",
        ha="center",
        fontsize=FONT_SIZE,
        fontweight="bold",
        color=palette.TEXT,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
    )


def _draw_event(ax: Axes, event: EventLine) -> None:
    colour = palette.BREAK if event.breaks_comparability else palette.EVENT
    style = "-" if event.breaks_comparability else ":"
    ax.axvline(event.x, color=colour, linewidth=1.4, linestyle=style)
    label = f"{event.label} (series break)" if event.breaks_comparability else event.label
    right_half = event.x > (ax.get_xlim()[0] + ax.get_xlim()[1]) / 2
    ax.text(
        event.x - 0.25 if right_half else event.x + 0.25,
        EVENT_LABEL_FROM,
        fitted(label, PLOT_HEIGHT_PT * (1 - 2 * EVENT_LABEL_FROM)),
        transform=blended_transform_factory(ax.transData, ax.transAxes),
        rotation=90,
        va="bottom",
        ha="right" if right_half else "left",
        clip_on=True,
        fontsize=SMALL_FONT_SIZE,
        color=palette.EVENT,  # label text stays dark grey for contrast; the line carries the colour
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
    )


def _style_axes(ax: Axes, spec: ChartSpec) -> None:
    ax.set_xticks(
        [i for i, _ in spec.ticks], [label for _, label in spec.ticks], fontsize=SMALL_FONT_SIZE
    )
    ax.set_xlim(-0.5, len(spec.labels) - 0.5)
    ax.set_ylabel(spec.axis_title)
    if spec.whole_numbers:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _pos: fmt.value(v, spec.unit, tick_decimals(v)))
    )
    if spec.y_from_zero:
        ax.set_ylim(bottom=0)
    top = ax.get_ylim()[1]
    ax.set_ylim(top=top * 1.06 if top > 0 else top)  # room for the latest value's label
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color=palette.GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def _draw_funnel(ax: Axes, spec: FunnelSpec) -> None:
    """Forces' rates against their population, the average and the control limits."""
    x = spec.curve_population
    if x:
        limits = (
            (limits_legend(spec, "99.8%"), spec.lower_998, spec.upper_998, palette.SPC, "-."),
            (limits_legend(spec, "95%"), spec.lower_95, spec.upper_95, palette.EVENT, ":"),
        )
        for label, low, high, colour, style in limits:
            ax.plot(x, high, color=colour, linewidth=1.1, linestyle=style, label=label)
            ax.plot(x, low, color=colour, linewidth=1.1, linestyle=style)
    ax.axhline(
        spec.overall,
        color=palette.TREND,
        linewidth=1.0,
        label=f"Average ({fmt.number(spec.overall, RATE_DECIMALS)} per 1,000)",
    )
    others = [m for m in spec.points if not m.focus]
    if others:
        ax.plot(
            [m.population for m in others],
            [m.rate for m in others],
            linestyle="none",
            marker="o",
            markersize=5,
            color=palette.SERIES,
            label="Other forces",
        )
    for mark in spec.points:
        if mark.focus:
            ax.plot(
                [mark.population],
                [mark.rate],
                linestyle="none",
                marker="D",
                markersize=7,
                color=palette.LATEST,
                label=mark.area,
                zorder=5,
            )
        if mark.focus or spec.named:
            ax.annotate(
                mark.area,
                (mark.population, mark.rate),
                xytext=(6, 4),
                textcoords="offset points",
                fontsize=SMALL_FONT_SIZE,
                fontweight="bold" if mark.focus else "normal",
                color=palette.TEXT,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
            )
    _style_funnel_axes(ax, spec)


def _style_funnel_axes(ax: Axes, spec: FunnelSpec) -> None:
    populations = [m.population for m in spec.points] + list(spec.curve_population)
    ax.set_xlim(0, max(populations) * FUNNEL_X_MARGIN)
    ax.margins(y=FUNNEL_Y_MARGIN)  # rates zoom in on the points and limits, as percentages do
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v, tick_decimals(v))))
    ax.tick_params(axis="x", labelsize=SMALL_FONT_SIZE)
    ax.set_xlabel(X_LABEL, fontsize=SMALL_FONT_SIZE)
    ax.set_ylabel(Y_LABEL)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color=palette.GRID, linewidth=0.6)
    ax.set_axisbelow(True)
