"""The drawing step: every chart of a report drawn once, kept on disk, read as needed.

In: the :class:`~planwatch.report.view.ChartView` values of a report view, in the order
the report shows them. Out: a :class:`Drawings` that gives each chart's SVG (for the
HTML) or a ``file:`` URI of it (for the PDF, where WeasyPrint reads it). The view
(:mod:`planwatch.report.view`) says what to draw; this step draws it, in this process or
in workers (:mod:`planwatch.report.parallel`) when PNG images are drawn too, one chart
at a time as the templates ask for them: each drawing goes to a file in a temporary
folder and is not held in memory, so a report of any number of charts is written with a
few drawings in memory at a time. The PDF has its own version of each chart, the same
picture with every label written from where it starts (WeasyPrint makes a PDF group of
each label with a ``text-anchor``: :func:`planwatch.report.svg.chart_svg`), drawn here
as WeasyPrint reads it (:meth:`Drawings.ready`). With ``ahead`` (a PDF to lay out and a CPU free:
:func:`planwatch.report.parallel.draw_ahead`) and PNG images to draw (the Word
version), one worker draws the screen's SVG and the PNGs from the start, in order,
while this process lays out the PDF. SVG alone is drawn here: a chart's SVG takes
about a millisecond (:mod:`planwatch.report.svg`), less than sending it to a worker.
"""

from __future__ import annotations

import base64
import dataclasses
import tempfile
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import Future, wait
from contextlib import contextmanager
from pathlib import Path

from planwatch.errors import ReportError
from planwatch.report.chart import ChartSpec
from planwatch.report.draw import draw_png, draw_svg, draw_svg_and_png
from planwatch.report.funnel import FunnelSpec
from planwatch.report.parallel import draw_in_order, one_at_a_time
from planwatch.report.view import ChartView


def draw_files(spec: ChartSpec | FunnelSpec, prefix: str, svg_path: str, png: bool) -> None:
    """Draw one chart into its file, ``<anchor>.svg`` (and ``.png`` with ``png``, from the
    same drawing): in a worker while the PDF is laid out, or here."""
    path = Path(svg_path)
    if png:
        svg, image = draw_svg_and_png(spec, prefix)
        path.with_suffix(".png").write_bytes(image)
    else:
        svg = draw_svg.__wrapped__(spec, prefix)  # type: ignore[attr-defined]
    path.write_text(svg, encoding="utf-8")


#: Ends the name of a chart's print SVG, next to the screen's ``<anchor>.svg``.
PRINT_SUFFIX = ".print.svg"


