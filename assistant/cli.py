"""`localities`: one CLI over the library (ingest, search, ask, serve, eval, ui)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.config import Settings, get_settings

app = typer.Typer(help="Localities Assistant: ask the Transformation in localities toolkit.", no_args_is_help=True)
console = Console(stderr=True)
out = Console()



@app.callback()
def _root() -> None:
    """Localities Assistant: ask the Transformation in localities toolkit."""


IndexOpt = Annotated[Optional[Path], typer.Option("--index", help="Index directory (default: settings).")]


def _settings(**overrides: object) -> Settings:
    base = get_settings()
    values = {k: v for k, v in overrides.items() if v is not None}
    return base.model_copy(update=values) if values else base


@app.command()
def ingest(
    corpus: Annotated[Optional[Path], typer.Option("--corpus", help="Corpus folder.")] = None,
    index: IndexOpt = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Sentence-transformers name or path.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if nothing changed.")] = False,
) -> None:
    """Parse the corpus and build the search index (incremental; unchanged corpus → no work).

    Example: localities ingest --corpus corpus/ --index index/
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from ingest.pipeline import ingest as run_ingest

    settings = _settings(corpus_dir=corpus, index_dir=index, model=model)
    if not settings.corpus_dir.is_dir():
        console.print(f"[red]Corpus folder '{settings.corpus_dir}' not found.[/red]")
        raise typer.Exit(1)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task({"parse": "Parsing documents", "embed": "Embedding passages", "write": "Writing index"}[stage], total=total)
            bar.update(tasks[stage], completed=done, total=total)

        report = run_ingest(settings.corpus_dir, settings.index_dir, settings.model, progress=progress, force=force)
    verb = "Index unchanged, reused" if report.reused_build else "Built index"
    console.print(
        f"{verb}: {report.documents} documents, {report.passages} passages, {report.case_studies} case studies "
        f"({report.embedded} embedded) in {report.seconds:.1f} s → {report.build_path}"
    )
    for name, reason in report.skipped:
        console.print(f"[yellow]Skipped {name}: {reason}[/yellow]")
    if report.skipped:
        raise typer.Exit(2)


def _register_subcommands() -> None:
    from evals.cli import register

    register(app)


_register_subcommands()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
