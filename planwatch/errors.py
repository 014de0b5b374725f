"""One error hierarchy for planwatch.

In: whatever went wrong at the edge (a file, a plan, a request).
Out: an exception that knows *where* (file, line, row, field), *what was expected*
and, where we can guess, *what was probably meant*; it renders as one plain line
for the CLI, as a dict for ``--json`` and the web app.

Every error raised on purpose by planwatch is a :class:`PlanwatchError`. The CLI
prints them without a traceback and exits with :attr:`PlanwatchError.exit_code`.
"""

from __future__ import annotations

import difflib
import errno
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

#: How close (0..1, difflib ratio) a name must be to count as "did you mean".
SUGGESTION_CUTOFF = 0.6


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The closest valid name to ``name`` (case-insensitive), or ``None``."""
    pool = list(candidates)
    lowered = {c.lower(): c for c in pool}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=SUGGESTION_CUTOFF)
    return lowered[match[0]] if match else None


#: How the C library and DuckDB word ENOSPC, for errors that carry only their text.
NO_SPACE_TEXT = "No space left on device"


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc``, or an error it was raised from or while handling, is a full disk."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno == errno.ENOSPC:
            return True
        if NO_SPACE_TEXT in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file and, where known, a line, a data row and a field."""

    file: str | None = None
    line: int | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "row": self.row, "field": self.field}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with where it is and what was expected."""

    message: str
    location: Location = field(default_factory=Location)
    expected: str | None = None
    suggestion: str | None = None
    #: The plan measure the problem concerns, when it concerns one (warnings of a run).
    measure: str | None = None

    def __str__(self) -> str:
        text = self.message
        if self.measure is not None and f"'{self.measure}'" not in text:
            text = f"measure '{self.measure}': {text}"
        where = str(self.location)
        if where:
            text = f"{text} ({where})"
        if self.expected:
            text = f"{text}; expected {self.expected}"
        if self.suggestion:
            text = f"{text}; did you mean '{self.suggestion}'?"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "location": self.location.to_dict(),
            "expected": self.expected,
            "suggestion": self.suggestion,
            "measure": self.measure,
        }


class PlanwatchError(Exception):
    """Base of every error planwatch raises on purpose.

    Carries one or more :class:`Problem` s so that a file with many mistakes is
    reported all at once.
    """

    exit_code = 1
    title = "planwatch error"
    http_status = 400

    def __init__(
        self,
        message: str | None = None,
        *,
        problems: Sequence[Problem] = (),
        location: Location | None = None,
        expected: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        probs = list(problems)
        if message is not None:
            probs.insert(0, Problem(message, location or Location(), expected, suggestion))
        if not probs:
            probs = [Problem(self.title)]
        self.problems: tuple[Problem, ...] = tuple(probs)
        super().__init__(self.render())

    def render(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def about(self, measure: str) -> tuple[Problem, ...]:
        """The problems, each marked as concerning ``measure`` (a run's warnings are data)."""
        return tuple(replace(p, measure=measure) for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": type(self).__name__,
            "title": self.title,
            "message": self.render(),
            "problems": [p.to_dict() for p in self.problems],
        }


class PlanError(PlanwatchError):
    """The plan file is malformed, or names something that does not exist."""

    title = "The plan file has problems"
    exit_code = 2


class PeriodError(PlanwatchError):
    """A period label could not be parsed or is out of range."""

    title = "Unreadable period"
    exit_code = 2


class IngestError(PlanwatchError):
    """A data file could not be loaded; nothing from it was stored."""

    title = "The file could not be loaded"
    exit_code = 3


class StoreError(PlanwatchError):
    """The project store is missing, locked or inconsistent."""

    title = "Store problem"
    exit_code = 4


class AnalysisError(PlanwatchError):
    """An analysis was asked for something the data cannot give."""

    title = "Analysis problem"
    exit_code = 5


class ReportError(PlanwatchError):
    """The report could not be built or rendered."""

    title = "Report problem"
    exit_code = 6


class CommentaryError(PlanwatchError):
    """Commentary input (file, spreadsheet, form) is invalid."""

    title = "Commentary problem"
    exit_code = 7


class ConfigError(PlanwatchError):
    """A setting or option is invalid."""

    title = "Invalid setting"
    exit_code = 2


class NotFoundError(PlanwatchError):
    """Something asked for by name does not exist."""

    title = "Not found"
    http_status = 404
    exit_code = 2
