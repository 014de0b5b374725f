"""Where a planwatch project keeps its files.

In: a project folder. Out: the paths of its parts. A project is a folder with::

    plan.yaml                 the plan (step 1)
    planwatch.duckdb          the store (step 3)
    overrides.yaml            analysts' key-point overrides (step 6)
    commentary/2023-24-Q1.yaml  commentary per quarter, until the web app supplies it
    output/                   reports (step 7)
    areas/<area>/             one area's own overrides.yaml and commentary/, when the
                              plan is run for another area (``planwatch report-areas``)

A :class:`Project` with an ``area`` is the project's plan run for that area instead of its
own (``metadata.area``; :func:`planwatch.services.analyse.plan_for_area`): same plan and
store, the area's own overrides, commentary and output folder.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from planwatch.periods import Quarter

PLAN_FILE = "plan.yaml"
STORE_FILE = "planwatch.duckdb"
OVERRIDES_FILE = "overrides.yaml"
COMMENTARY_DIR = "commentary"
OUTPUT_DIR = "output"
AREAS_DIR = "areas"


@dataclass(frozen=True)
class Project:
    root: Path
    #: The area the plan is run for, when not the plan's own (``None``: its own).
    area: str | None = None

    @staticmethod
    def at(path: str | Path = ".") -> Project:
        return Project(Path(path).resolve())

    def for_area(self, area: str) -> Project:
        """This project's plan run for ``area`` (the module docstring)."""
        return replace(self, area=area)

    @property
    def area_dir(self) -> Path:
        """``areas/<area slug>/``: an area's own overrides and commentary (the project
        folder itself for the plan's own area)."""
        if self.area is None:
            return self.root
        from planwatch.plan.models import slugify  # pydantic: not at start-up

        return self.root / AREAS_DIR / slugify(self.area)

    @property
    def plan_path(self) -> Path:
        return self.root / PLAN_FILE

    @property
    def store_path(self) -> Path:
        return self.root / STORE_FILE

    @property
    def overrides_path(self) -> Path:
        return self.area_dir / OVERRIDES_FILE

    @property
    def commentary_dir(self) -> Path:
        return self.area_dir / COMMENTARY_DIR

    def commentary_path(self, quarter: Quarter) -> Path:
        return self.commentary_dir / f"{quarter.slug}.yaml"

    @property
    def output_dir(self) -> Path:
        """``output/``, or for another area ``output/areas/<area slug>/``."""
        if self.area is None:
            return self.root / OUTPUT_DIR
        return self.root / OUTPUT_DIR / AREAS_DIR / self.area_dir.name
