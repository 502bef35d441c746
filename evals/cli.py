"""`localities eval` and `localities eval-compare`, registered on the main CLI."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

if TYPE_CHECKING:
    from assistant.params import RetrievalParams

console = Console(stderr=True)


def run_evaluation(
    sets: Mapping[str, Path] | Path,
    split: str,
    url: str | None,
    baselines: bool,
    index_dir: Path | None = None,
    assistant: object | None = None,
    conversation: bool = True,
    on_progress: Callable[[str, int, int], None] | None = None,
    langchain: bool = True,
    variants: Mapping[str, RetrievalParams] | None = None,
) -> dict[str, object]:
    """Evaluate ours (in-process, or the service at `url`) and, optionally, the baselines, on each question set.

    The report holds one section per set under "sets", each with the same systems, so they read side by side.
    `on_progress(stage, done, total)` hears of every question asked, counted over the whole run. `langchain`: with
    the baselines, also the plain LangChain pipeline (it embeds the toolkit again, with torch: a minute or more).
    `variants`: ours again under each of these settings, by name, after ours (the ablation).
    """
    from assistant.settings import get_settings
    from evals.dataset import load_questions
    from evals.runner import evaluate_system, replayed, report_dict
    from evals.systems import AssistantSystem, HttpSystem, LangChainBaseline, baseline_params

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = get_settings()
    if index_dir is not None:
        settings = settings.model_copy(update={"index_dir": index_dir})
    chosen = {sets.stem: sets} if isinstance(sets, Path) else dict(sets)
    systems: list[object] = []
    local = assistant
    if local is None and (url is None or baselines or variants):
        from assistant.service import build_assistant

        local = build_assistant(settings)
    systems.append(HttpSystem(url) if url else AssistantSystem(local))
    systems += [AssistantSystem(local, name, params) for name, params in (variants or {}).items()]
    if baselines:
        systems += [
            AssistantSystem(local, "bm25 only", baseline_params("bm25"), answers=False),
            AssistantSystem(local, "dense only", baseline_params("dense"), answers=False),
        ]
    if baselines and langchain:
        toolkit = settings.corpus_dir / "transformation-in-localities-toolkit.txt"
        with console.status("Building the plain LangChain baseline…"):
            systems.append(LangChainBaseline(toolkit, settings.model))
    built_at = local.store.manifest.get("built_at") if local is not None else None  # type: ignore[attr-defined]
    run_at = time.strftime("%Y-%m-%dT%H:%M:%S")
    sections: dict[str, object] = {}
    loaded = {set_name: load_questions(path, split) for set_name, path in chosen.items()}
    # Standalone questions run twice: as asked, and after an unrelated turn (the conversation check).
    asks = {name: len(qs) + (sum(q.standalone for q in qs) if conversation else 0) for name, qs in loaded.items()}
    # A system that answers asks each follow-up again after its earlier turns as it answered them (the replay check).
    replays = {name: sum(replayed(q) for q in qs) if conversation else 0 for name, qs in loaded.items()}
    whole = sum(asks.values()) * len(systems) + sum(replays.values()) * sum(s.answers for s in systems)  # type: ignore[attr-defined]
    done = 0
    with Progress(console=console) as bar:
        for set_name, path in chosen.items():
            questions = loaded[set_name]
            reports = []
            for system in systems:
                total = asks[set_name] + (replays[set_name] if system.answers else 0)  # type: ignore[attr-defined]
                stage = f"{set_name}: {system.name}"  # type: ignore[attr-defined]
                task = bar.add_task(stage, total=total)

                def advance(step: int = 1, task: TaskID = task, stage: str = stage) -> None:
                    nonlocal done
                    bar.advance(task, step)
                    done += step
                    if on_progress:
                        on_progress(stage, done, whole)

                reports.append(evaluate_system(system, questions, advance, conversation))  # type: ignore[arg-type]
                bar.update(task, completed=total)
            meta = {"set": set_name, "path": path.name, "split": split, "questions": len(questions), "built_at": built_at, "run_at": run_at}
            sections[set_name] = report_dict(reports, meta)
    meta = {"split": split, "sets": list(chosen), "built_at": built_at, "run_at": run_at}
    return {"meta": meta, "sets": sections}


def _write_progress(path: Path, stage: str, done: int, total: int) -> None:
    """Replace the progress file whole, so a reader never sees half of it."""
    partial_file = path.with_name(path.name + ".part")
    partial_file.write_text(json.dumps({"stage": stage, "done": done, "total": total}), encoding="utf-8")
    partial_file.replace(path)


def _record_history(report: dict) -> None:
    """In a shared deployment the summary rows also go to the database's evaluation history, one set at a time."""
    from assistant.settings import get_settings
    from evals.report import set_reports
    from stores.backends import is_postgres

    settings = get_settings()
    if is_postgres(settings.database_url):
        from evals.history import record_evaluation

        for section in set_reports(report).values():
            record_evaluation(str(settings.database_url), section)
        console.print("Evaluation summary recorded in the database's evaluation history.")


