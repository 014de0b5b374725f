"""Text and path options read without pydantic (fast start-up; issue 17).

typer 0.2x coerces every option's value, the defaults too, through a pydantic
``TypeAdapter`` it builds for the option (``typer._adapters``): every command imported
pydantic (0.09 s of CPU) and built a validator per option, and ``planwatch status``, which
no longer needs pydantic for anything else, paid for both. :class:`PlainGroup` — the
app's click group — gives the options declared as ``str`` or ``Path`` a coercion of their
own: a text value is taken as it is, a path is made a ``Path`` and then checked by typer's
own path checks (``exists`` and the like), which is what the adapter does. Any other value
(not text, text Python cannot encode, an empty path) goes to typer's own coercion, so its
errors are typer's. ``tests/cli/test_cli_params.py`` holds the two to the same results.

Only typer's private coercion layer (``typer._coercion``) is touched, and only in the typer
versions it was tested with (:data:`TESTED_TYPER`): older versions coerce with click's
types, without pydantic, and newer ones may change that private layer, so both are left to
typer (a slower start, never a broken command line).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

#: The typer releases (major, minor) whose private coercion layer this module was written
#: against and is tested with (tests/cli/test_cli_params.py); any other is left alone.
TESTED_TYPER = ((0, 29),)


class PlainGroup(TyperGroup):
    """The app's group: its commands' text and path options coerced without pydantic."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _plain_params(self, ctx)
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            _plain_params(command, ctx)
        return name, command, rest


def _plain_params(command: Any, ctx: Any) -> None:
    """Every parameter of ``command`` that can be, :func:`plain_coercion`'s (with
    ``--help``, which the command makes for the context)."""
    for param in command.get_params(ctx):
        plain_coercion(param)


def plain_coercion(param: Any) -> bool:
    """Give ``param`` (a typer option or argument) the coercion of this module when it is
    declared as ``str`` or ``Path`` with nothing typer would parse it by; True if it was."""
    plain = _plain_param()
    descriptor = getattr(param, "type_descriptor", None)
    if plain is None or descriptor is None or getattr(param, "_runtime_param", 1) is not None:
        return False
    info = descriptor.parameter_info
    if descriptor.annotation not in (str, Path, bool) or descriptor.file_annotation is not None:
        return False
    if info.parser is not None or getattr(info, "path_type", None) is not None:
        return False
    param._runtime_param = plain(
        parameter_info=info, annotation=descriptor.annotation, descriptor=descriptor
    )
    return True


@cache
def _plain_param() -> type | None:
    """The coercion class, made from typer's own base class (``None`` without one, or in a
    typer release it was not tested with)."""
    if tuple(int(part) for part in typer.__version__.split(".")[:2]) not in TESTED_TYPER:
        return None
    try:
        from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
        from typer._param_types import coerce_cli_path
    except ImportError:  # typer before its pydantic coercion: nothing to do
        return None

    @dataclass(frozen=True)
    class PlainParam(RuntimeParam):
        """A text or path option's value as typer's adapter would give it, or typer's own
        coercion for anything else."""

        descriptor: TypeDescriptor

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if isinstance(value, bool) and self.annotation is bool:
                return value
            if isinstance(value, str) and _plain_text(value):
                if self.annotation is str:
                    return value
                if value:
                    return self._path(Path(value), param, ctx)
            elif isinstance(value, Path) and self.annotation is Path:
                return self._path(value, param, ctx)
            typers = build_runtime_param(self.descriptor)  # imports pydantic
            return typers._coerce_value(value, param=param, ctx=ctx)

        def _path(self, value: Path, param: Any, ctx: Any) -> Any:
            return coerce_cli_path(value, self.parameter_info, path_type=Path, param=param, ctx=ctx)

    return PlainParam


def _plain_text(value: str) -> bool:
    """Text any validator takes as it is: encodable (no lone surrogates from undecodable
    command-line bytes) and without NUL."""
    if "\0" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