class Drawings:
    """The charts of one report, drawn in order as they are first asked for; with
    ``ahead``, drawn in a worker from the start, one after another, while this process
    lays out the PDF (whose images are fetched as each is ready: :meth:`ready`)."""

    def __init__(
        self,
        charts: Sequence[ChartView],
        folder: Path,
        *,
        embed: bool = False,
        png: bool = False,
        ahead: bool = False,
    ) -> None:
        self._folder = Path(folder)
        self._embed = embed
        self._png = png
        self._charts = tuple(charts)
        self._known = {c.anchor: c for c in self._charts}
        self._ahead: dict[str, Future[bool]] = {}
        jobs = [(c.spec, c.anchor) for c in self._charts]
        # An SVG is written in about a millisecond (report/svg.py): only the Word
        # version's PNGs (matplotlib, about 0.1 s a chart) are worth a worker.
        if ahead and png:
            calls = [(draw_files, (*job, str(self._file(job[1])), png)) for job in jobs]
            self._ahead = dict(zip(self._known, one_at_a_time(calls), strict=True))
            jobs = []
        self._stream: Generator[str | tuple[str, bytes], None, None] = (
            draw_in_order(jobs, draw_svg_and_png) if png else (draw_svg(*job) for job in jobs)
        )
        self._drawn = 0

    def _file(self, anchor: str) -> Path:
        return self._folder / f"{anchor}.svg"

    def _known_path(self, chart: ChartView) -> Path:
        if chart.anchor not in self._known:
            raise ReportError(f"chart '{chart.anchor}' is not one of this report's charts")
        return self._file(chart.anchor)

    def _path(self, chart: ChartView) -> Path:
        path = self._known_path(chart)
        if self._ahead:
            if not self._ahead[chart.anchor].result() and not path.exists():
                draw_files(chart.spec, chart.anchor, str(path), self._png)  # no workers
            return path
        while not path.exists():
            ahead = self._folder / self._charts[self._drawn].anchor
            drawn = next(self._stream)
            if isinstance(drawn, tuple):
                drawn, png = drawn
                ahead.with_suffix(".png").write_bytes(png)
            ahead.with_suffix(".svg").write_text(drawn, encoding="utf-8")
            self._drawn += 1
        return path

    def svg(self, chart: ChartView) -> str:
        """The chart as an inline ``<svg>`` element."""
        return self._path(chart).read_text(encoding="utf-8")

    def _print_path(self, chart: ChartView) -> Path:
        return self._known_path(chart).with_suffix(PRINT_SUFFIX)

    def _print_drawn(self, chart: ChartView) -> Path:
        """The chart's print SVG (labels written from where they start:
        :func:`planwatch.report.svg.chart_svg`), drawn here on first use (about a
        millisecond), whoever draws the screen's."""
        path = self._print_path(chart)
        if not path.exists():
            path.write_text(draw_svg.__wrapped__(chart.spec, chart.anchor, for_pdf=True),  # type: ignore[attr-defined]
                            encoding="utf-8")  # fmt: skip
        return path

    def uri(self, chart: ChartView) -> str:
        """A ``file:`` URI of the chart's print SVG for the PDF (WeasyPrint draws it as
        vector graphics, and skips running the page's CSS cascade over every path of an
        inline SVG: docs/performance.md), drawn when WeasyPrint reads it (:meth:`ready`);
        with ``embed``, a ``data:`` URI, for HTML that must outlive the drawings."""
        if not self._embed:
            return self._print_path(chart).as_uri()
        return "data:image/svg+xml;base64," + base64.b64encode(
            self._print_drawn(chart).read_bytes()
        ).decode("ascii")

    def png(self, chart: ChartView) -> bytes:
        """The chart as a PNG image (drawn with its SVG when the drawings were asked for
        PNG too; otherwise drawn now)."""
        path = self._path(chart).with_suffix(".png")
        return path.read_bytes() if path.exists() else draw_png(chart.spec)

    def ready(self, url: str) -> None:
        """Draw the chart that ``url`` (from :meth:`uri`) names, if it is not drawn yet;
        any other URL is left alone. The PDF calls this before it reads an image."""
        prefix = self._folder.as_uri() + "/"
        if url.startswith(prefix) and url.endswith(PRINT_SUFFIX):
            chart = self._known.get(url[len(prefix) : -len(PRINT_SUFFIX)])
            if chart is not None:
                self._print_drawn(chart)

    def close(self) -> None:
        self._stream.close()  # workers stop drawing charts nobody will read
        for future in self._ahead.values():
            future.cancel()
        wait(self._ahead.values())  # the one being drawn ends before its folder goes


@contextmanager
def drawings(
    charts: Sequence[ChartView], *, embed: bool = False, png: bool = False, ahead: bool = False
) -> Iterator[Drawings]:
    """Drawings of ``charts`` in a temporary folder, removed on leaving the block; with
    ``png``, PNG images too, from the same drawing (for the Word version); with ``ahead``,
    drawn in a worker from the start (:meth:`Drawings.ready`)."""
    with tempfile.TemporaryDirectory(prefix="planwatch-charts-") as folder:
        found = Drawings(charts, Path(folder), embed=embed, png=png, ahead=ahead)
        try:
            yield found
        finally:
            found.close()


def drawn_chart(chart: ChartView) -> ChartView:
    """The chart with its SVG filled in (one chart at a time: the web dashboard)."""
    return (
        chart if chart.svg else dataclasses.replace(chart, svg=draw_svg(chart.spec, chart.anchor))
    )
