"""Text, path and flag options coerced without typer's pydantic adapters (cli/params.py)
give what typer's own coercion gives: the same values reach the command, and the same
errors (typer's own, for anything the plain coercion hands back) are printed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from planwatch.cli.params import TESTED_TYPER, PlainGroup, plain_coercion


def _app(cls: type[TyperGroup], seen: list[dict[str, Any]]) -> typer.Typer:
    app = typer.Typer(cls=cls, add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """A group, as planwatch's app is."""

    @app.command()
    def show(
        name: Annotated[str, typer.Option()] = "x",
        maybe: Annotated[str | None, typer.Option()] = None,
        where: Annotated[Path, typer.Option()] = Path("."),
        existing: Annotated[Path | None, typer.Option(exists=True, dir_okay=False)] = None,
        flag: Annotated[bool, typer.Option("--flag")] = False,
        switch: Annotated[bool, typer.Option("--on/--off")] = True,
        count: Annotated[int, typer.Option()] = 1,
    ) -> None:
        seen.append(
            {
                "name": name,
                "maybe": maybe,
                "where": where,
                "existing": existing,
                "flag": flag,
                "switch": switch,
                "count": count,
            }
        )

    return app


def _invoke(cls: type[TyperGroup], args: list[str]) -> tuple[int, str, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    done = CliRunner().invoke(_app(cls, seen), args)
    return done.exit_code, done.output, [{k: (type(v), v) for k, v in s.items()} for s in seen]


def _cases(tmp: Path) -> list[list[str]]:
    real = tmp / "real.txt"
    real.write_text("x", encoding="utf-8")
    return [
        ["show"],
        ["show", "--name", "Essex Police"],
        ["show", "--name", ""],
        ["show", "--name", "  padded  "],
        ["show", "--name", "ünïcode"],
        ["show", "--name", "bad\udcff"],  # an undecodable byte from the command line
        ["show", "--maybe", "2023/24-Q1"],
        ["show", "--where", "some/folder"],
        ["show", "--where", ""],
        ["show", "--where", "~"],
        ["show", "--existing", str(real)],
        ["show", "--existing", str(tmp / "missing.txt")],
        ["show", "--existing", str(tmp)],  # a folder where a file is wanted
        ["show", "--flag", "--off"],
        ["show", "--count", "3"],
        ["show", "--count", "three"],
        ["show", "--name"],
        ["show", "--help"],
        ["--help"],
    ]


def test_the_plain_coercion_gives_what_typer_gives(tmp_path: Path) -> None:
    for args in _cases(tmp_path):
        assert _invoke(PlainGroup, args) == _invoke(TyperGroup, args), args


def test_the_plain_coercion_is_used(tmp_path: Path) -> None:
    """The check above can fail: planwatch's group does replace typer's coercion here."""
    command = typer.main.get_command(_app(PlainGroup, []))
    show = command.commands["show"]  # type: ignore[attr-defined]
    with typer.Context(command) as ctx:
        taken = {p.name: plain_coercion(p) for p in show.get_params(ctx)}
    if not hasattr(show.params[0], "_runtime_param"):
        pytest.skip("this typer coerces with click's types (no pydantic to avoid)")
    if _typer_release() not in TESTED_TYPER:  # left to typer: nothing is replaced
        assert not any(taken.values())
        return
    assert taken == {
        "name": True,
        "maybe": True,
        "where": True,
        "existing": True,
        "flag": True,
        "switch": True,
        "count": False,  # typer's own
        "help": True,
    }


def _typer_release() -> tuple[int, ...]:
    return tuple(int(part) for part in typer.__version__.split(".")[:2])


def test_an_untested_typer_release_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    """typer's private coercion layer may change in any release: in one this module was not
    tested with, no option is given the plain coercion and typer coerces them all."""
    from planwatch.cli import params

    params._plain_param.cache_clear()
    monkeypatch.setattr(typer, "__version__", "0.99.0")
    try:
        command = typer.main.get_command(_app(PlainGroup, []))
        show = command.commands["show"]  # type: ignore[attr-defined]
        with typer.Context(command) as ctx:
            assert not any(plain_coercion(p) for p in show.get_params(ctx))
    finally:
        params._plain_param.cache_clear()
