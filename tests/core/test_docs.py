"""Keep the documentation true: the README's set-up commands and the architecture map."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README must start with a bash block of set-up commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_exactly_two_setup_commands() -> None:
    text = (REPO / "README.md").read_text()
    assert text.index("```bash") < 40, "the set-up commands must be the README's first lines"
    commands = _readme_commands()
    assert len(commands) == 2
    assert "planwatch demo" in commands[0]
    assert (REPO / commands[1].split()[0]).exists()


def test_ci_runs_the_readme_commands() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert "readme_cmd 1" in ci and "readme_cmd 2" in ci
    assert "PLANWATCH_REQUIRE_SHARED=1" in ci


def test_every_command_the_readme_shows_exists() -> None:
    text = (REPO / "README.md").read_text()
    blocks = "\n".join(re.findall(r"```[a-z]*\n(.*?)```", text, re.S))
    used = sorted(set(re.findall(r"^(?:pip install \. && )?planwatch (\w+)", blocks, re.M)))
    assert used, "README shows no commands"
    for command in used:
        result = subprocess.run(
            [sys.executable, "-m", "planwatch.cli.main", command, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"planwatch {command}: {result.stderr}"


def test_architecture_names_real_folders_in_pipeline_order() -> None:
    text = (REPO / "docs" / "architecture.md").read_text()
    folders = re.findall(r"^\d+\. \*\*\w+\*\* — `(planwatch/\w+/)`", text, re.M)
    assert folders == [
        f"planwatch/{s}/"
        for s in ("plan", "ingest", "store", "measures", "analysis", "narrative", "report", "web")
    ]
    for folder in folders:
        assert (REPO / folder).is_dir(), folder


def test_every_module_says_what_goes_in_and_out() -> None:
    missing = []
    for path in (REPO / "planwatch").rglob("*.py"):
        if "migrations" in path.parts or path.name == "__init__.py":
            continue
        source = path.read_text()
        if not re.match(r'(#.*\n)*\s*(r?"""|\'\'\')', source):
            missing.append(str(path.relative_to(REPO)))
    assert not missing, f"modules without a docstring: {missing}"


#: A number the docs quote from the code carries a marker naming the constant it comes
#: from: ``20<!-- fact: planwatch.ingest.suspect.SUSPECT_RATIO -->``. A trailing ``%`` on
#: the number means the constant is a fraction (0.05 is written ``5%``).
FACT = re.compile(r"([0-9][0-9,.]*)(%?)\s*<!--\s*fact:\s*([\w.]+)\s*-->")


def _facts() -> list[tuple[str, str, str, str]]:
    found = []
    for path in [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md"]:
        for number, percent, name in FACT.findall(path.read_text()):
            found.append((path.name, number, percent, name))
    return found


def _constant(dotted: str) -> object:
    import importlib

    module, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def test_docs_quote_facts_from_the_code() -> None:
    facts = _facts()
    assert any(name.endswith("SUSPECT_RATIO") for _, _, _, name in facts)
    wrong = []
    for doc, number, percent, name in facts:
        written = float(number.replace(",", "").rstrip("."))
        value = float(_constant(name))  # type: ignore[arg-type]
        if percent:
            value *= 100
        if abs(written - value) > 1e-9 * max(1.0, abs(value)):
            wrong.append(f"{doc}: {number}{percent} but {name} = {value:g}")
    assert not wrong, wrong


def test_fact_marker_pattern_reads_numbers_and_percentages() -> None:
    text = "at 5%<!-- fact: a.ALPHA --> and 1,000 <!-- fact: b.N -->"
    assert FACT.findall(text) == [("5", "%", "a.ALPHA"), ("1,000", "", "b.N")]
