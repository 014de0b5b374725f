"""Read ``plan.yaml`` into a :class:`~planwatch.plan.models.Plan`.

In: a path (or YAML text). Out: a validated, frozen ``Plan``, or one
:class:`~planwatch.errors.PlanError` listing *every* problem in the file, each
with file, line, field and — for a misspelt name — the nearest valid one.

Hostile files are refused before they cost anything: a file over :data:`MAX_PLAN_BYTES`,
more than :data:`MAX_ALIASES` YAML aliases, or aliases that would expand past
:data:`MAX_NODES` nodes (the "billion laughs" attack) — counted from the parser's events,
which never expand an alias. An impossible date (``2020-02-30``) is reported at its field
and line like any other invalid value.

Two readers, one result: a valid plan is read by libyaml under YAML 1.2 rules
(:mod:`planwatch.plan.fast_yaml`, about 20x less CPU than ruamel.yaml on a 430-measure plan)
and checked; when that reader steps aside (aliases, tags, unusual scalars) or any check
fails, the text is read again by ruamel.yaml, whose nodes carry their lines, and every
problem is reported from there. ``tests/plan/test_fast_load.py`` holds the two to the same
data and the same ``Plan``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planwatch.errors import Location, PlanError, Problem, suggest
from planwatch.plan import cache as plan_cache

if TYPE_CHECKING:  # pydantic and the models are imported when a plan is read or rebuilt
    from pydantic import ValidationError

    from planwatch.plan.models import Plan
    from planwatch.plan.outline import PlanOutline

#: Largest plan file read, in bytes. The biggest real plan we hold (the demo's, with every
#: measure of a full Police and Crime Plan) is 15 kB; 1 MiB leaves a margin of about 70x.
MAX_PLAN_BYTES = 1 << 20
#: YAML aliases (``*name``) a plan may use. Plans need none; a few shared blocks are fine.
MAX_ALIASES = 100
#: YAML nodes the plan may expand to once every alias is followed. The demo plan has
#: about 1,200; a 352-byte "billion laughs" block expands to 10^9.
MAX_NODES = 100_000


def _ruamel() -> Any:
    """A ruamel.yaml round-trip loader, whose nodes know their lines (a new one per read:
    a loader holds its parser's state). ruamel.yaml is imported on first use only."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.Constructor = _constructor()
    return yaml


@cache
def _constructor() -> Any:
    """The round-trip constructor, defined on first use."""
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.nodes import ScalarNode

    class PlanConstructor(RoundTripConstructor):
        """Round-trip YAML, except that an impossible date (``2020-02-30``) stays text, so
        that validation reports it at its field and line rather than ``datetime`` raising."""

        def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
            try:
                return super().construct_yaml_timestamp(node, values)
            except ValueError:
                return self.construct_scalar(node) if isinstance(node, ScalarNode) else None

    PlanConstructor.add_constructor(
        "tag:yaml.org,2002:timestamp", PlanConstructor.construct_yaml_timestamp
    )
    return PlanConstructor


def load_plan(path: str | Path, *, cache_dir: Path | None = None) -> Plan:
    """The plan in the file ``path``. With ``cache_dir`` (the project's
    :data:`planwatch.plan.cache.CACHE_DIR`), a plan read before from the same bytes, by
    the same code, is taken from there without reading it again, and a plan read now is
    kept there (:mod:`planwatch.plan.cache`)."""
    path, content = _read(path)
    if cache_dir is not None:
        kept = plan_cache.cached(cache_dir, path, content)
        if kept is not None:
            return kept
    return _parse_and_keep(path, content, cache_dir)


def load_outline(path: str | Path, *, cache_dir: Path) -> PlanOutline | Plan:
    """What ``planwatch status`` reads of the plan in the file ``path``: its outline
    (:mod:`planwatch.plan.outline`) when the cache holds one for these bytes — neither
    pydantic nor the plan's models imported — else the plan read as :func:`load_plan` reads
    it (every check, the same errors), given as its outline when that is
    :attr:`~planwatch.plan.outline.PlanOutline.plain` and as the plan itself when not (a
    record-based measure's query needs the models)."""
    from planwatch.plan.outline import outline_of

    path, content = _read(path)
    kept = plan_cache.cached_outline(cache_dir, path, content)
    if kept is not None:
        return kept
    plan = plan_cache.cached(cache_dir, path, content) or _parse_and_keep(path, content, cache_dir)
    outline = outline_of(plan)
    return outline if outline.plain else plan


def _read(path: str | Path) -> tuple[Path, bytes]:
    """The plan file's path and bytes, refused when missing or too large to be a plan."""
    path = Path(path)
    if not path.exists():
        raise PlanError(
            f"plan file not found: {path}",
            expected="a plan.yaml (create one with 'planwatch init')",
        )
    _check_size(path.stat().st_size, str(path))
    return path, path.read_bytes()


def _parse_and_keep(path: Path, content: bytes, cache_dir: Path | None) -> Plan:
    try:
        # As reading the file in text mode would: universal newlines.
        text = content.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise PlanError(
            "the plan file is not UTF-8 text", location=Location(file=str(path))
        ) from exc
    plan = parse_plan(text, filename=str(path))
    if cache_dir is not None:
        plan_cache.keep(cache_dir, path, content, plan)
    return plan


def _check_size(size: int, filename: str) -> None:
    if size > MAX_PLAN_BYTES:
        raise PlanError(
            f"the plan file is {size:,} bytes",
            location=Location(file=filename),
            expected=f"at most {MAX_PLAN_BYTES:,} bytes (a plan is a few kilobytes of YAML)",
        )


def _check_aliases(yaml: Any, text: str, filename: str) -> None:
    """Refuse too many aliases, or aliases that expand too far, from the parser's events."""
    from ruamel.yaml import events as yaml_events

    sizes: dict[str, int] = {}  # anchor -> nodes it stands for
    stack: list[tuple[str | None, int]] = [(None, 0)]  # open collections: anchor, nodes so far
    aliases = 0
    for event in yaml.parse(text):
        if isinstance(event, yaml_events.CollectionStartEvent):
            stack.append((event.anchor, 1))
            continue
        if isinstance(event, yaml_events.CollectionEndEvent):
            anchor, nodes = stack.pop()
        elif isinstance(event, yaml_events.AliasEvent):
            aliases += 1
            anchor, nodes = None, sizes.get(str(event.anchor), 1)
            where = Location(file=filename, line=event.start_mark.line + 1)
            if aliases > MAX_ALIASES:
                raise PlanError(
                    f"the plan uses more than {MAX_ALIASES} YAML aliases",
                    location=where,
                    expected="plain YAML: write each block out instead of '*alias'",
                )
        elif isinstance(event, yaml_events.ScalarEvent):
            anchor, nodes = event.anchor, 1
        else:
            continue
        if anchor is not None:
            sizes[anchor] = nodes
        parent_anchor, parent_nodes = stack.pop()
        total = parent_nodes + nodes
        if total > MAX_NODES:
            raise PlanError(
                f"the plan's YAML aliases expand to more than {MAX_NODES:,} values",
                location=Location(file=filename, line=event.start_mark.line + 1),
                expected="plain YAML without nested aliases (a 'billion laughs' block)",
            )
        stack.append((parent_anchor, total))


def parse_plan(text: str, *, filename: str = "plan.yaml") -> Plan:
    """The plan in ``text``: read with libyaml when it is valid (:func:`_parse_fast`); read
    again with the line-tracking loader when anything is wrong, to say where."""
    _check_size(len(text.encode("utf-8")), filename)
    plan = _parse_fast(text, filename)
    return plan if plan is not None else _parse_located(text, filename)


def _parse_fast(text: str, filename: str) -> Plan | None:
    """The plan if libyaml reads it and every check passes, else ``None``. No problem is
    reported from here: problems are found again, with their lines, by the slow path."""
    from pydantic import ValidationError

    from planwatch.plan.fast_yaml import load_fast  # libyaml: not for a plan from its cache
    from planwatch.plan.models import Plan

    data = load_fast(text)
    if not isinstance(data, dict):
        return None
    try:
        plan = Plan.model_validate(data)
    except ValidationError:
        return None
    if any(True for _ in _cross_references(data, filename)) or any(
        True for _ in _record_measures(plan, data, filename)
    ):
        return None
    return plan


def _parse_located(text: str, filename: str) -> Plan:
    """The plan read with ruamel.yaml, whose nodes carry their lines, so that every problem
    names its file, line and field; alias bombs are refused from the parser's events first."""
    from pydantic import ValidationError
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    from planwatch.plan.models import Plan

    yaml = _ruamel()
    try:
        _check_aliases(yaml, text, filename)
        data = yaml.load(text)
    except YAMLError as exc:
        # Where the unclosed construct started is more helpful than where the parser gave up.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        if context:
            problem = f"{problem} ({context})"
        raise PlanError(
            f"the plan is not valid YAML: {problem}", location=Location(file=filename, line=line)
        ) from exc
    if not isinstance(data, CommentedMap):
        raise PlanError(
            "the plan must be a mapping with 'metadata' and 'priorities'",
            location=Location(file=filename, line=1),
        )

    problems: list[Problem] = []
    try:
        plan = Plan.model_validate(_plain(data))
    except ValidationError as exc:
        problems.extend(_from_validation(exc, data, filename))
        plan = None
    problems.extend(_cross_references(data, filename))
    if plan is not None:
        problems.extend(_record_measures(plan, data, filename))
    if problems:
        raise PlanError(problems=_unique(problems))
    assert plan is not None
    return plan


def _plain(node: Any) -> Any:
    from planwatch.plan.fast_yaml import mapping_key  # the slow path follows the fast one

    if isinstance(node, dict):
        return {mapping_key(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _line_of(data: Any, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the deepest node of ``loc`` that exists in the YAML tree."""
    node = data
    line: int | None = None
    for key in loc:
        try:
            # ruamel's CommentedMap and CommentedSeq carry their lines in ``lc``.
            lines: Any = getattr(node, "lc", None)
            if lines is None:
                break
            if isinstance(node, dict) and key in node:
                line = lines.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int) and key < len(node):
                line = lines.item(key)[0] + 1
                node = node[key]
            else:
                break
        except (AttributeError, KeyError, TypeError):
            break
    return line


def _describe(data: Any, loc: Sequence[int | str]) -> str:
    """A human path: ``priority 1 > commitment 'c2' > owners`` rather than ``priorities.0...``."""
    parts: list[str] = []
    node = data
    i = 0
    while i < len(loc):
        key = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        child = node.get(key) if isinstance(node, dict) else None
        if (
            key in ("priorities", "measures", "commitments", "departments", "events")
            and isinstance(nxt, int)
            and isinstance(child, list)
            and nxt < len(child)
        ):
            item = child[nxt]
            singular = str(key).rstrip("s")
            ident = (
                item.get("number", item.get("id", item.get("label")))
                if isinstance(item, dict)
                else None
            )
            parts.append(
                f"{singular} {ident!r}"
                if isinstance(ident, str)
                else f"{singular} {ident if ident is not None else nxt + 1}"
            )
            node = item
            i += 2
            continue
        parts.append(str(key))
        node = child
        i += 1
    return " > ".join(parts)


#: Names pydantic puts in an error's path for the member of a union it tried.
_UNION_TAGS = {"prc", "police_uk", "series", "records", "filter", "group"}


def _from_validation(exc: ValidationError, data: Any, filename: str) -> Iterable[Problem]:
    for err in exc.errors():
        loc = [part for part in err["loc"] if not (isinstance(part, str) and part in _UNION_TAGS)]
        field = _describe(data, loc)
        line = _line_of(data, loc)
        kind = err["type"]
        suggestion = None
        if kind == "extra_forbidden":
            parent = loc[:-1]
            message = f"unknown field '{loc[-1]}'"
            suggestion = suggest(str(loc[-1]), _allowed_fields(parent, data))
        elif kind == "missing":
            message = f"missing required field '{loc[-1]}'"
        elif kind.startswith("date") and isinstance(err.get("input"), str):
            message = f"'{err['input']}' is not a date: {err['msg'].split(', ', 1)[-1]}"
        else:
            message = err["msg"].removeprefix("Value error, ")
        yield Problem(
            message, Location(file=filename, line=line, field=field), suggestion=suggestion
        )


def _allowed_fields(parent: Sequence[int | str], data: Any) -> list[str]:
    from planwatch.plan import models

    model: Any = models.Plan
    node = data
    for key in parent:
        if isinstance(key, int):
            node = node[key] if isinstance(node, list) and key < len(node) else None
            continue
        node = node.get(key) if isinstance(node, dict) else None
        field_info = model.model_fields.get(key) if hasattr(model, "model_fields") else None
        if field_info is None:
            return []
        model = _model_of(field_info.annotation, node)
    return list(model.model_fields) if hasattr(model, "model_fields") else []


def _model_of(annotation: Any, node: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    candidates = [
        a for a in _flatten(annotation) if isinstance(a, type) and issubclass(a, BaseModel)
    ]
    if len(candidates) > 1 and isinstance(node, dict) and "kind" in node:
        for c in candidates:
            if c.model_fields.get("kind") and c.model_fields["kind"].default == node["kind"]:
                return c
    return candidates[0] if candidates else get_args(annotation)


def _flatten(annotation: Any) -> list[Any]:
    from typing import get_args

    args = get_args(annotation)
    if not args:
        return [annotation]
    out: list[Any] = []
    for a in args:
        out.extend(_flatten(a))
    return out


def _cross_references(data: dict[str, Any], filename: str) -> Iterable[Problem]:
    """Names that must refer to something defined elsewhere in the plan."""
    measures = data.get("measures") or []
    departments = data.get("departments") or []
    measure_ids = [str(m["id"]) for m in measures if isinstance(m, dict) and m.get("id")]
    dept_ids = [str(d["id"]) for d in departments if isinstance(d, dict) and d.get("id")]

    yield from _duplicates(measure_ids, "measure", data, "measures", filename)
    yield from _duplicates(dept_ids, "department", data, "departments", filename)

    commitment_ids: list[str] = []
    numbers: list[int] = []
    for pi, priority in enumerate(data.get("priorities") or []):
        if not isinstance(priority, dict):
            continue
        label = f"priority {priority.get('number', pi + 1)}"
        if isinstance(priority.get("number"), int):
            numbers.append(priority["number"])
        for mi, mid in enumerate(priority.get("measures") or []):
            if mid not in measure_ids:
                yield _unknown(
                    "measure",
                    mid,
                    measure_ids,
                    label,
                    data,
                    ["priorities", pi, "measures", mi],
                    filename,
                )
        for ci, commitment in enumerate(priority.get("commitments") or []):
            if not isinstance(commitment, dict):
                continue
            if commitment.get("id"):
                commitment_ids.append(commitment["id"])
            for oi, owner in enumerate(commitment.get("owners") or []):
                if owner not in dept_ids:
                    where = f"{label}, commitment '{commitment.get('id', ci + 1)}'"
                    yield _unknown(
                        "department",
                        owner,
                        dept_ids,
                        where,
                        data,
                        ["priorities", pi, "commitments", ci, "owners", oi],
                        filename,
                    )
    yield from _comparisons(measures, measure_ids, data, filename)
    yield from _links(measures, measure_ids, data, filename)
    for ei, event in enumerate(data.get("events") or []):
        if not isinstance(event, dict):
            continue
        for mi, mid in enumerate(event.get("measures") or []):
            if mid not in measure_ids:
                where = f"event '{event.get('label', ei + 1)}'"
                yield _unknown(
                    "measure",
                    mid,
                    measure_ids,
                    where,
                    data,
                    ["events", ei, "measures", mi],
                    filename,
                )
    seen: set[str] = set()
    for cid in commitment_ids:
        if cid in seen:
            yield Problem(
                f"commitment id '{cid}' is used more than once",
                Location(file=filename),
                expected="ids unique across the plan",
            )
        seen.add(cid)
    if len(set(numbers)) != len(numbers):
        yield Problem(
            "two priorities share a number",
            Location(file=filename, field="priorities"),
            expected="numbers unique",
        )


def _comparisons(
    measures: list[Any], measure_ids: list[str], data: Any, filename: str
) -> Iterable[Problem]:
    """``compare_with`` must name another measure, and both must be proportions."""
    aggregation = {
        str(m.get("id")): m.get("aggregation", "sum") for m in measures if isinstance(m, dict)
    }

    def both_proportions(mid: str, other: str) -> str | None:
        if aggregation.get(mid) == "proportion" and aggregation.get(other) == "proportion":
            return None
        return (
            f"measure '{mid}' is compared with '{other}', but only proportions can be "
            "compared (two-proportion z test)"
        )

    yield from _references(
        measures,
        measure_ids,
        data,
        filename,
        key="compare_with",
        itself="measure '{mid}' is compared with itself",
        mismatch=both_proportions,
        expected="both measures with aggregation: proportion",
    )


def _links(
    measures: list[Any], measure_ids: list[str], data: Any, filename: str
) -> Iterable[Problem]:
    """``part_of`` and ``pattern_like`` must name another measure of the same frequency."""
    frequency = {
        str(m.get("id")): m.get("frequency", "quarter") for m in measures if isinstance(m, dict)
    }
    for key in ("part_of", "pattern_like"):

        def same_frequency(mid: str, other: str, key: str = key) -> str | None:
            if frequency.get(other) == frequency.get(mid):
                return None
            return (
                f"measure '{mid}' ({frequency.get(mid)}ly) names '{other}' "
                f"({frequency.get(other)}ly) in {key}"
            )

        yield from _references(
            measures,
            measure_ids,
            data,
            filename,
            key=key,
            itself="measure '{mid}' names itself in " + key,
            mismatch=same_frequency,
            expected="a measure of the same frequency",
        )


def _references(
    measures: list[Any],
    measure_ids: list[str],
    data: Any,
    filename: str,
    *,
    key: str,
    itself: str,
    mismatch: Callable[[str, str], str | None],
    expected: str,
) -> Iterable[Problem]:
    """A measure's ``key`` must name another measure that ``mismatch`` accepts (None)."""
    for mi, measure in enumerate(measures):
        other = measure.get(key) if isinstance(measure, dict) else None
        if other is None:
            continue
        mid = str(measure.get("id", mi + 1))
        loc: list[int | str] = ["measures", mi, key]
        where = Location(
            file=filename, line=_line_of(data, loc), field=".".join(str(p) for p in loc)
        )
        if other not in measure_ids:
            yield _unknown(
                "measure", other, measure_ids, f"measure '{mid}', {key}", data, loc, filename
            )
        elif other == mid:
            yield Problem(itself.format(mid=mid), where, expected="the id of another measure")
        elif (message := mismatch(mid, str(other))) is not None:
            yield Problem(message, where, expected=expected)


def _duplicates(ids: list[str], what: str, data: Any, key: str, filename: str) -> Iterable[Problem]:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            yield Problem(
                f"{what} id '{ident}' is defined twice",
                Location(file=filename, line=_line_of(data, [key, i]), field=key),
                expected="ids unique",
            )
        seen.add(ident)


def _unknown(
    what: str,
    name: Any,
    valid: list[str],
    where: str,
    data: Any,
    loc: list[int | str],
    filename: str,
) -> Problem:
    return Problem(
        f"unknown {what} '{name}' in {where}",
        Location(file=filename, line=_line_of(data, loc), field=".".join(str(p) for p in loc)),
        suggestion=suggest(str(name), valid),
    )


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in problems:
        if str(p) not in seen:
            seen.add(str(p))
            out.append(p)
    return out


def _record_measures(plan: Plan, data: Any, filename: str) -> Iterable[Problem]:
    """Record sources named once; every record-based measure fits the source it counts."""
    from planwatch.plan.models import RecordsSource
    from planwatch.plan.records import DefinitionError, compile_query

    yield from _duplicates(
        [r.name for r in plan.record_sources], "record source", data, "record_sources", filename
    )
    names = list(plan.record_source_names())
    for mi, measure in enumerate(plan.measures):
        if not isinstance(measure.source, RecordsSource):
            continue
        base: list[int | str] = ["measures", mi, "source"]
        try:
            source_def = plan.record_source(measure.source.records)
        except KeyError:
            yield _unknown(
                "record source",
                measure.source.records,
                names,
                f"measure '{measure.id}'",
                data,
                [*base, "records"],
                filename,
            )
            continue
        try:
            compile_query(measure, source_def)
        except DefinitionError as exc:
            for p in exc.problems:
                loc = [*base, *p.path]
                yield Problem(
                    f"measure '{measure.id}': {p.message}",
                    Location(file=filename, line=_line_of(data, loc), field=_describe(data, loc)),
                    p.expected,
                    p.suggestion,
                )
