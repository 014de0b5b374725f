"""What a reader hands to the write step.

In: nothing (plain data types). Out: :class:`StagedFile` (one input file: name,
fingerprint, rows, periods covered, warnings) and :class:`StagedBatch` (the files
of one ``planwatch ingest`` call and the TEMP tables holding their checked rows,
each with a ``_file`` column indexing :attr:`StagedBatch.files` and otherwise the
columns of the store table it goes to, less ``load_id``), plus
:class:`IngestContext`, what a reader needs to know about the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from planwatch.errors import Problem

if TYPE_CHECKING:  # pandas is imported by the readers that build frames, not by every load
    import pandas as pd


@dataclass
class StagedFile:
    name: str
    sha256: str
    rows: int = 0
    period_first: date | None = None
    period_last: date | None = None
    periods_covered: str = ""
    warnings: list[Problem] = field(default_factory=list)
    note: str = ""


@dataclass
class StagedBatch:
    kind: str
    files: list[StagedFile] = field(default_factory=list)
    #: store table -> TEMP table in the staging connection
    tables: dict[str, str] = field(default_factory=dict)
    #: files skipped because a file with the same SHA-256 is already loaded: (name, load id)
    already_loaded: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class IngestContext:
    """What readers need from the store, read before anything is written."""

    workdir: Path
    #: SHA-256 -> load id of every file already loaded
    known_files: dict[str, int] = field(default_factory=dict)
    #: Home Office offence code -> description (empty if the lookup is not loaded)
    offence_codes: dict[str, str] = field(default_factory=dict)
    #: usable stored observations: series, area, period_start, value (``None``: none read,
    #: as for every load but a measures file's)
    observations: pd.DataFrame | None = None
    #: series a plan measure reads from a measures file (lower case) -> that measure's unit;
    #: ``None`` when the project has no plan (nothing to check series names against)
    plan_series: dict[str, str] | None = None
    #: the offence code lookup's offence groups and subgroups (values a PRC table's columns
    #: hold: its reader's scan need not find them in its sample)
    offence_names: frozenset[str] = frozenset()


def span_label(first: object, last: object) -> str:
    """``2017/18 Q1 to 2017/18 Q4`` (or one label when first is last)."""
    return str(first) if first == last else f"{first} to {last}"
