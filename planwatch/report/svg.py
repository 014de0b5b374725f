"""Charts as SVG, written directly from their spec: an inline, labelled, lean ``<svg>``.

In: a frozen :class:`~planwatch.report.chart.ChartSpec` or
:class:`~planwatch.report.funnel.FunnelSpec` (every number, label and line is worked out
there), an id prefix. Out: :func:`chart_svg`, an ``<svg>`` element to inline in HTML (and
to hand WeasyPrint for the PDF) sized by CSS, labelled by a ``<title>`` with the chart's
alt text, text kept as text, colours and styles as presentation attributes (no inline
styles: the web app's content security policy), deterministic.

The picture is the one matplotlib drew for the report until issue 17 (and still draws for
the Word version's PNG images, :mod:`planwatch.report.raster`): the same figure size,
margins, marks, line styles, ticks (matplotlib's own tick-placing rule, :func:`nice_ticks`),
labels and legend. Writing it directly takes about a millisecond a chart instead of about
60 (matplotlib built every axis and tick object afresh for each chart), and gives
WeasyPrint fewer elements to paint: each set of marks drawn alike is one path, and a
filled dot is a round-capped point of no length (SVG 2 and PDF both paint it as a disc).
See docs/performance.md.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from planwatch import formatting as fmt
from planwatch.narrative.templates import RATE_DECIMALS
from planwatch.report import palette
from planwatch.report.chart import ChartSpec, EventLine
from planwatch.report.funnel import X_LABEL, Y_LABEL, FunnelSpec, limits_legend

# ------------------------------------------------------------------------------ layout
#: Figure size in inches: the text width of an A4 page with 20 mm margins is about 6.7 in.
#: The height grows by one legend row for each row of the legend beyond the first.
FIGURE_SIZE = (6.7, 3.1)
#: Mark each point only on shorter series: on long ones markers crowd the line and each
#: one is something to draw (PDF time; see docs/performance.md). Gaps still show.
MAX_MARKED_PERIODS = 36
FONT_SIZE = 8.0
SMALL_FONT_SIZE = 7.0
POINTS_PER_INCH = 72.0
#: Widths used to choose the legend's columns and the margins: an estimate for DejaVu Sans,
#: whose characters average at most about 0.62 em (digits 0.64 em); sizes in points.
CHAR_EM = 0.64
TOP_PT = 10.0
RIGHT_PT = 22.0  # room for half of the last period label
Y_TITLE_PT = 16.0  # the y-axis title (8 pt) with a 4 pt pad and a margin
TICK_PT = 7.0  # tick length plus pad (3.5 + 3.5, matplotlib's defaults)
TICK_LENGTH_PT = 3.5
X_LABELS_PT = TICK_PT + 1.2 * SMALL_FONT_SIZE + 6.0  # tick, label line, gap above the legend
X_TITLE_PT = 1.2 * FONT_SIZE + 2.0  # an x-axis title (funnel plots): one line and a gap
LEGEND_ROW_PT = 1.7 * SMALL_FONT_SIZE  # line height 1.2 em plus label spacing 0.5 em
LEGEND_PAD_PT = 6.0  # border padding above and below the legend rows
LEGEND_COLUMNS = 3
LEGEND_HANDLE_PT = 4.8 * SMALL_FONT_SIZE  # handle 2 em, text pad 0.8 em, column gap 2 em
#: Where the legend's rows sit (matplotlib's legend: rows 1.5 em apart, the last row's
#: middle this far above the figure's foot, a handle 2 em long, its text 0.8 em after it,
#: columns 2 em apart).
LEGEND_ROW_STEP_PT = 1.5 * SMALL_FONT_SIZE
LEGEND_FOOT_PT = 10.43
LEGEND_LINE_PT = 2.0 * SMALL_FONT_SIZE
LEGEND_TEXT_PAD_PT = 0.8 * SMALL_FONT_SIZE
LEGEND_GAP_PT = 2.0 * SMALL_FONT_SIZE
#: Room right of the largest population on a funnel plot's axis (for the area's name).
FUNNEL_X_MARGIN = 1.05
FUNNEL_Y_MARGIN = 0.1  # fraction of the data's range above and below
#: matplotlib's default margin: the data's range is widened by this fraction each side.
AXIS_MARGIN = 0.05
#: A series of one value is given a range this fraction of it either side (matplotlib's).
FLAT_SPREAD = 0.05
#: Room above the highest value for the latest value's label (a fraction of the top).
TOP_ROOM = 1.06
#: Event labels start this far up the plot (a fraction of its height) and stay inside it.
EVENT_LABEL_FROM = 0.03
EVENT_LABEL_LINES = 2
#: The plot's height at least (a legend of two rows below it): what an event label may span.
PLOT_HEIGHT_PT = (
    FIGURE_SIZE[1] * POINTS_PER_INCH - TOP_PT - X_LABELS_PT - 2 * LEGEND_ROW_PT - LEGEND_PAD_PT
)
LINE_SPACING = 1.2  # lines of a multi-line label, in em

# DejaVu Sans (the report's font) advance widths in 1/2048 em, from its hmtx table, for
# the characters charts print (others count as the widest digit): labels are placed and
# boxed from these, as matplotlib did from the font itself.
_ASCII = "".join(chr(c) for c in range(32, 127)) + "−…–’£é"
_REGULAR = (
    "651 821 942 1716 1303 1946 1597 563 799 799 1024 1716 651 739 651 690 1303 1303 1303 1303 "
    "1303 1303 1303 1303 1303 1303 690 690 1716 1716 1716 1087 2048 1401 1405 1430 1577 1294 "
    "1178 1587 1540 604 604 1343 1141 1767 1532 1612 1235 1612 1423 1300 1251 1499 1401 2025 "
    "1403 1251 1403 799 690 799 1716 1024 1024 1255 1300 1126 1300 1260 721 1300 1298 569 569 "
    "1186 569 1995 1298 1253 1300 1300 842 1067 803 1298 1212 1675 1212 1212 1075 1303 690 1303 "
    "1716 1716 2048 1024 651 1303 1260"
)
_BOLD = (
    "713 934 1067 1716 1425 2052 1786 627 936 936 1071 1716 778 850 778 748 1425 1425 1425 1425 "
    "1425 1425 1425 1425 1425 1425 819 819 1716 1716 1716 1188 2048 1585 1561 1503 1700 1399 "
    "1399 1681 1714 762 762 1587 1305 2038 1714 1741 1501 1741 1577 1475 1397 1663 1585 2259 "
    "1579 1483 1485 936 748 936 1716 1024 1024 1382 1466 1214 1466 1389 891 1466 1458 702 702 "
    "1362 702 2134 1458 1407 1466 1466 1010 1219 979 1458 1335 1892 1321 1335 1192 1458 748 1458 "
    "1716 1716 2048 1024 778 1425 1389"
)
_UNITS_PER_EM = 2048
_WIDTHS = {
    False: dict(zip(_ASCII, (int(w) for w in _REGULAR.split()), strict=True)),
    True: dict(zip(_ASCII, (int(w) for w in _BOLD.split()), strict=True)),
}
#: DejaVu Sans's ascent (cap and figure height with line gap) and descent, in em, as the
#: label boxes use them.
ASCENT_EM = 0.755
DESCENT_EM = 0.236
#: A label's white box reaches this far (points) beyond its text.
BOX_PAD_PT = 1.0


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width of ``text`` in points at ``size`` in DejaVu Sans."""
    widths = _WIDTHS[bold]
    wide = widths["0"]
    return sum(widths.get(c, wide) for c in text) * size / _UNITS_PER_EM


