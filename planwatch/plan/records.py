"""A record-based measure's definition, compiled to a typed query and put into words.

In: a :class:`~planwatch.plan.models.RecordsSource` (filters joined by all/any, an
aggregation, the date counted by, an area) and the
:class:`~planwatch.plan.models.RecordSourceDef` it counts.
Out: a frozen :class:`RecordQuery` — every column resolved to its declared type, every
value converted to that type (text lower-cased: text tests ignore case and surrounding
spaces) — that :mod:`planwatch.store.records` turns into ONE parameterised DuckDB query;
and the definition in words ("crimes flagged domestic abuse, by recorded date") that
the measure carries into its key points, JSON and the report notes.

Pure: no I/O, no SQL. Problems (a column the source does not map, a test the column's
type cannot take, a value of the wrong type) are returned with the plan path they are
at, so :mod:`planwatch.plan.load` can report them all at once with their lines. Values
that are well-typed but occur in no stored record are checked against the data by the
store (they need it); a column whose codes a codebook defines (the built-in STATS19
source's, :data:`STATS19_CODES`) carries them in the query, so a defined code no record
has counts zero and an undefined one is an error.

This lives in the plan layer, not in ``planwatch.measures``: the store's
``measure_frame`` (below the measures in the import layers) compiles the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Literal

from planwatch.errors import suggest
from planwatch.plan.models import (
    ColumnType,
    Filter,
    Group,
    Measure,
    RecordSourceDef,
    RecordsSource,
    Stock,
    Value,
)

Operator = Literal[
    "equals", "in", "not_in", "contains", "matches", "between", "is_true", "is_empty"
]
#: Which column types each operator takes.
OPERATOR_TYPES: dict[str, tuple[ColumnType, ...]] = {
    "equals": ("text", "integer", "number", "date"),
    "in": ("text", "integer", "number", "date"),
    "not_in": ("text", "integer", "number", "date"),
    "contains": ("text",),
    "matches": ("text",),
    "between": ("integer", "number", "date"),
    "is_true": ("flag",),
    "is_empty": ("text", "integer", "number", "date", "flag"),
}
#: Column types an aggregation can sum.
SUMMABLE: tuple[ColumnType, ...] = ("integer", "number")

Typed = str | float | date


@dataclass(frozen=True)
class Test:
    """One filter with its column's type and its values converted to that type."""

    column: str
    type: ColumnType
    op: Operator
    values: tuple[Typed, ...] = ()
    positive: bool = True  # is_true: false / is_empty: false test the opposite


@dataclass(frozen=True)
class Join:
    how: Literal["all", "any"]
    parts: tuple[Test | Join, ...]


@dataclass(frozen=True)
class RecordQuery:
    """Everything the store needs to count one record-based measure."""

    measure_id: str
    source: str
    date_column: str
    frequency: Literal["month", "quarter"]
    aggregate: Literal["count", "count_distinct", "sum"]
    of: str | None
    of_type: ColumnType | None
    area_column: str | None
    area: str | None
    where: Test | Join | None
    words: str
    #: a stock (count at each period's end): "span" (records in post on the last day:
    #: started by it, ``stock_end`` blank or not before it) or "snapshot" (the period's
    #: latest snapshot); ``None`` for a flow counted over the period
    #: a share: the percentage of the counted records that also pass this test
    share: Test | Join | None = None
    stock: Literal["span", "snapshot"] | None = None
    stock_end: str | None = None
    listed_from: date | None = None
    #: the codes a codebook defines for the source's coded integer columns (column, codes),
    #: valid whether or not a stored record has one; ``codebook`` names that codebook
    codes: tuple[tuple[str, tuple[int, ...]], ...] = ()
    codebook: str | None = None

    def tests(self) -> tuple[Test, ...]:
        """Every test of the condition and the share, in the order written."""
        return _tests(self.where) + _tests(self.share)

    def codes_of(self, column: str) -> tuple[int, ...] | None:
        """The codes the codebook defines for ``column``; ``None`` if it defines none."""
        return dict(self.codes).get(column)


