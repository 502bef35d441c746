"""`localities`: one CLI over the library (ingest, search, ask, serve, eval, ui)."""

from __future__ import annotations

import copy
import functools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from assistant.settings import PROJECT_ROOT, Settings, get_settings, load_settings
from core.errors import AssistantError
from evals.cli import register as register_evaluation

if TYPE_CHECKING:
    from core.models import Filters

app = typer.Typer(help="Localities Assistant: ask the Transformation in localities toolkit.", no_args_is_help=True)
console = Console(stderr=True)
out = Console()



@app.callback()
def _root() -> None:
    """Localities Assistant: ask the Transformation in localities toolkit."""


IndexOpt = Annotated[Path | None, typer.Option("--index", help="Index directory (default: settings).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON in the HTTP API's response shape.")]
ChapterOpt = Annotated[str | None, typer.Option("--chapter", help="Only this chapter (title, any case).")]
CaseStudyOpt = Annotated[str | None, typer.Option("--case-study", help="Only this case study (title or id).")]


def _settings(**overrides: object) -> Settings:
    """Settings from the environment with the command's options over them (validated like the environment's)."""
    values = {k: v for k, v in overrides.items() if v is not None}
    return load_settings(**values) if values else get_settings()


@app.command()
def ingest(
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Corpus folder.")] = None,
    index: IndexOpt = None,
    model: Annotated[str | None, typer.Option("--model", help="Sentence-transformers name or path.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if nothing changed.")] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Ingest into this PostgreSQL database instead (default: settings).")
    ] = None,
) -> None:
    """Parse the corpus and build the search index (incremental; unchanged corpus → no work).

    With a PostgreSQL URL (--database-url or LOCALITIES_DATABASE_URL) documents are written there instead,
    one transaction each; vectors of an existing index build (--index) are reused, not re-embedded.

    Example: localities ingest --corpus corpus/ --index index/
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sqlalchemy.exc import SQLAlchemyError

    from assistant.encoding import ingest_embedder
    from ingest.pipeline import ingest_into
    from stores.backends import open_writer

    with _one_line_errors():
        settings = _settings(corpus_dir=corpus, index_dir=index, model=model, database_url=database_url)
    if not settings.corpus_dir.is_dir():
        console.print(f"[red]Corpus folder '{settings.corpus_dir}' not found.[/red]")
        raise typer.Exit(1)
    url = settings.database_url
    shown = _shown_url(url) if url else None
    labels = (
        {"parse": "Documents", "embed": "Embedding new passages", "write": "Glossary and manifest"}
        if url
        else {"parse": "Parsing documents", "embed": "Embedding passages", "write": "Writing index"}
    )
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels[stage], total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            writer = open_writer(settings.index_dir, url)
            try:
                embedder = ingest_embedder(settings, log=lambda line: console.print(line, markup=False, highlight=False))
                report = ingest_into(
                    writer,
                    settings.corpus_dir,
                    settings.model,
                    embedder=embedder,
                    progress=progress,
                    force=force,
                    max_bytes=settings.max_document_bytes,
                )
            finally:
                writer.close()
        except SQLAlchemyError as exc:
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
            console.print(f"Cannot ingest into '{shown}': {reason}", style="red", markup=False, soft_wrap=True)
            raise typer.Exit(1) from None
    if url:
        console.print(
            f"{'Database unchanged' if not (report.written or report.removed) else 'Updated database'} "
            f"(version {report.version}): {report.documents} documents ({len(report.written)} written, "
            f"{report.unchanged} unchanged, {len(report.removed)} removed), {report.passages} passages, "
            f"{report.case_studies} case studies ({report.embedded} embedded) in {report.seconds:.1f} s → {shown}",
            markup=False,
            highlight=False,
        )
    else:
        verb = "Index unchanged, reused" if report.reused_build else "Built index"
        console.print(
            f"{verb}: {report.documents} documents, {report.passages} passages, {report.case_studies} case studies "
            f"({report.embedded} embedded) in {report.seconds:.1f} s → {report.build_path}"
        )
    for document in report.document_reports:
        console.print(
            f"  {document['source']} ({document['title']}): {document['passages']} passages, "
            f"{document['sections']} sections, {document['pages']} pages",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    for name, reason in report.skipped:
        console.print(f"Skipped {name}: {reason}", style="yellow", markup=False, highlight=False, soft_wrap=True)
    if report.skipped:
        raise typer.Exit(2)


def _shown_url(url: str) -> str:
    """The URL for messages, password masked."""
    from stores.postgres.schema import shown_url

    return shown_url(url)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """An AssistantError (no index, unknown filter…) becomes its message and exit code 1, not a traceback."""
    try:
        yield
    except AssistantError as exc:
        # soft_wrap: the message stays one line however narrow the terminal.
        console.print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _filters(chapter: str | None, case_study: str | None) -> Filters | None:
    from core.models import Filters

    return Filters(chapter, case_study) if chapter or case_study else None


def _where(chapter: str, section: str | None, case_study: str | None, page_label: str) -> str:
    """'Chapter › Section — Case study, passage on page 12': where a passage, or the words a citation quotes, sit in
    the toolkit."""
    place = " › ".join(part for part in (chapter, section) if part)
    if case_study:
        place += f" — {case_study}"
    return f"{place}, {page_label}"


def _say(text: str, style: str | None = None) -> None:
    # Toolkit and user text may contain [brackets]; never read them as rich markup.
    out.print(text, style=style, markup=False, highlight=False, soft_wrap=True)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question about the toolkit.")],
    index: IndexOpt = None,
    chapter: ChapterOpt = None,
    case_study: CaseStudyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question from the toolkit, with numbered sources (chapter, case study, page).

    Example: localities ask "How have districts worked with LEPs?"
    """
    from assistant.http.schemas import AskResponse
    from assistant.service import build_assistant

    with _one_line_errors():
        assistant = build_assistant(_settings(index_dir=index))
        response = AskResponse.from_answer(assistant.ask(question, filters=_filters(chapter, case_study)))
    if as_json:
        typer.echo(response.model_dump_json(indent=2))
        return
    _say(response.answer)
    if response.citations:
        _say("\nSources:", style="bold")
    for citation in response.citations:
        where = _where(citation.chapter, citation.quoted_section, citation.case_study, citation.quoted_page_label)
        _say(f"  [{citation.n}] {where}")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=50, help="How many passages.")] = 5,
    index: IndexOpt = None,
    chapter: ChapterOpt = None,
    case_study: CaseStudyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the toolkit passages that best match a query, best first.

    Example: localities search "shared services" -k 3
    """
    from assistant.http.schemas import SearchResponse
    from assistant.service import build_assistant

    with _one_line_errors():
        assistant = build_assistant(_settings(index_dir=index))
        response = SearchResponse.from_result(assistant.search(query, k, filters=_filters(chapter, case_study)))
    if as_json:
        typer.echo(response.model_dump_json(indent=2))
        return
    if not response.passages:
        _say("No passages matched.")
    for rank, passage in enumerate(response.passages, start=1):
        where = _where(passage.chapter, passage.section, passage.case_study, passage.page_label)
        _say(f"{rank}. {where}  [{passage.id}]", style="bold")
        flat = " ".join(passage.text.split())
        snippet = flat if len(flat) <= 300 else flat[:299].rsplit(" ", 1)[0] + "…"
        _say(f"   {snippet}\n")


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the API's own one-line request logs."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    # The stores' followers log which corpus they swap in; core, the one-off ONNX export of the model.
    for package in ("assistant", "stores", "core"):
        config["loggers"][package] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Address to bind (default: settings).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default: settings, 8000).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes (each loads the model).")] = 1,
    index: IndexOpt = None,
) -> None:
    """Serve the HTTP API (search, ask, case studies, feedback); OpenAPI docs at /docs.

    Example: localities serve --port 8000 --index index/
    """
    import uvicorn

    from assistant.http.app import create_app
    from stores.backends import open_store

    with _one_line_errors():
        settings = _settings(index_dir=index, host=host, port=port)
        # Checked here too: uvicorn would restart a worker that fails startup, over and over. A damaged build
        # (truncated FAISS file, garbled chunks…) or an unusable database is one line and exit 1, never empty.
        open_store(settings.index_dir, settings.database_url, verify=True)
    target: Any = functools.partial(create_app, settings)
    if workers > 1:
        # Workers are fresh processes that build Settings from the environment, so hand the override on there.
        if index is not None:
            os.environ["LOCALITIES_INDEX_DIR"] = str(index.resolve())
        target = "assistant.http.app:app_from_env"
    try:
        uvicorn.run(
            target, factory=True, host=settings.host, port=settings.port, workers=workers, log_config=_log_config()
        )
    except SystemExit as exc:  # uvicorn exits 3 when startup fails; it has already logged why.
        if exc.code:
            raise typer.Exit(1) from None


@app.command()
def ui(
    port: Annotated[int, typer.Option("--port", help="Port for the Streamlit page.")] = 8501,
    api_url: Annotated[str | None, typer.Option("--api-url", help="API for the page (default: settings).")] = None,
) -> None:
    """Run the Streamlit page (ui/app.py) on 127.0.0.1, talking to the API at LOCALITIES_API_URL.

    Example: localities ui --port 8501
    """
    with _one_line_errors():
        settings = _settings(api_url=api_url)
    page = PROJECT_ROOT / "ui" / "app.py"
    if not page.exists():
        console.print(f"UI page '{page}' not found.", style="red", markup=False, soft_wrap=True)
        raise typer.Exit(1)
    command = [sys.executable, "-m", "streamlit", "run", str(page), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    # The page is a separate process; the API address reaches it through its environment.
    env = {**os.environ, "LOCALITIES_API_URL": settings.api_url}
    # Become Streamlit rather than wrap it, so a stop signal reaches the server and leaves nothing behind.
    os.execvpe(sys.executable, command, env)


# `eval` and `eval-compare` come from the evaluation package, below this command line.
register_evaluation(app)


def main() -> None:
    """Console-script entry point: an AssistantError that escapes a command (settings read by `eval`, say)
    is one line and exit code 1, as inside the commands."""
    try:
        app()
    except AssistantError as exc:
        console.print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