def _text_pt(text: str, size: float) -> float:
    return len(text) * CHAR_EM * size


def legend_columns(labels: Sequence[str], width_pt: float) -> int:
    """As many columns (up to three) as fit across the figure."""
    for ncol in range(min(LEGEND_COLUMNS, max(len(labels), 1)), 1, -1):
        widths = [
            max(_text_pt(label, SMALL_FONT_SIZE) for label in labels[c::ncol]) + LEGEND_HANDLE_PT
            for c in range(ncol)
        ]
        if sum(widths) <= width_pt:
            return ncol
    return 1


def fitted(label: str, room_pt: float) -> str:
    """An event label broken into lines (at most EVENT_LABEL_LINES) that fit ``room_pt``
    along the rotated text; the last line is shortened with an ellipsis if need be."""
    per_line = max(int(room_pt / (CHAR_EM * SMALL_FONT_SIZE)), 8)
    lines = textwrap.wrap(label, per_line)
    if len(lines) > EVENT_LABEL_LINES:
        lines = lines[:EVENT_LABEL_LINES]
        lines[-1] = lines[-1][: per_line - 1].rstrip() + "…"
    return "\n".join(lines)


def tick_decimals(v: float) -> int:
    return 0 if float(v).is_integer() else 1


# ------------------------------------------------------------------------------ ticks

#: matplotlib's AutoLocator steps, and MaxNLocator's default steps (whole-number axes).
AUTO_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
DEFAULT_STEPS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
MAX_AUTO_BINS = 9
DEFAULT_BINS = 10
MIN_TICKS = 2


