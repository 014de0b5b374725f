"""Drawing: a :class:`~planwatch.report.chart.ChartSpec` becomes an SVG string (or a PNG).

In: a frozen chart or funnel spec (all calculation is done in :mod:`planwatch.report.chart`
and :mod:`planwatch.report.funnel`). Out: :func:`draw_svg`, an ``<svg>`` element ready to
inline in HTML — and the same SVG goes into the PDF, where WeasyPrint keeps it as vector
graphics — written directly by :mod:`planwatch.report.svg`; :func:`draw_png`, the same
chart as a PNG image for the Word version, drawn by matplotlib
(:mod:`planwatch.report.raster`, imported only then). Text stays text, ids are prefixed
per chart so that many charts can share one page, and the output is deterministic.
"""

from __future__ import annotations

from functools import lru_cache

from planwatch.report.chart import ChartSpec
from planwatch.report.funnel import FunnelSpec
from planwatch.report.svg import chart_svg

#: Drawn charts kept for reuse (the web dashboard draws the same charts again and again).
#: A report keeps its own drawings on disk (planwatch.report.drawing), so this can be small.
CACHE_SIZE = 64


@lru_cache(maxsize=CACHE_SIZE)
def draw_svg(
    spec: ChartSpec | FunnelSpec, prefix: str | None = None, *, for_pdf: bool = False
) -> str:
    """The chart as an inline ``<svg>`` element, labelled with the spec's alt text.

    ``prefix`` starts every id inside the SVG (default ``chart-<measure id>``); give each
    chart on a page its own, since a measure may appear under more than one priority.
    ``for_pdf``: the version WeasyPrint draws fastest, every label written from where it
    starts (the same picture)."""
    return chart_svg(spec, prefix or f"chart-{spec.measure_id}", for_pdf=for_pdf)


def draw_png(spec: ChartSpec | FunnelSpec) -> bytes:
    """The same chart as a PNG image (the Word version of the report)."""
    from planwatch.report.raster import png  # matplotlib: only for the Word version

    return png(spec)


def draw_svg_and_png(spec: ChartSpec | FunnelSpec, prefix: str | None = None) -> tuple[str, bytes]:
    """Both, for reports written as HTML and PDF and Word together."""
    return draw_svg.__wrapped__(spec, prefix), draw_png(spec)  # type: ignore[attr-defined]
