"""Write the complete Anyshire demo project: plan, commentary and generated data.

In: an output folder and a seed. Out: the folder laid out as a planwatch project
(:class:`planwatch.project.Project`) plus a ``data/`` folder holding every file in
the layout of its real counterpart, and a :class:`DemoFiles` listing them in the
order they should be ingested::

    plan.yaml                              the demo plan (planwatch/demo/plan.yaml)
    commentary/2023-24-Q1.yaml             owners' commentary (two commitments left without)
    data/prc/anyshire-prc-pfa.csv          Home Office PFA table, Anyshire and 4 neighbours
    data/police-uk/YYYY-MM-anyshire-street.csv   data.police.uk street files
    data/measures/*.csv                    tidy measures CSVs (surveys, workforce, ...)
    data/lookups/offence-weights.csv       harm weights by offence code
    data/lookups/population.csv            population by force area and year
    data/lookups/offence-codes.csv         Home Office offence code lookup
    data/records/anyshire-crime-extract.csv  the force's own crime records (one row per
                                           crime and property item)
    data/records/anyshire-staff-extract.csv  the HR extract: one row per person in post
                                           since April 2016 (staff group, ethnicity,
                                           start and leave dates)
    data/road-casualties/*.csv             STATS19 collision and casualty files, a
                                           calendar year each, of every demo force,
                                           with their codebook

The same seed always gives byte-identical files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from planwatch.demo import spec
from planwatch.demo.lookups import (
    CODES_HEADER,
    POPULATION_HEADER,
    WEIGHTS_HEADER,
    code_rows,
    population_rows,
    weight_rows,
)
from planwatch.demo.police_uk import write_street_files
from planwatch.demo.prc import generate_prc, write_prc
from planwatch.demo.records import EXTRACT_HEADER, extract_rows
from planwatch.demo.series import MEASURES_HEADER, SERIES_FILES
from planwatch.demo.staff import STAFF_HEADER, staff_rows
from planwatch.demo.stats19 import road_files
from planwatch.errors import ConfigError
from planwatch.project import Project

DEFAULT_SEED = 2024
DATA_DIR = "data"
#: Marks a folder as written by the demo, so running the demo again may replace it.
MARKER = ".planwatch-demo"


@dataclass(frozen=True)
class DemoFiles:
    """Where the demo project's files are."""

    root: Path
    plan: Path
    commentary: Path
    prc: Path
    police_uk_dir: Path
    police_uk: tuple[Path, ...]
    measures: tuple[Path, ...]
    weights: Path
    population: Path
    offence_codes: Path
    seed: int
    #: record-level extracts, each loaded on its own (the plan's record sources 'crimes'
    #: and 'staff', each told by its columns)
    records: tuple[Path, ...] = ()
    #: the STATS19 codebook and collision and casualty files, loaded together
    road_casualties: tuple[Path, ...] = ()

    @property
    def project(self) -> Project:
        return Project.at(self.root)

    def data_files(self) -> tuple[Path, ...]:
        return (
            self.prc,
            *self.police_uk,
            *self.measures,
            self.weights,
            self.population,
            self.offence_codes,
            *self.records,
            *self.road_casualties,
        )

    def loads(self) -> tuple[tuple[str, tuple[Path, ...]], ...]:
        """(source kind, files) in the order to ingest them: lookups first, so codes are checked."""
        return (
            ("offence_codes", (self.offence_codes,)),
            ("weights", (self.weights,)),
            ("population", (self.population,)),
            ("prc", (self.prc,)),
            ("police_uk", self.police_uk),
            ("measures", self.measures),
            *(("records", (extract,)) for extract in self.records),
            ("stats19", self.road_casualties),
        )


def template_text(name: str) -> str:
    """A file shipped in :mod:`planwatch.demo` (``plan.yaml`` or ``commentary.yaml``)."""
    return resources.files("planwatch.demo").joinpath(name).read_text(encoding="utf-8")


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def prepare_folder(out_dir: Path) -> Project:
    """An empty folder, or one an earlier demo wrote (its store and reports are removed).

    Any other non-empty folder is refused, so the demo never overwrites someone's project.
    """
    project = Project.at(out_dir)
    if project.root.exists() and not project.root.is_dir():
        raise ConfigError(f"'{out_dir}' is a file", expected="a folder for the demo project")
    if project.root.exists() and any(project.root.iterdir()):
        if not (project.root / MARKER).exists():
            raise ConfigError(
                f"'{out_dir}' already holds files that the demo did not write",
                expected="an empty or new folder",
            )
        for store_file in (
            project.store_path,
            project.store_path.with_name(project.store_path.name + ".wal"),
        ):
            store_file.unlink(missing_ok=True)
        for report in project.output_dir.glob("*") if project.output_dir.exists() else ():
            if report.is_file():
                report.unlink()
    project.root.mkdir(parents=True, exist_ok=True)
    (project.root / MARKER).write_text(
        "Written by 'planwatch demo'. Running the demo again replaces this folder's contents.\n",
        encoding="utf-8",
    )
    return project


def generate_demo_project(out_dir: Path, seed: int = DEFAULT_SEED) -> DemoFiles:
    """Write the demo project into ``out_dir`` (see :func:`prepare_folder` for an existing folder)."""
    project = prepare_folder(out_dir)
    data = project.root / DATA_DIR

    project.plan_path.write_text(template_text("plan.yaml"), encoding="utf-8")
    commentary = project.commentary_path(spec.REPORT_QUARTER)
    commentary.parent.mkdir(parents=True, exist_ok=True)
    commentary.write_text(template_text("commentary.yaml"), encoding="utf-8")

    counts = generate_prc(seed)
    prc = write_prc(data / "prc" / f"{spec.FILE_SLUG}-prc-pfa.csv", counts)
    street_dir = data / "police-uk"
    street = write_street_files(street_dir, seed, counts[spec.AREA])
    measures = tuple(
        _write_csv(data / "measures" / name, MEASURES_HEADER, (row.cells() for row in make(seed)))
        for name, make in SERIES_FILES.items()
    )
    weights = _write_csv(data / "lookups" / "offence-weights.csv", WEIGHTS_HEADER, weight_rows())
    population = _write_csv(
        data / "lookups" / "population.csv", POPULATION_HEADER, population_rows()
    )
    codes = _write_csv(data / "lookups" / "offence-codes.csv", CODES_HEADER, code_rows())
    extract = _write_csv(
        data / "records" / f"{spec.FILE_SLUG}-crime-extract.csv", EXTRACT_HEADER, extract_rows(seed)
    )
    staff = _write_csv(
        data / "records" / f"{spec.FILE_SLUG}-staff-extract.csv", STAFF_HEADER, staff_rows(seed)
    )
    roads = tuple(
        _write_csv(data / "road-casualties" / name, header, rows)
        for name, header, rows in road_files(seed)
    )
    return DemoFiles(
        root=project.root,
        plan=project.plan_path,
        commentary=commentary,
        prc=prc,
        police_uk_dir=street_dir,
        police_uk=tuple(street),
        measures=measures,
        weights=weights,
        population=population,
        offence_codes=codes,
        seed=seed,
        records=(extract, staff),
        road_casualties=roads,
    )
