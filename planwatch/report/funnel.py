"""What a funnel plot shows, worked out before anything is drawn.

In: a measure and its :class:`~planwatch.analysis.results.FunnelResult` (the plan's force
against the other forces: rate per 1,000 population over 12 months against population,
with 95% and 99.8% control limits; docs/methodology.md §7).
Out: a frozen :class:`FunnelSpec` — the points, the limit curves, the focus area, alt
text written from the result, and the data table behind the plot.
:mod:`planwatch.report.draw` draws it; nothing here draws or does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from planwatch import formatting as fmt
from planwatch.analysis.funnel import METHOD_OVERDISPERSED, limits_name
from planwatch.analysis.results import FunnelPoint, FunnelResult
from planwatch.narrative.templates import RATE_DECIMALS, peer_side
from planwatch.plan.models import Measure
from planwatch.report.chart import Definition
from planwatch.report.tables import DataTable

#: Name every area beside its point when there are at most this many; otherwise only
#: the plan's own area (43 forces' names would cover the plot).
MAX_NAMED_AREAS = 10
Y_LABEL = "Rate per 1,000 population"
X_LABEL = "Population"


@dataclass(frozen=True)
class FunnelMark:
    area: str
    population: float
    rate: float
    focus: bool


@dataclass(frozen=True)
class FunnelSpec:
    measure_id: str
    title: str
    label: str  # the window compared, e.g. "12 months to June 2023"
    points: tuple[FunnelMark, ...]
    overall: float
    curve_population: tuple[float, ...]
    lower_95: tuple[float, ...]
    upper_95: tuple[float, ...]
    lower_998: tuple[float, ...]
    upper_998: tuple[float, ...]
    named: bool  # every area named beside its point
    adjusted: bool = False  # limits widened for over-dispersion (else exact Poisson)
    alt_text: str = ""
    table: DataTable | None = None
    #: a record-based measure's definition in words, said in the caption and alt text
    definition: Definition | None = None


def funnel_spec(
    measure: Measure, funnel: FunnelResult, definition: Definition | None = None
) -> FunnelSpec:
    """Everything the funnel plot of one measure shows, from its result alone;
    ``definition``: a record-based measure's definition in words."""
    label = funnel.label or "latest 12 months"
    spec = FunnelSpec(
        measure_id=measure.id,
        title=f"{measure.name}: {label}, forces compared",
        label=label,
        points=tuple(
            FunnelMark(p.area, p.population, p.rate_per_1000, p.area == funnel.focus_area)
            for p in sorted(funnel.points, key=lambda p: p.population)
        ),
        overall=funnel.overall_rate_per_1000,
        curve_population=funnel.curve_population,
        lower_95=funnel.lower_95,
        upper_95=funnel.upper_95,
        lower_998=funnel.lower_998,
        upper_998=funnel.upper_998,
        named=len(funnel.points) <= MAX_NAMED_AREAS,
        adjusted=funnel.method == METHOD_OVERDISPERSED,
        definition=definition,
    )
    return replace(
        spec, alt_text=alt_text(measure, funnel, definition), table=data_table(spec, funnel)
    )


def _rate(value: float) -> str:
    return f"{fmt.number(value, RATE_DECIMALS)} per 1,000"


def _limits_words(funnel: FunnelResult) -> str:
    return f"control limits at 95% and 99.8% ({limits_name(funnel)})"


def limits_legend(spec: FunnelSpec, level: str) -> str:
    """The legend's name for one pair of limit curves, saying which limits they are."""
    return (
        f"{level} limits ({'adjusted for over-dispersion' if spec.adjusted else 'exact Poisson'})"
    )


def alt_text(measure: Measure, funnel: FunnelResult, definition: Definition | None = None) -> str:
    """One paragraph describing the funnel plot from the result, for screen readers."""
    label = funnel.label or "latest 12 months"
    parts = [
        f"Funnel plot of {measure.name} in the {label}: the rate per 1,000 population of "
        f"{len(funnel.points)} forces against their population, around the average of "
        f"{_rate(funnel.overall_rate_per_1000)}, with {_limits_words(funnel)}"
    ]
    if definition:
        parts.append(definition.counted())
    focus = next((p for p in funnel.points if p.area == funnel.focus_area), None)
    if focus is not None:
        parts.append(
            f"{focus.area} ({_rate(focus.rate_per_1000)}, population {fmt.number(focus.population)}) "
            f"is {_position(funnel, focus)}"
        )
    outside = [p.area for p in funnel.points if p.outside_998 and p.area != funnel.focus_area]
    if outside:
        parts.append(f"outside the 99.8% limits: {fmt.join_words(outside)}")
    return "; ".join(parts) + "."


def _position(funnel: FunnelResult, point: FunnelPoint) -> str:
    side = peer_side(funnel, point)
    if side != "within":
        return f"{side} the 99.8% limits"
    if point.outside_95:
        return "outside the 95% limits but within the 99.8% limits"
    return "within the 95% limits"


def _compared(point: FunnelPoint) -> str:
    if point.outside_998:
        return f"Outside 99.8% limits ({point.side})"
    if point.outside_95:
        return f"Outside 95% limits ({point.side})"
    return "Within limits"


def data_table(spec: FunnelSpec, funnel: FunnelResult) -> DataTable:
    """One row per force, smallest population first."""
    by_area = {p.area: p for p in funnel.points}
    return DataTable(
        caption=f"Data for the funnel plot of {spec.title}",
        headers=("Force area", "Crimes", "Population", Y_LABEL, "Against the limits"),
        rows=tuple(
            (
                f"{mark.area} (this force)" if mark.focus else mark.area,
                fmt.number(by_area[mark.area].count),
                fmt.number(mark.population),
                fmt.number(mark.rate, RATE_DECIMALS),
                _compared(by_area[mark.area]),
            )
            for mark in spec.points
        ),
        numeric_from=1,
    )
