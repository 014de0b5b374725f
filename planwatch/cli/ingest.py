"""`planwatch ingest KIND PATH...`: load data files into the project store.

Thin: parses options, shows progress, prints what each load did (with ``--dry-run``:
what it would do, nothing stored); the work is in :func:`planwatch.services.ingest.ingest`.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planwatch.cli.common import JsonOption, ProjectOption, console, print_json, project_of

if TYPE_CHECKING:  # the services are imported by the command itself (fast start-up)
    from planwatch.services.ingest import IngestResult
    from planwatch.store.services import LoadRecord


class Kind(StrEnum):
    prc = "prc"
    police_uk = "police-uk"
    measures = "measures"
    weights = "weights"
    population = "population"
    offence_codes = "offence-codes"
    records = "records"
    stats19 = "stats19"


KIND_HELP = (
    "prc: Home Office recorded crime table (CSV/XLSX/ODS, by offence code or by offence group); "
    "police-uk: data.police.uk street files (folders, zips or CSVs); measures: tidy measures CSV; "
    "weights: offence weights; population: area, year, population; offence-codes: Home Office offence code lookup; "
    "records NAME: a record-level extract (CSV/XLSX/ODS/Parquet) mapped by the plan's record source NAME; "
    "stats19: DfT road casualty collision and casualty CSVs with the codebook"
)


def register(app: typer.Typer) -> None:
    @app.command(name="ingest")
    def ingest_command(
        kind: Annotated[Kind, typer.Argument(help=KIND_HELP)],
        paths: Annotated[list[Path], typer.Argument(help="Files, folders or zip archives")],
        project: ProjectOption = Path("."),
        as_json: JsonOption = False,
        replace: Annotated[
            bool,
            typer.Option(
                "--replace",
                help="Replace everything each file covers (e.g. every offence of its forces and "
                "quarters), deleting stored figures the file does not mention",
            ),
        ] = False,
        dry_run: Annotated[
            bool,
            typer.Option(
                "--dry-run",
                help="Read and check the files and say exactly what the load would add, revise "
                "and replace, storing nothing",
            ),
        ] = False,
    ) -> None:
        """Load data files into the project store (each call lands whole or not at all).

        A file revises the stored figures it contains and keeps those it does not mention.
        """
        from planwatch.services.ingest import ingest

        proj = project_of(project)
        records = None
        if kind is Kind.records:  # `ingest records NAME PATH...`: the first argument is the name
            records, paths = (str(paths[0]), paths[1:]) if paths else (None, paths)
        if as_json:
            result = ingest(
                proj, kind.value, paths, replace=replace, record_source=records, dry_run=dry_run
            )
            print_json(result.to_dict())
            return
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("starting", total=None)

            def progress(what: str, done: int, total: int) -> None:
                bar.update(task, description=what, completed=done, total=total)

            result = ingest(
                proj,
                kind.value,
                paths,
                progress=progress,
                replace=replace,
                record_source=records,
                dry_run=dry_run,
            )
        _print(result)


def _print(result: IngestResult) -> None:
    dry = result.dry_run
    for name, load_id in result.already_loaded:
        console.print(
            f"[yellow]already loaded[/] {name} (load {load_id}): "
            + ("nothing would change" if dry else "nothing changed"),
            highlight=False,
        )
    if result.loads:
        _print_loads(result)
    if dry:
        console.print(
            "[bold]Dry run:[/] nothing was stored; the same command without --dry-run loads "
            + ("the files" if result.loads else "nothing"),
            highlight=False,
        )


def _print_loads(result: IngestResult) -> None:
    from rich.table import Table

    title = "Would load" if result.dry_run else "Loaded"
    table = Table(title=f"{title} ({result.kind.replace('_', '.')})", title_justify="left")
    for col in ("load", "file", "rows", "periods", "replaced", "revised figures"):
        table.add_column(
            col, justify="right" if col in ("load", "rows", "revised figures") else "left"
        )
    for r in result.loads:
        table.add_row(
            str(r.load_id),
            _short(r.file_name),
            f"{r.rows:,}",
            r.periods_covered,
            str(r.replaced_load_id or ""),
            str(r.revisions),
        )
    console.print(table)
    for r in result.loads:
        if line := replaced_line(r, dry_run=result.dry_run):
            console.print(line, highlight=False, soft_wrap=True)
    notes = sorted({r.note for r in result.loads if r.note})
    for note in notes:
        console.print(f"note: {note}", highlight=False)
    for w in result.warnings:
        console.print(f"[bold yellow]Warning:[/] {w}", highlight=False, soft_wrap=True)


def _short(file_name: str) -> str:
    """The file's own name (for a zip member, the member's name), for tables."""
    return Path(file_name.split("!")[-1]).name


def replaced_line(r: LoadRecord, *, dry_run: bool = False) -> str:
    """Exactly what a load replaced, deleted and kept ('' if it replaced nothing); with
    ``dry_run``, what it would. A records load counts records, and covers its whole source."""
    if not r.replaced_load_id:
        return ""
    name = _short(r.file_name)
    records = r.source_kind == "records"
    upto = f"(up to load {r.replaced_load_id})"
    if r.replace:
        verb = "would replace" if dry_run else "replaced"
        covered = "of its source" if records else "it covers"
        deleted = (
            f"deleting the {r.unmentioned_rows:,} of them not in the file"
            if r.unmentioned_rows
            else "every one of them in the file"
        )
        return f"{name} {verb} all {_stored(r.replaced_rows, records)} {covered} {upto}, {deleted} (--replace)"
    revised, kept = ("would revise", "would keep") if dry_run else ("revised", "kept")
    line = f"{name} {revised} {_stored(r.replaced_rows, records)} {upto}"
    if r.unmentioned_rows:
        which = "" if records else " for the same periods"
        line += (
            f"; {kept} {_stored(r.unmentioned_rows, records)}{which} that the file does not "
            "mention (--replace would delete them)"
        )
    return line


def _stored(n: int, records: bool) -> str:
    """ "1 stored row", "2,000 stored records"."""
    return f"{n:,} stored {'record' if records else 'row'}{'s' if n != 1 else ''}"
