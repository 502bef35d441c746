"""Evaluations started from the content team's page: `localities eval` in a child process, one at a time.

The evaluation package sits above this one (pyproject's layers), so the server runs it as the command a person
would type rather than importing it. The child writes its progress to a small JSON file that the status reads,
and its report into `Settings.eval_reports_dir`, where `localities eval` puts its own.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Literal

from assistant.settings import Settings

logger = logging.getLogger("assistant.evaluation")

State = Literal["idle", "running", "succeeded", "failed"]
QuestionSet = Literal["curated", "blind", "all"]
Split = Literal["dev", "test"]
POLL_S = 0.5
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass(frozen=True)
class EvaluationStatus:
    """The latest evaluation started by this server process."""

    state: State = "idle"
    question_set: QuestionSet | None = None
    split: Split | None = None
    baselines: bool = False
    started_at: float | None = None
    finished_at: float | None = None
    stage: str | None = None  # "curated: ours", …; None while the child loads the index and the model
    done: int = 0
    total: int = 0
    message: str | None = None
    report: str | None = None  # the report folder's name under eval_reports_dir


def localities_command() -> list[str]:
    """The installed `localities` command of this environment, or the module when run from a bare checkout."""
    script = Path(sys.executable).parent / "localities"
    return [str(script)] if script.exists() else [sys.executable, "-m", "localities.cli"]


def latest_report(reports_dir: Path) -> Path | None:
    """The newest report folder (their names are time stamps), as `localities eval` names them."""
    folders = sorted(reports_dir.glob("*/report.json"))
    return folders[-1].parent if folders else None


def read_report(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / "report.json").read_text(encoding="utf-8")))


def _child_env(settings: Settings) -> dict[str, str]:
    """The server's own corpus, index, model and database, whatever the environment or a .env says."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    env["LOCALITIES_INDEX_DIR"] = str(settings.index_dir)
    env["LOCALITIES_CORPUS_DIR"] = str(settings.corpus_dir)
    env["LOCALITIES_MODEL"] = settings.model
    env["LOCALITIES_DATA_DIR"] = str(settings.data_dir)
    env["LOCALITIES_EVAL_REPORTS_DIR"] = str(settings.eval_reports_dir)
    if settings.database_url:
        env["LOCALITIES_DATABASE_URL"] = settings.database_url
    else:
        env.pop("LOCALITIES_DATABASE_URL", None)
    env.pop("LOCALITIES_LLM_PROVIDER", None)  # scored on the offline answers, as the gate scores them
    return env


def _tail(log: Path, chars: int = 600) -> str:
    """The end of the child's output on one line: a traceback's last lines say what went wrong."""
    lines = [_ANSI.sub("", line).strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines()]
    return " ".join(line for line in lines if line)[-chars:]


def _report_folders(reports_dir: Path) -> set[Path]:
    return {p.parent for p in reports_dir.glob("*/report.json")}


class Evaluator:
    """Runs `localities eval` in the background; a lock file keeps it to one run across worker processes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.status = EvaluationStatus()
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._held: IO[str] | None = None

    def _take_folder_lock(self) -> bool:
        """The reports folder's lock: held for the whole run, so another worker's start gets False."""
        folder = self.settings.eval_reports_dir
        folder.mkdir(parents=True, exist_ok=True)
        handle = (folder / ".evaluation.lock").open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._held = handle
        return True

    def _release_folder_lock(self) -> None:
        if self._held is not None:
            self._held.close()  # closing the file releases the lock
            self._held = None

    def start(self, question_set: QuestionSet, split: Split, baselines: bool) -> bool:
        """Start a run; False (nothing started) while one is running here or in another worker."""
        with self._lock:
            if self.status.state == "running" or not self._take_folder_lock():
                return False
            self.status = EvaluationStatus(
                "running", question_set, split, baselines, started_at=time.time(), message="Loading the index and the model…"
            )
            threading.Thread(target=self._run, name="evaluation", daemon=True).start()
            return True

    def stop(self) -> None:
        """End a run in progress (the server is stopping): the child would otherwise outlive it."""
        child = self._child
        if child is not None and child.poll() is None:
            child.terminate()

    def _command(self, progress: Path) -> list[str]:
        s = self.status
        return [
            *localities_command(),
            "eval",
            "--set",
            str(s.question_set),
            "--split",
            str(s.split),
            "--baselines" if s.baselines else "--no-baselines",
            "--out",
            str(self.settings.eval_reports_dir),
            "--progress-file",
            str(progress),
        ]

    def _follow(self, progress: Path) -> None:
        """Copy the child's progress file into the status until the child exits."""
        assert self._child is not None
        while self._child.poll() is None:
            time.sleep(POLL_S)
            try:
                seen = json.loads(progress.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            self.status = replace(
                self.status,
                stage=str(seen.get("stage")),
                done=int(seen.get("done", 0)),
                total=int(seen.get("total", 0)),
                message=None,
            )

    def _run(self) -> None:
        started = time.monotonic()
        before = _report_folders(self.settings.eval_reports_dir)
        try:
            with tempfile.TemporaryDirectory(prefix="localities-eval-") as work:
                progress, log = Path(work) / "progress.json", Path(work) / "eval.log"
                with log.open("wb") as out:
                    self._child = subprocess.Popen(
                        self._command(progress),
                        env=_child_env(self.settings),
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        cwd=work,  # no stray .env of the server's folder changes the child's settings
                    )
                    self._follow(progress)
                new = sorted(_report_folders(self.settings.eval_reports_dir) - before)
                self._finish(self._child.returncode, new[-1] if new else None, _tail(log), time.monotonic() - started)
        except Exception as exc:  # reported through GET /admin/evaluation; the server carries on
            logger.exception("Evaluation failed")
            self.status = replace(
                self.status, state="failed", finished_at=time.time(), message=f"{exc.__class__.__name__}: {exc}"
            )
        finally:
            self._child = None
            with self._lock:
                self._release_folder_lock()

    def _finish(self, code: int, folder: Path | None, tail: str, seconds: float) -> None:
        if code != 0 or folder is None:
            self.status = replace(
                self.status,
                state="failed",
                finished_at=time.time(),
                message=f"The evaluation stopped (exit code {code}): {tail or 'no output'}",
            )
            return
        meta = read_report(folder).get("meta", {})
        self.status = replace(
            self.status,
            state="succeeded",
            finished_at=time.time(),
            done=self.status.total,
            report=folder.name,
            message=(
                f"Evaluated the {' and '.join(meta.get('sets', []))} questions ({meta.get('split')} split) on the "
                f"index built {meta.get('built_at') or 'at an unknown time'} in {seconds:.0f} s."
            ),
        )
