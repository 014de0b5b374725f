"""Commentary on commitments: what owners write each quarter.

In: a commentary YAML file (until the web app supplies approved commentary) or
rows from the web app. Out: frozen :class:`CommentaryEntry` objects keyed by
commitment id, which the report places in the commitments table.

File format (``commentary/2023-24-Q1.yaml`` beside the plan)::

    quarter: 2023/24 Q1
    entries:
      - commitment: p1-neighbourhood
        department: north-lpa
        rag: green            # optional: red, amber, green
        text: |
          Paragraphs of commentary...
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from planwatch.errors import CommentaryError, Location, Problem, suggest
from planwatch.periods import Quarter, parse_quarter
from planwatch.plan.models import Plan

#: Longest commentary accepted for one commitment, in characters (about two printed pages).
MAX_COMMENTARY_CHARS = 10_000

Rag = Literal["red", "amber", "green"]


class CommentaryEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    commitment: str
    department: str
    text: str = Field(max_length=MAX_COMMENTARY_CHARS)
    rag: Rag | None = None


class Commentary(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    quarter: str
    entries: tuple[CommentaryEntry, ...] = ()

    @property
    def period(self) -> Quarter:
        return parse_quarter(self.quarter)

    def for_commitment(self, commitment_id: str) -> tuple[CommentaryEntry, ...]:
        return tuple(e for e in self.entries if e.commitment == commitment_id)


def load_commentary(path: str | Path, plan: Plan) -> Commentary:
    """Read and check a commentary file against the plan's commitments and owners."""
    path = Path(path)
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8-sig"))
    except (OSError, YAMLError, UnicodeDecodeError) as exc:
        raise CommentaryError(
            f"cannot read commentary: {exc}", location=Location(file=str(path))
        ) from exc
    try:
        commentary = Commentary.model_validate(data)
    except ValidationError as exc:
        raise CommentaryError(
            problems=[
                Problem(
                    e["msg"], Location(file=str(path), field=".".join(str(p) for p in e["loc"]))
                )
                for e in exc.errors()
            ]
        ) from exc
    check_commentary(commentary, plan, filename=str(path))
    return commentary


def check_commentary(commentary: Commentary, plan: Plan, *, filename: str | None = None) -> None:
    owners = {c.id: c.owners for _, c in plan.commitments()}
    problems: list[Problem] = []
    for i, entry in enumerate(commentary.entries):
        loc = Location(file=filename, field=f"entries.{i}")
        if entry.commitment not in owners:
            problems.append(
                Problem(
                    f"unknown commitment '{entry.commitment}'",
                    loc,
                    suggestion=suggest(entry.commitment, owners),
                )
            )
        elif entry.department not in owners[entry.commitment]:
            problems.append(
                Problem(
                    f"department '{entry.department}' does not own commitment '{entry.commitment}'",
                    loc,
                    expected=" or ".join(owners[entry.commitment]),
                )
            )
    if problems:
        raise CommentaryError(problems=problems)
