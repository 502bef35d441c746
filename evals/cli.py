"""`localities eval` and `localities eval-compare`, registered on the main CLI."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from evals.dataset import DEFAULT_SET

REPORTS_DIR = Path(__file__).resolve().parent / "reports"
console = Console(stderr=True)


def run_evaluation(
    questions_path: Path,
    split: str,
    url: str | None,
    baselines: bool,
    index_dir: Path | None = None,
    assistant: object | None = None,
) -> dict[str, object]:
    """Evaluate our system (in-process, or the service at `url`) and, optionally, the three baselines."""
    from assistant.settings import get_settings
    from evals.dataset import load_questions
    from evals.runner import evaluate_system, report_dict
    from evals.systems import AssistantSystem, HttpSystem, LangChainBaseline, baseline_params

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = get_settings()
    if index_dir is not None:
        settings = settings.model_copy(update={"index_dir": index_dir})
    questions = load_questions(questions_path, split)
    systems: list[object] = []
    local = assistant
    if local is None and (url is None or baselines):
        from assistant.service import build_assistant

        local = build_assistant(settings)
    systems.append(HttpSystem(url) if url else AssistantSystem(local))
    if baselines:
        systems += [
            AssistantSystem(local, "bm25 only", baseline_params("bm25"), answers=False),
            AssistantSystem(local, "dense only", baseline_params("dense"), answers=False),
        ]
        toolkit = settings.corpus_dir / "transformation-in-localities-toolkit.txt"
        with console.status("Building the plain LangChain baseline…"):
            systems.append(LangChainBaseline(toolkit, settings.model))
    reports = []
    with Progress(console=console) as bar:
        for system in systems:
            task = bar.add_task(f"{system.name}", total=len(questions))  # type: ignore[attr-defined]
            reports.append(evaluate_system(system, questions, lambda n, t=task: bar.advance(t, n)))  # type: ignore[arg-type]
    built_at = local.store.manifest.get("built_at") if local is not None else None  # type: ignore[attr-defined]
    meta = {"split": split, "questions": len(questions), "set": str(questions_path), "built_at": built_at, "run_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    return report_dict(reports, meta)


def _record_history(report: dict) -> None:
    """In a shared deployment the summary rows also go to the database's evaluation history."""
    from assistant.settings import get_settings
    from stores.backends import is_postgres

    settings = get_settings()
    if is_postgres(settings.database_url):
        from evals.history import record_evaluation

        record_evaluation(str(settings.database_url), report)
        console.print("Evaluation summary recorded in the database's evaluation history.")


def _summary_table(report: dict) -> Table:
    from evals.report import HEADLINE

    table = Table(title=f"Evaluation ({report['meta']['split']} split, {report['meta']['questions']} questions)")
    table.add_column("system")
    for column in HEADLINE:
        table.add_column(column, justify="right")
    for system in report["systems"]:
        summary = system["summary"]
        table.add_row(system["name"], *(f"{summary[c]:.3f}" if c in summary and c.count("ms") == 0 else (f"{summary[c]:.1f}" if c in summary else "–") for c in HEADLINE))
    return table


def register(app: typer.Typer) -> None:
    """Add the evaluation commands to the main CLI."""

    @app.command("eval")
    def eval_command(
        set_path: Annotated[Path, typer.Option("--set", help="Question set (JSONL).")] = DEFAULT_SET,
        url: Annotated[Optional[str], typer.Option("--url", help="Evaluate a running service instead of in-process.")] = None,
        split: Annotated[str, typer.Option("--split", help="dev, test or all. Tune on dev; report on test.")] = "test",
        baselines: Annotated[bool, typer.Option("--baselines/--no-baselines", help="Also run BM25-only, dense-only and plain LangChain.")] = True,
        out: Annotated[Path, typer.Option("--out", help="Folder for report folders.")] = REPORTS_DIR,
    ) -> None:
        """Score retrieval and answers on the curated set; writes evals/reports/<timestamp>/.

        Example: localities eval --split test
        """
        from evals.report import write_report

        if split not in ("dev", "test", "all"):
            console.print("[red]--split must be dev, test or all.[/red]")
            raise typer.Exit(2)
        report = run_evaluation(set_path, split, url, baselines)
        folder = write_report(report, out / time.strftime("%Y%m%d-%H%M%S"))
        _record_history(report)
        Console().print(_summary_table(report))
        console.print(f"Report written to {folder}/report.md")

    @app.command("eval-compare")
    def eval_compare(
        before: Annotated[Path, typer.Argument(help="Earlier report folder.")],
        after: Annotated[Path, typer.Argument(help="Later report folder.")],
    ) -> None:
        """Per question, what got better and what got worse between two reports.

        Example: localities eval-compare evals/reports/20261125-090000 evals/reports/20261125-100000
        """
        from evals.compare import compare

        better, worse = compare(before, after)
        out = Console()
        out.print(f"[green]{len(better)} better[/green], [red]{len(worse)} worse[/red] (rank of the first relevant passage)")
        for change in better + worse:
            mark = "[green]+[/green]" if change.better else "[red]-[/red]"
            out.print(f"{mark} {change.id}: {change.before} → {change.after}  {change.question}")
