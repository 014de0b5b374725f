"""Where a planwatch project keeps its files.

In: a project folder. Out: the paths of its parts. A project is a folder with::

    plan.yaml                 the plan (step 1)
    planwatch.duckdb          the store (step 3)
    overrides.yaml            analysts' key-point overrides (step 6)
    commentary/2023-24-Q1.yaml  commentary per quarter, until the web app supplies it
    output/                   reports (step 7)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from planwatch.periods import Quarter

PLAN_FILE = "plan.yaml"
STORE_FILE = "planwatch.duckdb"
OVERRIDES_FILE = "overrides.yaml"
COMMENTARY_DIR = "commentary"
OUTPUT_DIR = "output"


@dataclass(frozen=True)
class Project:
    root: Path

    @staticmethod
    def at(path: str | Path = ".") -> Project:
        return Project(Path(path).resolve())

    @property
    def plan_path(self) -> Path:
        return self.root / PLAN_FILE

    @property
    def store_path(self) -> Path:
        return self.root / STORE_FILE

    @property
    def overrides_path(self) -> Path:
        return self.root / OVERRIDES_FILE

    @property
    def commentary_dir(self) -> Path:
        return self.root / COMMENTARY_DIR

    def commentary_path(self, quarter: Quarter) -> Path:
        return self.commentary_dir / f"{quarter.slug}.yaml"

    @property
    def output_dir(self) -> Path:
        return self.root / OUTPUT_DIR
