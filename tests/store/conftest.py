"""A store loaded once per session with the real files in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.services.ingest import IngestResult, ingest


@pytest.fixture(scope="session")
def real_loads(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, IngestResult]]:
    project = tmp_path_factory.mktemp("real") / "project"
    steps = {
        "codes": (
            "offence_codes",
            [shared_data / "lookups" / "ho-offence-code-to-policeuk-category.csv"],
        ),
        "weights": (
            "weights",
            [shared_data / "lookups" / "crime-severity-weights-policeuk-ons-code-join.csv"],
        ),
        "pfa": ("prc", [shared_data / "prc-pfa-2017-18.csv"]),
        "groups": ("prc", [shared_data / "prc-force-offencegroup-quarterly-2002-2024.csv"]),
        "essex": ("police_uk", [shared_data / "police-uk-street" / "essex"]),
        "wy": ("police_uk", [shared_data / "police-uk-street" / "west-yorkshire"]),
    }
    return project, {name: ingest(project, kind, paths) for name, (kind, paths) in steps.items()}


@pytest.fixture(scope="session")
def real_store(real_loads: tuple[Path, dict[str, IngestResult]]) -> Path:
    return real_loads[0]