@dataclass(frozen=True)
class QueryProblem:
    """A problem with a definition, at ``path`` (keys and indexes under the measure's source)."""

    path: tuple[str | int, ...]
    message: str
    expected: str | None = None
    suggestion: str | None = None


class DefinitionError(Exception):
    """The definition does not fit its record source; carries every problem."""

    def __init__(self, problems: list[QueryProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def compile_query(
    measure: Measure, source_def: RecordSourceDef, force: str | None = None
) -> RecordQuery:
    """The typed query of a record-based measure, or :class:`DefinitionError` with every problem.

    ``force``: the plan's force, counted by default when the source's areas are forces.
    """
    source = measure.source
    assert isinstance(source, RecordsSource)
    problems: list[QueryProblem] = []
    columns = source_def.columns

    def column_type(name: str, path: tuple[str | int, ...]) -> ColumnType | None:
        if name in columns:
            return columns[name].type
        problems.append(
            QueryProblem(
                path,
                f"record source '{source_def.name}' has no column '{name}'",
                expected="one of " + ", ".join(columns),
                suggestion=suggest(name, columns),
            )
        )
        return None

    date_column = source.date or source_def.date
    if column_type(date_column, ("date",)) not in (None, "date"):
        problems.append(
            QueryProblem(
                ("date",),
                f"'{date_column}' is not a date column",
                expected="a column of type date",
            )
        )
    of_type: ColumnType | None = None
    if source.aggregate != "count":
        if source.of is None:
            problems.append(
                QueryProblem(
                    ("of",),
                    f"'{source.aggregate}' needs the column it counts or sums",
                    expected="of: COLUMN",
                )
            )
        else:
            of_type = column_type(source.of, ("of",))
            if source.aggregate == "sum" and of_type is not None and of_type not in SUMMABLE:
                problems.append(
                    QueryProblem(
                        ("of",),
                        f"'{source.of}' is a {of_type} column and cannot be summed",
                        expected="an integer or number column",
                    )
                )
    if source.stock is not None:
        _check_stock(measure, source.stock, column_type, problems)
    if source.area is not None and source_def.area is None:
        problems.append(
            QueryProblem(
                ("area",),
                f"record source '{source_def.name}' has no area column",
                expected="an 'area:' column in the record source, or no area on the measure",
            )
        )
    where = (
        _compile(source.where, ("where",), column_type, problems)
        if source.where is not None
        else None
    )
    share = (
        _compile(source.share, ("share",), column_type, problems)
        if source.share is not None
        else None
    )
    if source.share is not None and (
        measure.aggregation != SHARE_AGGREGATION or measure.unit != SHARE_UNIT
    ):
        problems.append(
            QueryProblem(
                ("share",),
                f"a share is a percentage of the records counted, so the measure needs unit: "
                f"{SHARE_UNIT} and aggregation: {SHARE_AGGREGATION} (it has unit: "
                f"{measure.unit}, aggregation: {measure.aggregation})",
                expected=f"unit: {SHARE_UNIT} and aggregation: {SHARE_AGGREGATION} on the measure",
            )
        )
    if source.table_by is not None:
        _check_table_by(source.table_by, source.share is not None, column_type, problems)
    if problems:
        raise DefinitionError(problems)
    built_in = source_def == _built_in_sources()[0]  # not a plan's own source of that name
    return RecordQuery(
        measure_id=measure.id,
        source=source_def.name,
        date_column=date_column,
        frequency=measure.frequency,
        aggregate=source.aggregate,
        of=source.of,
        of_type=of_type,
        area_column=source_def.area,
        area=source.area or (force if source_def.area_is_force else None),
        where=where,
        share=share,
        words=definition_words(source, source_def),
        stock=None if source.stock is None else "snapshot" if source.stock.snapshot else "span",
        stock_end=source.stock.ends if source.stock else None,
        listed_from=source.stock.listed_from if source.stock else None,
        codes=tuple(STATS19_CODES.items()) if built_in else (),
        codebook=STATS19_CODEBOOK if built_in else None,
    )


#: The measure settings a stock needs: a headcount is not added up over a year (12-month
#: windows sum only additive units, :data:`planwatch.measures.windows.ADDITIVE_UNITS`) and
#: a quarter's value is its last day's.
STOCK_UNIT = "number"
STOCK_AGGREGATION = "last"
#: A share's settings: numerators and denominators pooled over windows, shown in percent.
SHARE_UNIT = "percent"
SHARE_AGGREGATION = "proportion"


def _check_stock(
    measure: Measure, stock: Stock, column_type: object, problems: list[QueryProblem]
) -> None:
    """The end column is a date; a headcount has a stock's unit and aggregation (a share
    of a stock is a proportion in percent, checked with the share)."""
    assert callable(column_type)
    if stock.ends is not None:
        kind = column_type(stock.ends, ("stock", "ends"))
        if kind not in (None, "date"):
            problems.append(
                QueryProblem(
                    ("stock", "ends"),
                    f"'{stock.ends}' is a {kind} column, not a date",
                    expected="the column of the date each record ended (a leaving date)",
                )
            )
    share = isinstance(measure.source, RecordsSource) and measure.source.share is not None
    if not share and (measure.unit != STOCK_UNIT or measure.aggregation != STOCK_AGGREGATION):
        problems.append(
            QueryProblem(
                ("stock",),
                f"a stock is counted at a date, so the measure needs unit: {STOCK_UNIT} and "
                f"aggregation: {STOCK_AGGREGATION} (it has unit: {measure.unit}, "
                f"aggregation: {measure.aggregation}); a headcount summed over 12 months "
                "would mean nothing",
                expected=f"unit: {STOCK_UNIT} and aggregation: {STOCK_AGGREGATION} on the measure",
            )
        )


def _check_table_by(
    column: str, share: bool, column_type: object, problems: list[QueryProblem]
) -> None:
    """A share's table is broken down by one of the source's columns (its type any)."""
    assert callable(column_type)
    if not share:
        problems.append(
            QueryProblem(
                ("table_by",),
                f"'table_by' breaks a share down by '{column}', but the measure has no 'share'",
                expected="a 'share:' test on the measure, or no 'table_by'",
            )
        )
        return
    column_type(column, ("table_by",))


def _compile(
    node: Filter | Group,
    path: tuple[str | int, ...],
    column_type: object,
    problems: list[QueryProblem],
) -> Test | Join | None:
    assert callable(column_type)
    if isinstance(node, Group):
        parts = [
            _compile(part, (*path, node.how, i), column_type, problems)
            for i, part in enumerate(node.parts)
        ]
        return Join(node.how, tuple(p for p in parts if p is not None))
    op: Operator = node.operator  # type: ignore[assignment]
    kind: ColumnType | None = column_type(node.column, (*path, "column"))
    if kind is None:
        return None
    at = (*path, "in" if op == "in" else op)
    if kind not in OPERATOR_TYPES[op]:
        problems.append(
            QueryProblem(
                at,
                f"'{op}' cannot test '{node.column}', a {kind} column",
                expected="an operator for "
                + kind
                + " columns: "
                + ", ".join(o for o, types in OPERATOR_TYPES.items() if kind in types),
            )
        )
        return None
    operand = node.operand
    if op in ("is_true", "is_empty"):
        return Test(node.column, kind, op, (), bool(operand))
    raw: tuple[Value, ...] = (
        tuple(operand)  # type: ignore[arg-type]
        if isinstance(operand, tuple)
        else (operand,)  # type: ignore[assignment]
    )
    if op == "matches":
        try:
            re.compile(str(operand))
        except re.error as exc:
            problems.append(QueryProblem(at, f"'{operand}' is not a regular expression ({exc})"))
            return None
    values: list[Typed] = []
    for value in raw:
        typed = _typed(value, kind)
        if typed is None:
            problems.append(
                QueryProblem(
                    at,
                    f"{value!r} is not a {kind} value for '{node.column}'",
                    expected=_EXPECTED[kind],
                )
            )
            continue
        values.append(typed)
    if op == "between" and len(values) == 2 and values[0] > values[1]:  # type: ignore[operator]
        problems.append(
            QueryProblem(at, f"between {raw[0]} and {raw[1]}: the first is larger than the second")
        )
    return Test(node.column, kind, op, tuple(values))


_EXPECTED: dict[str, str] = {
    "text": "text",
    "integer": "a whole number",
    "number": "a number",
    "date": "a date (YYYY-MM-DD)",
}


def _typed(value: Value, kind: ColumnType) -> Typed | None:
    """A plan value as the column's type (text lower-cased and stripped), or ``None``."""
    if kind == "text":
        return str(value).strip().lower()
    if kind in ("integer", "number"):
        if isinstance(value, bool | date):
            return None
        try:
            number = float(value)
        except ValueError:
            return None
        return None if kind == "integer" and not number.is_integer() else number
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            return None
    return None


def _tests(node: Test | Join | None) -> tuple[Test, ...]:
    if node is None:
        return ()
    if isinstance(node, Test):
        return (node,)
    return tuple(t for part in node.parts for t in _tests(part))


# --- words ------------------------------------------------------------------------------


def definition_words(source: RecordsSource, source_def: RecordSourceDef) -> str:
    """The definition in words: "crimes flagged domestic abuse, by recorded date"."""
    if source.description:
        return source.description
    noun = source_def.noun
    if source.aggregate == "count_distinct" and source.of and source.of not in source_def.id:
        what = f"distinct {_name(source.of)} of {noun}"
    elif source.aggregate == "sum" and source.of:
        what = f"total {_name(source.of)} of {noun}"
    else:
        what = noun
    parts = [what]
    if source.where is not None:
        parts.append(_words(source.where, top=True))
    if source.area:
        parts.append(f"in {source.area}")
    dated = _name(source.date or source_def.date)
    if source.share is not None:
        parts[0] = f"percentage {_words(source.share, top=True)} of {parts[0]}"
    if source.stock is not None and source.stock.ends is not None:
        return " ".join(parts) + (
            f", in post on the last day of each period (from {dated} to {_name(source.stock.ends)})"
        )
    if source.stock is not None:
        return " ".join(parts) + f", at the latest snapshot in each period (by {dated})"
    return " ".join(parts) + f", by {dated}"


def _name(column: str) -> str:
    return column.replace("_", " ")


def _quoted(values: object) -> list[str]:
    items = values if isinstance(values, tuple) else (values,)
    return [f"'{v}'" if isinstance(v, str) else str(v) for v in items]


def _words(node: Filter | Group, *, top: bool = False) -> str:
    if isinstance(node, Group):
        joined = (" and " if node.how == "all" else " or ").join(_words(p) for p in node.parts)
        return joined if top or len(node.parts) == 1 else f"({joined})"
    col, op, operand = _name(node.column), node.operator, node.operand
    if op == "is_true":
        return f"flagged {col}" if operand else f"not flagged {col}"
    if op == "is_empty":
        return f"with no {col}" if operand else f"with a {col}"
    values = _quoted(operand)
    if op == "equals":
        return f"with {col} {values[0]}"
    if op == "in":
        return f"with {col} {_either(values, 'or')}"
    if op == "not_in":
        return f"with {col} not {_either(values, 'or')}"
    if op == "contains":
        return f"with {col} containing {values[0]}"
    if op == "matches":
        return f"with {col} matching /{operand}/"
    return f"with {col} from {values[0]} to {values[1]}"


def _either(values: list[str], word: str) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + f" {word} {values[-1]}"


# --- built-in record sources -----------------------------------------------------------

#: STATS19 road casualties as :mod:`planwatch.ingest.stats19` stores them: one record per
#: casualty, dated and placed by its collision (DfT Road Safety Data, "Road Safety Open
#: Dataset Data Guide" 2024 for the codes). ``ksi_weight`` is 1 for a fatal casualty and
#: the DfT's severity-adjustment probability of "serious" otherwise, so its sum is the
#: adjusted killed-or-seriously-injured count. Validated when first asked for (module
#: ``__getattr__``), not when this module is imported: that would build the record
#: source's validator at every start-up (``planwatch status``; issue 17).
_STATS19_CASUALTIES = {
    "name": "stats19_casualties",
    "noun": "road casualties",
    "origin": "the Department for Transport's road casualty records (STATS19)",
    "id": ["collision_index", "casualty_reference"],
    "date": "date",
    "area": "police_force",
    "area_is_force": True,
    "columns": {
        "collision_index": "text",
        "casualty_reference": "integer",
        "vehicle_reference": "integer",
        "date": "date",
        "police_force": "text",
        "police_force_code": "integer",
        "collision_severity": "integer",
        "casualty_severity": "integer",
        "casualty_class": "integer",
        "casualty_type": "integer",
        "sex_of_casualty": "integer",
        "age_band_of_casualty": "integer",
        "urban_or_rural_area": "integer",
        "adjusted_serious": "number",
        "adjusted_slight": "number",
        "ksi_weight": "number",
    },
}

#: The codebook the STATS19 codes are defined in (``stats19-codebook-2024.csv`` in the
#: shared data, ``variable,code,label,is_missing``, is derived from it).
STATS19_CODEBOOK = "DfT Road Safety Open Dataset Data Guide 2024"
#: The codes :data:`STATS19_CODEBOOK` defines for each coded integer column of
#: ``stats19_casualties`` (the codebook variable is the column's name, ``police_force``
#: for ``police_force_code``); -1 is "data missing or out of range". The reader
#: (:mod:`planwatch.ingest.stats19`) refuses a record whose code the codebook given with
#: the files does not list, so every stored code is one of these; a measure may test for
#: any of them, whether or not a stored record has it (a legitimate zero), and a code
#: not listed here nor stored is an error (:func:`planwatch.store.records.records_sql`).
#: tests/ingest/test_records_stats19.py checks these against the shared codebook file.
STATS19_CODES: dict[str, tuple[int, ...]] = {
    "police_force_code": (
        1, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 20, 21, 22, 23, 30, 31, 32, 33, 34,
        35, 36, 37, 40, 41, 42, 43, 44, 45, 46, 47, 48, 50, 52, 53, 54, 55, 60, 61, 62, 63,
        91, 92, 93, 94, 95, 96, 97, 98, 99,
    ),
    "collision_severity": (1, 2, 3),
    "casualty_severity": (1, 2, 3),
    "casualty_class": (1, 2, 3),
    "casualty_type": (
        -1, 0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23, 90, 97, 98, 99,
        103, 104, 105, 106, 108, 109, 110, 113,
    ),
    "sex_of_casualty": (-1, 1, 2, 9),
    "age_band_of_casualty": (-1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
    "urban_or_rural_area": (-1, 1, 2, 3),
}  # fmt: skip

if TYPE_CHECKING:
    STATS19_CASUALTIES: RecordSourceDef
    #: The record sources every plan has without declaring them.
    BUILT_IN_SOURCES: tuple[RecordSourceDef, ...]


@cache
def _built_in_sources() -> tuple[RecordSourceDef, ...]:
    return tuple(RecordSourceDef.model_validate(data) for data in (_STATS19_CASUALTIES,))


def __getattr__(name: str) -> object:
    """``STATS19_CASUALTIES`` and ``BUILT_IN_SOURCES``, validated on first use."""
    if name == "BUILT_IN_SOURCES":
        return _built_in_sources()
    if name == "STATS19_CASUALTIES":
        return _built_in_sources()[0]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