def _summary_table(report: dict) -> Table:
    """Every set's systems in one table, so the curated and blind numbers read side by side."""
    from evals.report import SUMMARY_COLUMNS, set_reports

    table = Table(title=f"Evaluation ({report['meta']['split']} split)")
    table.add_column("set")
    table.add_column("system")
    for column in SUMMARY_COLUMNS:
        table.add_column(column, justify="right")
    for set_name, section in set_reports(report).items():
        for system in section["systems"]:
            summary = system["summary"]
            cells = (f"{summary[c]:.1f}" if c.endswith("_ms_p50") else f"{summary[c]:.3f}" if c in summary else "–" for c in SUMMARY_COLUMNS)
            table.add_row(f"{set_name} ({section['meta']['questions']})", system["name"], *cells)
    return table


def _chosen_sets(question_set: str, split: str) -> dict[str, Path]:
    """The question sets named on the command line, or a clear message and exit 2 for a bad set or split."""
    from evals.dataset import resolve_sets

    if split not in ("dev", "test", "all"):
        console.print("[red]--split must be dev, test or all.[/red]")
        raise typer.Exit(2)
    try:
        return resolve_sets(question_set)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    """Add the evaluation commands to the main CLI."""

    @app.command("eval")
    def eval_command(
        question_set: Annotated[str, typer.Option("--set", help="curated, blind, all (both side by side), or a JSONL file.")] = "all",
        url: Annotated[str | None, typer.Option("--url", help="Evaluate a running service instead of in-process.")] = None,
        split: Annotated[str, typer.Option("--split", help="dev, test or all. Tune on dev; report on test.")] = "test",
        baselines: Annotated[bool, typer.Option("--baselines/--no-baselines", help="Also run BM25-only, dense-only and plain LangChain.")] = True,
        conversation: Annotated[bool, typer.Option("--conversation/--no-conversation", help="Also ask each standalone question after an unrelated turn.")] = True,
        out: Annotated[Path | None, typer.Option("--out", help="Folder for report folders (default: LOCALITIES_EVAL_REPORTS_DIR, evals/reports).")] = None,
        progress_file: Annotated[Path | None, typer.Option("--progress-file", help="Keep {stage, done, total} as JSON in this file while running (for the API's status).")] = None,
    ) -> None:
        """Score retrieval and answers on the curated and blind sets; writes evals/reports/<timestamp>/.

        Example: localities eval --set all --split test
        """
        from evals.report import write_report

        sets = _chosen_sets(question_set, split)
        from assistant.settings import get_settings

        on_progress = partial(_write_progress, progress_file) if progress_file else None
        report = run_evaluation(sets, split, url, baselines, conversation=conversation, on_progress=on_progress)
        folder = write_report(report, (out or get_settings().eval_reports_dir) / time.strftime("%Y%m%d-%H%M%S"))
        _record_history(report)
        Console().print(_summary_table(report))
        console.print(f"Report written to {folder}/report.md")

    @app.command("eval-ablate")
    def eval_ablate(
        question_set: Annotated[str, typer.Option("--set", help="curated, blind, all (both side by side), or a JSONL file.")] = "all",
        split: Annotated[str, typer.Option("--split", help="dev, test or all. Tune on dev; report on test.")] = "dev",
        only: Annotated[list[str] | None, typer.Option("--only", help="One variant by name (repeatable); default: every one.")] = None,
        conversation: Annotated[bool, typer.Option("--conversation/--no-conversation", help="Also ask each standalone question after an unrelated turn.")] = False,
        out: Annotated[Path | None, typer.Option("--out", help="Folder for report folders (default: LOCALITIES_EVAL_REPORTS_DIR, evals/reports).")] = None,
    ) -> None:
        """Each retrieval and answer signal off in turn (and the experiments on), on the same questions as the served
        settings; writes ablation.md beside the usual report. About four minutes for every variant on the dev split.

        Example: localities eval-ablate --split dev --only "no rerank"
        """
        from assistant.params import RetrievalParams
        from assistant.settings import get_settings
        from evals.ablation import ablation_markdown, variants
        from evals.report import write_report

        sets = _chosen_sets(question_set, split)
        try:
            chosen = variants(RetrievalParams(), tuple(only or ()))
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        report = run_evaluation(sets, split, None, False, conversation=conversation, variants=chosen)
        folder = write_report(report, (out or get_settings().eval_reports_dir) / time.strftime("%Y%m%d-%H%M%S-ablation"))
        (folder / "ablation.md").write_text(ablation_markdown(report), encoding="utf-8")
        console.print(f"Ablation written to {folder}/ablation.md")

    @app.command("eval-compare")
    def eval_compare(
        before: Annotated[Path, typer.Argument(help="Earlier report folder.")],
        after: Annotated[Path, typer.Argument(help="Later report folder.")],
        question_set: Annotated[str | None, typer.Option("--set", help="Only this set (default: every set both reports hold).")] = None,
    ) -> None:
        """Per question, what got better and what got worse between two reports.

        Example: localities eval-compare evals/reports/20261125-090000 evals/reports/20261125-100000
        """
        from evals.compare import compare

        better, worse = compare(before, after, question_set=question_set)
        out = Console()
        out.print(f"[green]{len(better)} better[/green], [red]{len(worse)} worse[/red] (rank of the first relevant passage)")
        for change in better + worse:
            mark = "[green]+[/green]" if change.better else "[red]-[/red]"
            out.print(f"{mark} {change.set}/{change.id}: {change.before} → {change.after}  {change.question}")