def nice_ticks(
    low: float, high: float, bins: int, steps: Sequence[float], *, integer: bool = False
) -> list[float]:
    """Tick values between ``low`` and ``high`` at a round step, at most ``bins`` steps
    apart: matplotlib's ``MaxNLocator`` rule (``_raw_ticks``), so the axes read as they
    did when matplotlib drew them (tested against it)."""
    if high < low:
        low, high = high, low
    if high - low <= 1e-14 * max(abs(low), abs(high)):  # matplotlib's _nonsingular
        if low == high == 0:
            low, high = -1e-13, 1e-13
        else:
            low, high = low - 1e-13 * abs(low), high + 1e-13 * abs(high)
    span = abs(high - low)
    mean = (high + low) / 2
    offset = (
        0.0 if abs(mean) / span < 100 else math.copysign(10 ** (math.log10(abs(mean)) // 1), mean)
    )
    scale = 10 ** (math.log10(span / bins) // 1)
    vmin, vmax = low - offset, high - offset
    staircase = [0.1 * s for s in steps[:-1]] + list(steps) + [10 * steps[1]]
    scaled = [s * scale for s in staircase]
    if integer:
        scaled = [s for s in scaled if s < 1 or abs(s - round(s)) < 0.001]
    raw = (vmax - vmin) / bins
    large = [i for i, s in enumerate(scaled) if s >= raw]
    top = large[0] if large else len(scaled) - 1
    ticks: list[float] = []
    for step in reversed(scaled[: top + 1]):
        if integer and math.floor(vmax) - math.ceil(vmin) >= MIN_TICKS - 1:
            step = max(1.0, step)
        best = (vmin // step) * step
        first = _edge(vmin - best, step, offset, below=True)
        last = _edge(vmax - best, step, offset, below=False)
        ticks = [k * step + best for k in range(int(first), int(last) + 1)]
        if sum(1 for t in ticks if vmin <= t <= vmax) >= MIN_TICKS:
            break
    return [t + offset for t in ticks]


def _edge(x: float, step: float, offset: float, *, below: bool) -> float:
    """The largest n with n * step <= x (``below``) or the smallest with n * step >= x,
    allowing for rounding (matplotlib's ``_Edge_integer``)."""
    slack = 10 ** (math.log10(abs(offset) / step) - 12) if offset else 0.0
    tol = min(0.4999, max(1e-10, slack))
    d, m = divmod(x, step)
    if below:
        return d + 1 if abs(m / step - 1) < tol else d
    return d if abs(m / step) < tol else d + 1


def _visible(ticks: Iterable[float], low: float, high: float) -> list[float]:
    slack = 1e-10 * (high - low)
    return [t for t in ticks if low - slack <= t <= high + slack]


# ------------------------------------------------------------------------------ writing


def _n(v: float) -> str:
    """A coordinate to two decimals (a hundredth of a point), shortest form."""
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _dashes(style: str, width: float) -> str:
    """matplotlib's dash patterns (``lines.*_pattern``), scaled by the line's width."""
    pattern = {"--": (3.7, 1.6), "-.": (6.4, 1.6, 1.0, 1.6), ":": (1.0, 1.65)}.get(style)
    if pattern is None:
        return ' stroke-linecap="square"'  # a solid line's projecting caps
    return f' stroke-dasharray="{",".join(_n(p * width) for p in pattern)}"'


@dataclass(frozen=True)
class _Entry:
    """One legend entry: its label and how its handle is drawn."""

    label: str
    colour: str
    width: float = 0.0  # line width; 0: no line
    style: str = "-"
    marker: str = ""  # "o" dot, "O" open circle, "D" diamond, "|" an error bar
    size: float = 0.0


class _Canvas:
    """An SVG being written: a plot area mapped from data to points."""

    def __init__(self, height: float, legend_rows: int, x_title: bool, *, for_pdf: bool) -> None:
        self.for_pdf = for_pdf
        self.width = FIGURE_SIZE[0] * POINTS_PER_INCH
        self.height = height
        self.bottom = height - (
            X_LABELS_PT
            + (legend_rows * LEGEND_ROW_PT + LEGEND_PAD_PT if legend_rows else 0.0)
            + (X_TITLE_PT if x_title else 0.0)
        )
        self.top = TOP_PT
        self.right = self.width - RIGHT_PT
        self.left = 0.0  # set once the value axis' labels are known
        self.x_range = (0.0, 1.0)
        self.y_range = (0.0, 1.0)
        self.out: list[str] = []

    def x(self, v: float) -> float:
        low, high = self.x_range
        return self.left + (v - low) / (high - low) * (self.right - self.left)

    def y(self, v: float) -> float:
        low, high = self.y_range
        return self.bottom - (v - low) / (high - low) * (self.bottom - self.top)

    def path(self, d: str, attributes: str) -> None:
        if d:
            self.out.append(f'<path d="{d}"{attributes}/>')

    def line(self, points: Iterable[tuple[float, float] | None], colour: str, width: float,
             style: str = "-") -> None:  # fmt: skip
        """A line through data points, broken where a point is ``None``."""
        self.path(
            _polyline([None if p is None else (self.x(p[0]), self.y(p[1])) for p in points]),
            f' fill="none" stroke="{colour}" stroke-width="{_n(width)}"{_dashes(style, width)}',
        )

    def dots(self, points: Iterable[tuple[float, float]], colour: str, size: float) -> None:
        """Filled circle markers of diameter ``size`` (an outline of 1 pt included)."""
        d = " ".join(
            f"M {_n(self.x(a))} {_n(self.y(b))} L {_n(self.x(a))} {_n(self.y(b))}"
            for a, b in points
        )
        self.path(d, _dot_attributes(colour, size))

    def text(self, x: float, y: float, text: str, *, size: float = FONT_SIZE,
             anchor: str = "start", bold: bool = False, colour: str = palette.TEXT,
             rotate: bool = False) -> None:  # fmt: skip
        start, anchor_attribute = self.placed(x, text, size, anchor, bold=bold)
        attributes = f' font-size="{_n(size)}"{anchor_attribute}'
        if bold:
            attributes += ' font-weight="700"'
        if colour != palette.TEXT:
            attributes += f' fill="{colour}"'
        if rotate:  # reads upwards, turned about its anchor
            attributes += f' transform="rotate(-90 {_n(x)} {_n(y)})"'
        self.out.append(f'<text x="{_n(start)}" y="{_n(y)}"{attributes}>{_escape(text)}</text>')

    def placed(self, x: float, text: str, size: float, anchor: str, *,
               bold: bool = False) -> tuple[float, str]:  # fmt: skip
        """Where a label anchored at ``x`` is written, and its ``text-anchor`` attribute.

        For the PDF a label is written from where it starts, found from DejaVu Sans's
        widths (:func:`text_width`): WeasyPrint draws every text with a ``text-anchor``
        other than ``start`` as a PDF group of its own, measured and placed afresh
        (docs/performance.md). The screen keeps ``text-anchor``: a browser without
        DejaVu Sans uses another font, of other widths."""
        if anchor == "start":
            return x, ""
        if not self.for_pdf:
            return x, f' text-anchor="{anchor}"'
        width = text_width(text, size, bold=bold)
        return x - (width / 2 if anchor == "middle" else width), ""

    def boxed_text(self, x: float, y: float, text: str, *, size: float, anchor: str,
                   bold: bool = False, opacity: float = 0.85) -> None:  # fmt: skip
        """A label on a white box (``x``, ``y``: where its baseline starts, ends or centres)."""
        width = text_width(text, size, bold=bold)
        start = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        self.box(start, y - ASCENT_EM * size, width, (ASCENT_EM + DESCENT_EM) * size, opacity)
        self.text(x, y, text, size=size, anchor=anchor, bold=bold)

    def box(self, x: float, y: float, width: float, height: float, opacity: float) -> None:
        p = BOX_PAD_PT
        self.out.append(
            f'<rect x="{_n(x - p)}" y="{_n(y - p)}" width="{_n(width + 2 * p)}" '
            f'height="{_n(height + 2 * p)}" fill="#ffffff" opacity="{opacity}"/>'
        )


def _dot_attributes(colour: str, size: float) -> str:
    return f' fill="none" stroke="{colour}" stroke-width="{_n(size + 1.0)}" stroke-linecap="round"'


def _polyline(points: Sequence[tuple[float, float] | None]) -> str:
    out: list[str] = []
    pen = False
    for p in points:
        if p is None:
            pen = False
            continue
        out.append(f"{'L' if pen else 'M'} {_n(p[0])} {_n(p[1])}")
        pen = True
    return " ".join(out)


def _with_margin(low: float, high: float, margin: float) -> tuple[float, float]:
    if high == low:  # one value: 5% either side of it (matplotlib's Locator.nonsingular)
        spread = FLAT_SPREAD * abs(low) if low else FLAT_SPREAD
        low, high = low - spread, high + spread
    pad = (high - low) * margin
    return low - pad, high + pad


def _value_axis(
    canvas: _Canvas, low: float, high: float, label: Callable[[float], str], *, integer: bool
) -> list[tuple[float, str]]:
    """The value axis' ticks and their labels for the plot's final height; sets the left
    margin from the widest label (estimated as for the legend)."""
    if integer:
        ticks = nice_ticks(low, high, DEFAULT_BINS, DEFAULT_STEPS, integer=True)
    else:
        space = int((canvas.bottom - canvas.top) // (2 * FONT_SIZE))
        ticks = nice_ticks(low, high, max(1, min(space, MAX_AUTO_BINS)), AUTO_STEPS)
    labelled = [(t, label(t)) for t in _visible(ticks, low, high)]
    widest = max((_text_pt(text, FONT_SIZE) for _, text in labelled), default=0.0)
    canvas.left = Y_TITLE_PT + widest + TICK_PT
    return labelled


def _axes(
    canvas: _Canvas,
    y_ticks: Sequence[tuple[float, str]],
    x_ticks: Sequence[tuple[float, str]],
    y_title: str,
    x_title: str = "",
) -> None:
    """Grid lines, the left and bottom axis lines, ticks, their labels and the titles."""
    c = canvas
    grid = " ".join(f"M {_n(c.left)} {_n(c.y(v))} L {_n(c.right)} {_n(c.y(v))}" for v, _ in y_ticks)
    c.path(grid, f' fill="none" stroke="{palette.GRID}" stroke-width="0.6" stroke-linecap="square"')
    marks = [
        f"M {_n(c.left)} {_n(c.y(v))} L {_n(c.left - TICK_LENGTH_PT)} {_n(c.y(v))}"
        for v, _ in y_ticks
    ] + [
        f"M {_n(c.x(v))} {_n(c.bottom)} L {_n(c.x(v))} {_n(c.bottom + TICK_LENGTH_PT)}"
        for v, _ in x_ticks
    ]
    c.path(" ".join(marks), f' fill="none" stroke="{palette.TEXT}" stroke-width="0.8"')
    c.path(
        f"M {_n(c.left)} {_n(c.bottom)} L {_n(c.left)} {_n(c.top)} "
        f"M {_n(c.left)} {_n(c.bottom)} L {_n(c.right)} {_n(c.bottom)}",
        f' fill="none" stroke="{palette.TEXT}" stroke-width="0.8" stroke-linecap="square"',
    )
    _labels(c, [(c.left - TICK_PT, c.y(v) + 0.38 * FONT_SIZE, t) for v, t in y_ticks],
            FONT_SIZE, "end")  # fmt: skip
    baseline = c.bottom + TICK_PT + 0.76 * SMALL_FONT_SIZE
    _labels(c, [(c.x(v), baseline, t) for v, t in x_ticks], SMALL_FONT_SIZE, "middle")
    widest = max((text_width(text, FONT_SIZE) for _, text in y_ticks), default=0.0)
    title_x = c.left - TICK_PT - widest - 4.0 - DESCENT_EM * FONT_SIZE
    c.text(title_x, (c.top + c.bottom) / 2, y_title, anchor="middle", rotate=True)
    if x_title:
        c.text((c.left + c.right) / 2, c.bottom + 23.32, x_title, size=SMALL_FONT_SIZE,
               anchor="middle")  # fmt: skip


def _labels(c: _Canvas, labels: Iterable[tuple[float, float, str]], size: float,
            anchor: str) -> None:  # fmt: skip
    """An axis' tick labels: one group sets their size (and, on screen, their anchor)."""
    _, group_anchor = c.placed(0.0, "", size, anchor)
    c.out.append(f'<g font-size="{_n(size)}"{group_anchor}>')
    for x, y, text in labels:
        start = c.placed(x, text, size, anchor)[0] if c.for_pdf else x
        c.out.append(f'<text x="{_n(start)}" y="{_n(y)}">{_escape(text)}</text>')
    c.out.append("</g>")


def _legend(canvas: _Canvas, entries: Sequence[_Entry], ncol: int) -> None:
    """The legend below the plot: entries in columns (filled a column at a time, as
    matplotlib fills them), centred across the figure."""
    if not entries:
        return
    c = canvas
    rows = -(-len(entries) // ncol)
    columns = _split(list(entries), ncol)
    widths = [
        LEGEND_LINE_PT + LEGEND_TEXT_PAD_PT + max(text_width(e.label, SMALL_FONT_SIZE) for e in col)
        for col in columns
    ]
    x = (c.width - sum(widths) - LEGEND_GAP_PT * (len(columns) - 1)) / 2
    c.out.append(f'<g font-size="{_n(SMALL_FONT_SIZE)}">')
    for column, width in zip(columns, widths, strict=True):
        for row, entry in enumerate(column):
            y = c.height - LEGEND_FOOT_PT - (rows - 1 - row) * LEGEND_ROW_STEP_PT
            _handle(c, entry, x, y)
            c.out.append(
                f'<text x="{_n(x + LEGEND_LINE_PT + LEGEND_TEXT_PAD_PT)}" '
                f'y="{_n(y + 0.35 * SMALL_FONT_SIZE)}">{_escape(entry.label)}</text>'
            )
        x += width + LEGEND_GAP_PT
    c.out.append("</g>")


def _split(items: list[_Entry], parts: int) -> list[list[_Entry]]:
    """``numpy.array_split``: the first ``len % parts`` parts one longer."""
    size, extra = divmod(len(items), parts)
    out, at = [], 0
    for i in range(parts):
        n = size + (1 if i < extra else 0)
        if n:
            out.append(items[at : at + n])
        at += n
    return out


def _handle(c: _Canvas, e: _Entry, x: float, y: float) -> None:
    middle = x + LEGEND_LINE_PT / 2
    if e.width:
        c.path(
            f"M {_n(x)} {_n(y)} L {_n(x + LEGEND_LINE_PT)} {_n(y)}",
            f' fill="none" stroke="{e.colour}" stroke-width="{_n(e.width)}"{_dashes(e.style, e.width)}',
        )
    if e.marker == "o":
        c.path(f"M {_n(middle)} {_n(y)} L {_n(middle)} {_n(y)}", _dot_attributes(e.colour, e.size))
    elif e.marker == "O":
        _open_circles(c, [(middle, y)], e.colour, e.size)
    elif e.marker == "D":
        _diamonds(c, [(middle, y)], e.colour, e.size)
    elif e.marker == "|":
        half = 0.35 * SMALL_FONT_SIZE
        _error_bars(c, [(middle, y - half, y + half)], e.colour)


def _open_circles(
    c: _Canvas, points: Iterable[tuple[float, float]], colour: str, size: float
) -> None:
    r = size / 2
    d = " ".join(
        f"M {_n(x - r)} {_n(y)} A {_n(r)} {_n(r)} 0 1 0 {_n(x + r)} {_n(y)} "
        f"A {_n(r)} {_n(r)} 0 1 0 {_n(x - r)} {_n(y)} z"
        for x, y in points
    )
    c.path(d, f' fill="#ffffff" stroke="{colour}"')


def _diamonds(c: _Canvas, points: Iterable[tuple[float, float]], colour: str, size: float) -> None:
    h = size * math.sqrt(0.5)
    d = " ".join(
        f"M {_n(x)} {_n(y + h)} L {_n(x + h)} {_n(y)} L {_n(x)} {_n(y - h)} L {_n(x - h)} {_n(y)} z"
        for x, y in points
    )
    c.path(d, f' fill="{colour}" stroke="{colour}" stroke-linejoin="miter"')


def _triangles(
    c: _Canvas, points: Iterable[tuple[float, float, bool]], colour: str, size: float
) -> None:
    """Arrow heads: pointing up (``True``) or down, ``size`` points across."""
    h = size / 2
    d = " ".join(
        f"M {_n(x)} {_n(y - h if up else y + h)} L {_n(x - h)} {_n(y + h if up else y - h)} "
        f"L {_n(x + h)} {_n(y + h if up else y - h)} z"
        for x, y, up in points
    )
    c.path(d, f' fill="{colour}" stroke="{colour}" stroke-linejoin="miter"')


#: Each end of an error bar has a cap this long (matplotlib's capsize 2.5, either side).
CAP_HALF_PT = 2.5


def _error_bars(c: _Canvas, bars: Iterable[tuple[float, float, float]], colour: str) -> None:
    """Vertical bars (x, top, bottom, in points) with a cap at each end."""
    bars = list(bars)
    c.path(
        " ".join(f"M {_n(x)} {_n(low)} L {_n(x)} {_n(high)}" for x, low, high in bars),
        f' fill="none" stroke="{colour}" stroke-width="0.9" stroke-linecap="square"',
    )
    caps = " ".join(
        f"M {_n(x - CAP_HALF_PT)} {_n(y)} L {_n(x + CAP_HALF_PT)} {_n(y)}"
        for x, low, high in bars
        for y in (low, high)
    )
    c.path(caps, f' fill="none" stroke="{colour}"')


_COLOUR = re.compile(r'="(#[0-9A-F]{6})"')


def _document(canvas: _Canvas, prefix: str, title: str) -> str:
    """The finished ``<svg>``: colours written in lower case, as matplotlib wrote them."""
    title_id = f"{prefix}-title"
    body = _COLOUR.sub(lambda m: f'="{m[1].lower()}"', "".join(canvas.out))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(canvas.width)} {_n(canvas.height)}" '
        f'version="1.1" class="chart" role="img" aria-labelledby="{title_id}" focusable="false" '
        f'font-family="DejaVu Sans" fill="{palette.TEXT}">'
        f'<title id="{title_id}">{_escape(title)}</title>'
        f'<rect width="{_n(canvas.width)}" height="{_n(canvas.height)}" fill="#ffffff"/>'
        + body
        + "</svg>"
    )


def _height(entries: int, ncol: int) -> tuple[float, int]:
    rows = -(-entries // ncol) if entries else 0
    return FIGURE_SIZE[1] * POINTS_PER_INCH + max(rows - 1, 0) * LEGEND_ROW_PT, rows


def chart_svg(spec: ChartSpec | FunnelSpec, prefix: str, *, for_pdf: bool = False) -> str:
    """The chart as an inline ``<svg>`` element, its ids starting ``prefix``, labelled with
    its alt text; ``for_pdf``: the same picture with every label written from where it
    starts (:meth:`_Canvas.placed`), for WeasyPrint."""
    if isinstance(spec, FunnelSpec):
        return _funnel(spec, prefix, for_pdf)
    return _line_chart(spec, prefix, for_pdf)


# ------------------------------------------------------------------------------ line chart


def _known(values: Iterable[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def _line_entries(spec: ChartSpec) -> list[_Entry]:
    """The legend in matplotlib's order: lines as drawn, then the error bars."""
    marked = len(spec.labels) <= MAX_MARKED_PERIODS
    out = []
    if spec.trend:
        out.append(_Entry(spec.trend_label, palette.TREND, 1.3, "--"))
    if spec.limits is not None:
        out.append(_Entry("Mean", palette.SPC, 1.0))
        out.append(_Entry(spec.limits.legend, palette.SPC, 1.0, "-."))
    out.append(_Entry(spec.title, palette.SERIES, 1.8, "-", "o" if marked else "", 2.8))
    if _latest(spec) is not None:
        out.append(_Entry(f"Latest ({spec.labels[spec.latest_index or 0]})", palette.LATEST,
                          marker="o", size=7.0))  # fmt: skip
    if spec.suspect:
        out.append(_Entry("Held out (probable error)", palette.SUSPECT, marker="O", size=5.0))
    if any(v is not None and ci for v, ci in zip(spec.values, spec.intervals, strict=False)):
        out.append(_Entry("95% confidence interval", palette.SERIES, marker="|"))
    return out


def _latest(spec: ChartSpec) -> float | None:
    i = spec.latest_index
    return spec.values[i] if i is not None else None


def _y_range(spec: ChartSpec) -> tuple[float, float]:
    values = _known(spec.values) + _known(spec.trend) + _known(spec.band_low)
    values += _known(spec.band_high)
    if spec.limits is not None:
        values += [spec.limits.mean, spec.limits.upper, spec.limits.lower]
    values += [b for v, ci in zip(spec.values, spec.intervals, strict=False) if v is not None and ci
               for b in ci]  # fmt: skip
    if not values:
        values = [0.0, 1.0]
    low, high = _with_margin(min(values), max(values), AXIS_MARGIN)
    if spec.y_from_zero:
        low = 0.0
    return low, high * TOP_ROOM if high > 0 else high


def _line_chart(spec: ChartSpec, prefix: str, for_pdf: bool) -> str:
    entries = _line_entries(spec)
    ncol = legend_columns([e.label for e in entries], FIGURE_SIZE[0] * POINTS_PER_INCH)
    height, rows = _height(len(entries), ncol)
    c = _Canvas(height, rows, x_title=False, for_pdf=for_pdf)
    n = len(spec.labels)
    c.x_range = (-0.5, n - 0.5)
    c.y_range = low, high = _y_range(spec)
    y_ticks = _value_axis(
        c,
        low,
        high,
        lambda v: fmt.value(v, spec.unit, tick_decimals(v)),
        integer=spec.whole_numbers,
    )
    _axes(c, y_ticks, [(float(i), label) for i, label in spec.ticks], spec.axis_title)
    if spec.band_low:
        _band(c, spec)
    if spec.trend:
        c.line(_points(spec.trend), palette.TREND, 1.3, "--")
    if spec.limits is not None:
        limits = spec.limits
        c.path(f"M {_n(c.left)} {_n(c.y(limits.mean))} L {_n(c.right)} {_n(c.y(limits.mean))}",
               f' fill="none" stroke="{palette.SPC}" stroke-width="1"{_dashes("-", 1.0)}')  # fmt: skip
        c.path(
            " ".join(f"M {_n(c.left)} {_n(c.y(v))} L {_n(c.right)} {_n(c.y(v))}"
                     for v in (limits.upper, limits.lower)),
            f' fill="none" stroke="{palette.SPC}" stroke-width="1"{_dashes("-.", 1.0)}',
        )  # fmt: skip
    c.line(_points(spec.values), palette.SERIES, 1.8)
    values = spec.values
    if n <= MAX_MARKED_PERIODS:
        marked = [(float(i), v) for i, v in enumerate(values) if v is not None]
    else:  # a value with gaps on both sides has no line to sit on: mark it
        marked = [
            (float(i), v)
            for i, v in enumerate(values)
            if v is not None
            and (i == 0 or values[i - 1] is None)
            and (i == n - 1 or values[i + 1] is None)
        ]
    c.dots(marked, palette.SERIES, 2.8)
    if spec.intervals:
        _error_bars(
            c,
            (
                (c.x(i), c.y(ci[1]), c.y(ci[0]))
                for i, (v, ci) in enumerate(zip(values, spec.intervals, strict=True))
                if v is not None and ci
            ),
            palette.SERIES,
        )
    for event in spec.events:
        _event_line(c, event)
    if spec.suspect:
        _suspect(c, spec)
    latest = _latest(spec)
    if latest is not None and spec.latest_index is not None:
        x, y = c.x(spec.latest_index), c.y(latest)
        c.boxed_text(x, y - 8.0, fmt.value(latest, spec.unit, spec.decimals), size=FONT_SIZE,
                     anchor="middle", bold=True)  # fmt: skip
    for event in spec.events:
        _event_label(c, event)
    if latest is not None and spec.latest_index is not None:
        c.dots([(float(spec.latest_index), latest)], palette.LATEST, 7.0)
    _legend(c, entries, ncol)
    return _document(c, prefix, spec.alt_text)


def _points(values: Sequence[float | None]) -> list[tuple[float, float] | None]:
    return [None if v is None else (float(i), v) for i, v in enumerate(values)]


def _band(c: _Canvas, spec: ChartSpec) -> None:
    """The trend's confidence band: one filled shape per unbroken run."""
    runs: list[list[tuple[int, float, float]]] = [[]]
    for i, (lo, hi) in enumerate(zip(spec.band_low, spec.band_high, strict=True)):
        if lo is None or hi is None:
            runs.append([])
        else:
            runs[-1].append((i, lo, hi))
    d = []
    for run in filter(None, runs):
        upper = [(c.x(i), c.y(hi)) for i, _, hi in run]
        lower = [(c.x(i), c.y(lo)) for i, lo, _ in reversed(run)]
        d.append(_polyline([*upper, *lower]) + " z")
    c.path(" ".join(d), f' fill="{palette.TREND_BAND}" fill-opacity="0.35"')


def _event_line(c: _Canvas, event: EventLine) -> None:
    colour = palette.BREAK if event.breaks_comparability else palette.EVENT
    style = "-" if event.breaks_comparability else ":"
    x = _n(c.x(event.x))
    c.path(f"M {x} {_n(c.bottom)} L {x} {_n(c.top)}",
           f' fill="none" stroke="{colour}" stroke-width="1.4"{_dashes(style, 1.4)}')  # fmt: skip


def _event_label(c: _Canvas, event: EventLine) -> None:
    """The event's name up the plot beside its line, on a white box, inside the plot."""
    label = f"{event.label} (series break)" if event.breaks_comparability else event.label
    lines = fitted(label, PLOT_HEIGHT_PT * (1 - 2 * EVENT_LABEL_FROM)).split("\n")
    low, high = c.x_range
    right_half = event.x > (low + high) / 2
    edge = c.x(event.x - 0.25 if right_half else event.x + 0.25)
    size = SMALL_FONT_SIZE
    step = LINE_SPACING * size
    depth = (ASCENT_EM + DESCENT_EM) * size + (len(lines) - 1) * step
    left = edge - depth if right_half else edge
    bottom = c.bottom - EVENT_LABEL_FROM * (c.bottom - c.top)
    length = max(text_width(line, size) for line in lines)
    p = BOX_PAD_PT
    c.out.append(
        f'<rect x="{_n(left - p)}" y="{_n(bottom - length - p)}" width="{_n(depth + 2 * p)}" '
        f'height="{_n(length + 2 * p)}" fill="#ffffff" opacity="0.8"/>'
    )
    for k, line in enumerate(lines):  # aligned to the line as the label is to its line
        start = bottom - (length - text_width(line, size) if right_half else 0.0)
        c.text(left + ASCENT_EM * size + k * step, start, line, size=size, colour=palette.EVENT,
               rotate=True)  # fmt: skip


def _suspect(c: _Canvas, spec: ChartSpec) -> None:
    """Held-out values are marked but do not set the axis: one outside the range of the
    rest sits at the edge as an arrow, labelled with its value."""
    low, high = c.y_range
    inside = [(c.x(i), c.y(v)) for i, v in spec.suspect if low <= v <= high]
    _open_circles(c, inside, palette.SUSPECT, 5.0)
    outside = [(i, v) for i, v in spec.suspect if not low <= v <= high]
    _triangles(c, ((c.x(i), c.y(high if v > high else low), v > high) for i, v in outside),
               palette.SUSPECT, 6.0)  # fmt: skip
    for i, v in outside:
        above = v > high
        y = c.y(high if above else low) + (10.0 if above else -4.0)
        left_side = i < len(spec.labels) / 2
        x = c.x(i) + 6.0
        c.boxed_text(x, y, f"{fmt.value(v, spec.unit, spec.decimals)} (held out, off the scale)",
                     size=SMALL_FONT_SIZE, anchor="start" if left_side else "end")  # fmt: skip


# ------------------------------------------------------------------------------ funnel plot


def _funnel_entries(spec: FunnelSpec) -> list[_Entry]:
    out = []
    if spec.curve_population:
        out.append(_Entry(limits_legend(spec, "99.8%"), palette.SPC, 1.1, "-."))
        out.append(_Entry(limits_legend(spec, "95%"), palette.EVENT, 1.1, ":"))
    out.append(_Entry(f"Average ({fmt.number(spec.overall, RATE_DECIMALS)} per 1,000)",
                      palette.TREND, 1.0))  # fmt: skip
    if any(not m.focus for m in spec.points):
        out.append(_Entry("Other forces", palette.SERIES, marker="o", size=5.0))
    out += [_Entry(m.area, palette.LATEST, marker="D", size=7.0) for m in spec.points if m.focus]
    return out


def _funnel(spec: FunnelSpec, prefix: str, for_pdf: bool) -> str:
    entries = _funnel_entries(spec)
    ncol = legend_columns([e.label for e in entries], FIGURE_SIZE[0] * POINTS_PER_INCH)
    height, rows = _height(len(entries), ncol)
    c = _Canvas(height, rows, x_title=True, for_pdf=for_pdf)
    populations = [m.population for m in spec.points] + list(spec.curve_population)
    c.x_range = (0.0, max(populations) * FUNNEL_X_MARGIN)
    rates = [m.rate for m in spec.points] + [spec.overall]
    rates += [*spec.lower_95, *spec.upper_95, *spec.lower_998, *spec.upper_998]
    c.y_range = low, high = _with_margin(min(rates), max(rates), FUNNEL_Y_MARGIN)
    y_ticks = _value_axis(c, low, high, lambda v: fmt.number(v, tick_decimals(v)), integer=False)
    space = int((c.right - c.left) // (3 * SMALL_FONT_SIZE))
    x_low, x_high = c.x_range
    x_ticks = [
        (t, fmt.number(t))
        for t in _visible(nice_ticks(x_low, x_high, max(1, min(space, MAX_AUTO_BINS)), AUTO_STEPS),
                          x_low, x_high)
    ]  # fmt: skip
    _axes(c, y_ticks, x_ticks, Y_LABEL, X_LABEL)
    x = spec.curve_population
    if x:
        for low_curve, high_curve, colour, style in (
            (spec.lower_998, spec.upper_998, palette.SPC, "-."),
            (spec.lower_95, spec.upper_95, palette.EVENT, ":"),
        ):
            for curve in (high_curve, low_curve):
                c.line(list(zip(x, curve, strict=True)), colour, 1.1, style)
    y = _n(c.y(spec.overall))
    c.path(f"M {_n(c.left)} {y} L {_n(c.right)} {y}",
           f' fill="none" stroke="{palette.TREND}" stroke-width="1"{_dashes("-", 1.0)}')  # fmt: skip
    c.dots([(m.population, m.rate) for m in spec.points if not m.focus], palette.SERIES, 5.0)
    for mark in spec.points:
        if mark.focus or spec.named:
            c.boxed_text(c.x(mark.population) + 6.0, c.y(mark.rate) - 4.0, mark.area,
                         size=SMALL_FONT_SIZE, anchor="start", bold=mark.focus, opacity=0.8)  # fmt: skip
    _diamonds(c, [(c.x(m.population), c.y(m.rate)) for m in spec.points if m.focus],
              palette.LATEST, 7.0)  # fmt: skip
    _legend(c, entries, ncol)
    return _document(c, prefix, spec.alt_text)
