"""The `localities` CLI through typer's CliRunner, over the session index."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.http.schemas import AskResponse, SearchResponse
from localities.cli import app

runner = CliRunner()
KNOWN = "How have district councils worked with Local Enterprise Partnerships?"
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_ask_prints_the_answer_and_its_numbered_sources(built_index: Path) -> None:
    result = runner.invoke(app, ["ask", KNOWN, "--index", str(built_index)])
    assert result.exit_code == 0, result.output
    answer, sources = result.stdout.split("\nSources:\n")
    assert "[1]" in answer
    lines = sources.strip().splitlines()
    assert lines[0].strip().startswith("[1] ") and all("›" in line or "Collaborating" in line for line in lines)


def test_ask_json_has_the_api_shape(built_index: Path) -> None:
    result = runner.invoke(app, ["ask", KNOWN, "--index", str(built_index), "--json"])
    assert result.exit_code == 0, result.output
    response = AskResponse.model_validate_json(result.stdout)
    assert response.answered and response.citations


def test_search_lists_k_passages_with_where_they_are(built_index: Path) -> None:
    result = runner.invoke(app, ["search", "shared services", "-k", "3", "--index", str(built_index)])
    assert result.exit_code == 0, result.output
    ranks = [line.split(".")[0] for line in result.stdout.splitlines() if line[:1].isdigit()]
    assert ranks == ["1", "2", "3"]


def test_search_json_has_the_api_shape(built_index: Path) -> None:
    chapter = "Collaborating for resilience and impact"
    args = ["search", "shared services", "--k", "4", "--chapter", chapter, "--index", str(built_index), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    passages = SearchResponse.model_validate_json(result.stdout).passages
    assert len(passages) == 4 and {p.chapter for p in passages} == {chapter}


@pytest.mark.parametrize("args", [["ask", "What is an LEP?"], ["search", "LEP"], ["serve"]])
def test_a_missing_index_is_one_line_and_exit_code_1(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--index", str(tmp_path / "nothing-here")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"No index found at '{tmp_path / 'nothing-here'}'. Run `localities ingest` first (`make run` does it for you)."
    ]


def test_an_unknown_filter_is_one_line_naming_valid_values(built_index: Path) -> None:
    result = runner.invoke(app, ["search", "housing", "--case-study", "Atlantis", "--index", str(built_index)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    # Only the model's own loading bar (stderr) may come before the message.
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("Unknown case_study 'Atlantis'. Valid values:") and "Publica Group" in line


def test_k_out_of_range_is_rejected() -> None:
    result = runner.invoke(app, ["search", "housing", "-k", "0"])
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_text_ending_with_an_example(name: str) -> None:
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    help_text = (command.help or "").strip()
    assert help_text and help_text.splitlines()[-1].startswith(f"Example: localities {name}")
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0 and help_text.splitlines()[0][:30] in " ".join(result.output.split())


def test_the_cli_lists_every_pipeline_step() -> None:
    assert {"ingest", "ask", "search", "serve", "ui"} <= set(COMMANDS)


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("LOCALITIES_LLM_PROVIDER", "olama", "'olama' is not a provider: use 'ollama' or 'openai'"),
        ("LOCALITIES_DATABASE_URL", "sqlite:///feedback.db", "must be a PostgreSQL URL"),
    ],
)
def test_a_setting_that_cannot_work_is_one_line_naming_it(
    built_index: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = runner.invoke(app, ["ask", KNOWN, "--index", str(built_index)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception  # no traceback
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Invalid settings: {variable} ") and named in line, line


def test_a_wrong_setting_read_inside_a_command_is_one_line_too(tmp_path: Path) -> None:
    import os
    import subprocess

    from tests.processes import localities

    env = {**os.environ, "LOCALITIES_LLM_PROVIDER": "olama", "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [*localities(), "eval", "--split", "dev", "--no-baselines", "--out", str(tmp_path)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Invalid settings: LOCALITIES_LLM_PROVIDER 'olama' is not a provider" in result.stderr
