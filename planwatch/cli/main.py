"""Entry point: builds the Typer app from one module per command and prints
:class:`~planwatch.errors.PlanwatchError` without a traceback."""

from __future__ import annotations

import sys

import typer
from typer.main import get_command_name
from typer.models import CommandInfo

from planwatch.cli import analyse, areas, demo, ingest, init, measures, report, serve, status
from planwatch.cli.common import report_error
from planwatch.cli.params import PlainGroup
from planwatch.errors import PlanwatchError

app = typer.Typer(
    name="planwatch",
    help="Turn a Police and Crime Plan into its quarterly performance update.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=PlainGroup,  # text and path options read without pydantic (fast start-up)
)


@app.callback()
def _root() -> None:
    """Turn a Police and Crime Plan into its quarterly performance update."""


for module in (init, ingest, status, measures, analyse, report, areas, demo, serve):
    module.register(app)


def _commands_for(args: list[str]) -> list[CommandInfo]:
    """Of the registered commands, only the one ``args`` name, when they name one: typer
    builds every registered command's options at each start (15 ms of CPU for planwatch's),
    and a command's run, help and errors need only its own. Anything else (no command, a
    group option, a misspelt name to suggest a command for) keeps them all."""
    every = list(app.registered_commands)
    if not args or args[0].startswith("-"):
        return every
    chosen = [
        c
        for c in every
        if (c.name or get_command_name(c.callback.__name__ if c.callback else "")) == args[0]
    ]
    return chosen or every


def run() -> None:
    registered = app.registered_commands
    app.registered_commands = _commands_for(sys.argv[1:])
    try:
        _run()
    finally:  # run() may be called again in the same process (tests do)
        app.registered_commands = registered


def _run() -> None:
    try:
        app(standalone_mode=False)
    except PlanwatchError as exc:
        report_error(exc, as_json="--json" in sys.argv)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:
        # Usage errors from the click layer (typer vendors click in recent versions).
        show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            sys.exit(code)
        raise


if __name__ == "__main__":
    run()
