"""The CLI prints what the data says as written: a ``:name:`` in a file or series name is
not turned into an emoji (and rich's emoji table is not loaded to look for one)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from planwatch.cli import status
from planwatch.store.status import Coverage, StoreStatus

REPO = Path(__file__).resolve().parents[2]


def test_status_prints_emoji_codes_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    result = StoreStatus(
        quarter=None,
        loads=(),
        coverage=(Coverage("series", ":smile: survey", "2023/24 Q1", "2023/24 Q2", 2, ()),),
        measures=(),
        warnings=("suspect value held out of analysis: :thumbs_up: 2023/24 Q1 = 3",),
    )
    status._print(result, has_plan=True)
    out = capsys.readouterr().out
    assert ":smile: survey" in out
    assert ":thumbs_up: 2023/24 Q1" in out
    assert "\N{SMILING FACE WITH OPEN MOUTH}" not in out and "\N{THUMBS UP SIGN}" not in out


def test_printing_a_table_does_not_load_the_emoji_table() -> None:
    code = (
        "import sys\n"
        "from planwatch.cli import status\n"
        "from planwatch.store.status import Coverage, StoreStatus\n"
        "cover = (Coverage('series', 'a:smile:', '2023/24 Q1', '2023/24 Q1', 1, ()),)\n"
        "status._print(StoreStatus(None, (), cover, (), ('w: x',)), has_plan=True)\n"
        "print('rich.table' in sys.modules, 'rich._emoji_codes' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.split()[-2:] == ["True", "False"]  # a table was drawn; no emoji table


@pytest.mark.parametrize(
    ("args", "built"), [(["status", "--help"], ["status"]), (["--help"], None)]
)
def test_a_command_builds_only_its_own_options(
    args: list[str], built: list[str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.main

    from planwatch.cli import main

    seen: list[str] = []
    make = typer.main.get_command_from_info

    def counted(*given: Any, **options: Any) -> Any:
        info = given[0] if given else options["command_info"]
        seen.append(info.callback.__name__)
        return make(*given, **options)

    monkeypatch.setattr(typer.main, "get_command_from_info", counted)
    monkeypatch.setattr(sys, "argv", ["planwatch", *args])
    every = list(main.app.registered_commands)
    try:
        main.run()
    except SystemExit as exc:
        assert not exc.code
    assert seen == (built or [c.callback.__name__ for c in every if c.callback])
    assert main.app.registered_commands == every  # all back for the next run in-process
