"""Invented Home Office police recorded crime for Anyshire and its neighbours.

In: a seed. Out: rows in the Home Office PFA open-data layout
(:data:`PRC_HEADER`), one per force, quarter and offence code, and the Anyshire
counts per quarter and offence (reused for the data.police.uk street files so the
two sources agree, as the real ones broadly do).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from planwatch.demo import spec
from planwatch.demo.curves import Shape, expected, poisson, rng_for
from planwatch.demo.offences import FLAT_SEASON, GROUP_SEASON, OFFENCES, SUBGROUP_TRENDS, Offence
from planwatch.periods import Month, Quarter, quarter_range

PRC_HEADER = (
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
)

Counts = dict[str, np.ndarray]  # offence code -> counts per quarter


def prc_quarters() -> tuple[Quarter, ...]:
    return quarter_range(spec.PRC_FIRST, spec.REPORT_QUARTER)


def _steps(offence: Offence) -> tuple[tuple[Month, float], ...]:
    if offence.subgroup == "Stalking and harassment":
        return (
            (spec.RECORDING_CHANGE, spec.RECORDING_CHANGE_STEP),
            (spec.RECORDING_REVISION, spec.RECORDING_REVISION_STEP),
        )
    return ()


def _lockdown(offence: Offence) -> dict[Month, float]:
    sensitivity = spec.LOCKDOWN_SENSITIVITY.get(offence.subgroup, spec.DEFAULT_LOCKDOWN_SENSITIVITY)
    return {month: factor**sensitivity for month, factor in spec.LOCKDOWN_CRIME.items()}


def offence_shape(offence: Offence, force: spec.Force) -> Shape:
    scale = force.rate * force.population / spec.FORCES[0].population
    return Shape(
        level=offence.base * scale,
        pct_per_year=SUBGROUP_TRENDS[offence.subgroup] + force.trend_shift,
        season=GROUP_SEASON.get(offence.group, FLAT_SEASON),
        steps=_steps(offence),
        events=_lockdown(offence),
    )


def generate_prc(seed: int) -> dict[str, Counts]:
    """Counts per force, offence code and quarter (:func:`prc_quarters`)."""
    quarters = prc_quarters()
    out: dict[str, Counts] = {}
    for force in spec.FORCES:
        counts: Counts = {}
        for offence in OFFENCES:
            rng = rng_for(seed, f"prc/{force.name}/{offence.code}")
            counts[offence.code] = poisson(rng, expected(offence_shape(offence, force), quarters))
        out[force.name] = counts
    return out


def write_prc(path: Path, counts: dict[str, Counts]) -> Path:
    """Write the PFA table: sorted by year, quarter, force and description, as published."""
    quarters = prc_quarters()
    offences = sorted(OFFENCES, key=lambda o: o.description.lower())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(PRC_HEADER)
        for qi, quarter in enumerate(quarters):
            for force in sorted(counts):
                for o in offences:
                    n = int(counts[force][o.code][qi])
                    writer.writerow(
                        (
                            quarter.financial_year.label,
                            quarter.q,
                            force,
                            o.description,
                            o.group,
                            o.subgroup,
                            o.code,
                            n,
                        )
                    )
    return path
