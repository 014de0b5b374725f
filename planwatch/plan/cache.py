"""A valid plan kept, so that a command reading the same plan again skips the reading.

In: the bytes of a plan file and a cache folder (the project's :data:`CACHE_DIR`).
Out: the :class:`~planwatch.plan.models.Plan` that those bytes were read into before,
rebuilt field by field without validating it again (pydantic's validators are never built:
``planwatch status`` 0.04 s less CPU for the validators, 0.02 s for the YAML reader and
0.01 s for the validation; issue 17), or ``None``; and the plan's outline
(:class:`~planwatch.plan.outline.PlanOutline`, what ``planwatch status`` reads), kept
beside it and read without importing pydantic or the plan's models (0.1 s of CPU).

An entry is found only by its key: the SHA-256 of the plan's bytes together with
planwatch's version, pydantic's version (read from its ``version.py``, not imported) and
the source code of the plan layer and of
:mod:`planwatch.periods` (what reading a plan depends on). So any edit to the plan, even
one byte, and any change to how plans are read, reads the plan again with every check; an
invalid plan is never kept (it never gets this far), so its error with its lines is given
as before. The entry is data only (JSON, every value tagged with its type), never code, so
a file put in the cache folder cannot run anything; anything unexpected in it is a miss.

Kept on a best-effort basis: a folder that cannot be written (read-only, full disk) only
means the plan is read again next time; an entry is written to a temporary file and
renamed into place, so a reader never sees half an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import date, datetime
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

import planwatch

if TYPE_CHECKING:  # imported when a whole plan is rebuilt or kept, not for its outline
    from pydantic import BaseModel

    from planwatch.plan import models
    from planwatch.plan.outline import PlanOutline

#: The project's cache folder (beside plan.yaml and the store), made on first use.
CACHE_DIR = ".planwatch-cache"
#: The source files, besides the plan layer's own, whose code decides what a plan file is
#: read into.
_OTHER_CODE = ("periods.py",)


class _Unkept(Exception):
    """A value the cache's format does not hold: the plan is simply not kept."""


@cache
def _code_digest() -> bytes:
    digest = hashlib.sha256(f"{planwatch.__version__}\0".encode())
    digest.update(_pydantic_version_file() + b"\0")
    here = Path(__file__).parent
    code = [here / name for name in sorted(os.listdir(here)) if name.endswith(".py")]
    for path in (*code, *(here.parent / name for name in _OTHER_CODE)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def _pydantic_version_file() -> bytes:
    """pydantic's ``version.py`` (it holds the release, ``VERSION = '2.x.y'``), read without
    importing pydantic: importing ``pydantic.version`` imports pydantic_core (0.05 s)."""
    spec = find_spec("pydantic")
    if spec is None or not spec.submodule_search_locations:
        raise OSError("pydantic is not installed")
    return (Path(next(iter(spec.submodule_search_locations))) / "version.py").read_bytes()


def key_of(content: bytes) -> str:
    """The entry's key for a plan file's bytes (see the module docstring)."""
    return hashlib.sha256(_code_digest() + content).hexdigest()


def _entry_path(folder: Path, plan_path: Path) -> Path:
    return folder / f"{plan_path.name}.json"


#: What a damaged or foreign entry raises while it is read: a miss.
_MISS = (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, _Unkept)


def _entry(folder: Path, plan_path: Path, content: bytes) -> dict[str, Any] | None:
    """The entry kept for these bytes of ``plan_path`` (its key checked), or ``None``."""
    entry = json.loads(_entry_path(folder, plan_path).read_bytes())
    return entry if isinstance(entry, dict) and entry.get("key") == key_of(content) else None


def cached(folder: Path, plan_path: Path, content: bytes) -> models.Plan | None:
    """The plan kept for these bytes of ``plan_path``, or ``None``."""
    from planwatch.plan import models

    try:
        entry = _entry(folder, plan_path, content)
        plan = _decode(entry["plan"]) if entry is not None else None
    except _MISS:
        return None
    return plan if isinstance(plan, models.Plan) else None


def cached_outline(folder: Path, plan_path: Path, content: bytes) -> PlanOutline | None:
    """The outline kept with the plan for these bytes of ``plan_path`` when it is
    :attr:`~planwatch.plan.outline.PlanOutline.plain`, or ``None``."""
    from planwatch.plan.outline import PlanOutline

    try:
        entry = _entry(folder, plan_path, content)
        outline = PlanOutline.from_json(entry["outline"]) if entry is not None else None
    except _MISS:
        return None
    return outline if outline is not None and outline.plain else None


def keep(folder: Path, plan_path: Path, content: bytes, plan: models.Plan) -> None:
    """Keep ``plan`` as what these bytes of ``plan_path`` are read into (best effort)."""
    from planwatch.plan.outline import outline_of

    try:
        entry = {
            "key": key_of(content),
            "plan": _encode(plan),
            "outline": outline_of(plan).to_json(),
        }
        text = json.dumps(entry, allow_nan=False)
    except (_Unkept, ValueError, OSError, RecursionError):  # OSError: the code unreadable
        return
    try:
        if not folder.is_dir():
            folder.mkdir()
            # Like pytest's cache folder: never added to a project kept in git.
            (folder / ".gitignore").write_text("# made by planwatch\n*\n", encoding="utf-8")
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".plan-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, _entry_path(folder, plan_path))
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def _encode(value: Any) -> Any:
    """JSON for a validated plan: every model, tuple, dict and date tagged with its type."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        cls = type(value)
        if _classes().get(cls.__name__) is not cls:
            raise _Unkept(cls.__name__)
        if value.__pydantic_extra__ or value.__pydantic_private__:
            raise _Unkept(cls.__name__)
        return {
            "$m": cls.__name__,
            "$set": sorted(value.model_fields_set),
            "$f": {k: _encode(v) for k, v in value.__dict__.items()},
        }
    if isinstance(value, tuple):
        return {"$t": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise _Unkept("a mapping with keys other than text")
        return {"$d": {k: _encode(v) for k, v in value.items()}}
    if isinstance(value, datetime):
        raise _Unkept("a date and time")
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if value is None or isinstance(value, str | bool | int | float):
        return value
    raise _Unkept(type(value).__name__)


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$t" in value:
        return tuple(_decode(v) for v in value["$t"])
    if "$d" in value:
        return {str(k): _decode(v) for k, v in value["$d"].items()}
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    cls = _classes()[value["$m"]]
    fields = {str(k): _decode(v) for k, v in value["$f"].items()}
    if set(fields) != set(cls.model_fields):
        raise _Unkept(cls.__name__)
    made = cls.__new__(cls)
    # What unpickling a model does: the validated fields put back as they were.
    made.__setstate__(
        {
            "__dict__": fields,
            "__pydantic_fields_set__": {str(k) for k in value["$set"]},
            "__pydantic_extra__": None,
            "__pydantic_private__": None,
        }
    )
    return made


@cache
def _classes() -> dict[str, type[BaseModel]]:
    """The plan's model classes by name."""
    from pydantic import BaseModel

    from planwatch.plan import models

    return {
        name: cls
        for name, cls in vars(models).items()
        if isinstance(cls, type)
        and issubclass(cls, BaseModel)
        and cls.__module__ == models.__name__
    }
