"""The plan as plain data, as much of it as ``planwatch status`` reads (fast start-up).

In: a validated :class:`~planwatch.plan.models.Plan`, or the outline kept for it in the
plan cache (:func:`planwatch.plan.cache.cached_outline`).
Out: a frozen :class:`PlanOutline` — the plan's area and, per measure, its id, frequency,
usual data lag and source selection — made of named tuples (defined in a tenth of the
time of frozen dataclasses: 0.07 against 0.7 ms a class). Reading one from the cache
imports neither pydantic nor the plan's models (0.1 s of CPU of every ``planwatch
status``; issue 17): the status queries are built from it
(:mod:`planwatch.store.measure_sql`), the same queries the store's selectors build from the
plan's models.

A record-based measure is outlined by its kind alone: its query is compiled against its
record source from the plan's models (:func:`planwatch.store.selectors.record_query`), so
an outline with one is not :attr:`PlanOutline.plain` and status reads the whole plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from planwatch.plan.models import Measure, Plan


class PrcOutline(NamedTuple):
    """A PRC measure's selection (the fields of :class:`~planwatch.plan.models.PrcSource`)."""

    force: str | None
    offence_codes: tuple[str, ...]
    offence_groups: tuple[str, ...]
    offence_subgroups: tuple[str, ...]
    kind: Literal["prc"] = "prc"


class PoliceUkOutline(NamedTuple):
    """A data.police.uk measure's selection (:class:`~planwatch.plan.models.PoliceUkSource`)."""

    falls_within: str | None
    crime_types: tuple[str, ...]
    kind: Literal["police_uk"] = "police_uk"


class SeriesOutline(NamedTuple):
    """A tidy series measure's selection (:class:`~planwatch.plan.models.SeriesSource`)."""

    series: str
    area: str | None
    kind: Literal["series"] = "series"


class RecordsOutline(NamedTuple):
    """A record-based measure: its kind only (see the module docstring)."""

    kind: Literal["records"] = "records"


SourceOutline = PrcOutline | PoliceUkOutline | SeriesOutline | RecordsOutline


class MeasureOutline(NamedTuple):
    id: str
    frequency: str
    #: the measure's usual data lag in periods (``data_lag.periods``; 0 without one)
    expected_lag: int
    source: SourceOutline


class PlanOutline(NamedTuple):
    #: the plan's force area (``metadata.area``)
    area: str
    measures: tuple[MeasureOutline, ...]

    @property
    def plain(self) -> bool:
        """True when every measure's query can be built from the outline (no records)."""
        return not any(isinstance(m.source, RecordsOutline) for m in self.measures)

    def to_json(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "measures": [
                {
                    "id": m.id,
                    "frequency": m.frequency,
                    "expected_lag": m.expected_lag,
                    "source": m.source._asdict(),
                }
                for m in self.measures
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanOutline:
        """The outline :meth:`to_json` gave; ``TypeError``, ``KeyError`` or ``ValueError``
        for anything else (a cache entry not written by this code is a miss)."""
        measures = tuple(
            MeasureOutline(
                _text(m["id"]),
                _text(m["frequency"]),
                _count(m["expected_lag"]),
                _source(m["source"]),
            )
            for m in data["measures"]
        )
        return cls(_text(data["area"]), measures)


def _source(given: dict[str, Any]) -> SourceOutline:
    kind = given["kind"]
    if kind == "prc":
        return PrcOutline(
            _maybe_text(given["force"]),
            _texts(given["offence_codes"]),
            _texts(given["offence_groups"]),
            _texts(given["offence_subgroups"]),
        )
    if kind == "police_uk":
        return PoliceUkOutline(_maybe_text(given["falls_within"]), _texts(given["crime_types"]))
    if kind == "series":
        return SeriesOutline(_text(given["series"]), _maybe_text(given["area"]))
    if kind == "records":
        return RecordsOutline()
    raise ValueError(f"no source kind {kind!r}")


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


def _maybe_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"{value!r} is not a list")
    return tuple(_text(v) for v in value)


def _count(value: object) -> int:
    if type(value) is not int:
        raise ValueError(f"{value!r} is not a whole number")
    return value


def outline_of(plan: Plan) -> PlanOutline:
    """The outline of a validated plan."""
    return PlanOutline(plan.metadata.area, tuple(_measure(m) for m in plan.measures))


def _measure(m: Measure) -> MeasureOutline:
    source = m.source
    outline: SourceOutline
    if source.kind == "prc":
        outline = PrcOutline(
            source.force, source.offence_codes, source.offence_groups, source.offence_subgroups
        )
    elif source.kind == "police_uk":
        outline = PoliceUkOutline(source.falls_within, source.crime_types)
    elif source.kind == "series":
        outline = SeriesOutline(source.series, source.area)
    else:
        outline = RecordsOutline()
    lag = m.data_lag.periods if m.data_lag else 0
    return MeasureOutline(m.id, m.frequency, lag, outline)
