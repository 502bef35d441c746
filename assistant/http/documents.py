"""The corpus folder as the content team sees it: what each indexed document holds, and adding or removing one.

A removed (or replaced) document is moved aside into `Settings.removed_documents_dir`, never deleted: nothing the
team stored is lost by a slip on the page.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.models import CaseStudy, Passage
from core.text import readable_size
from ingest.loaders import SUPPORTED, CorpusMeta, corpus_files

# A file name the corpus folder can hold as it is: no folders, no hidden files, no control characters.
_SAFE_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f]{1,200}$")


class DocumentProblem(ValueError):
    """An upload or removal that cannot be done as asked; the message says why and what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class DocumentSummary:
    source: str
    title: str
    passages: int
    sections: int
    pages: int


def _plain_title(source: str) -> str:
    stem = Path(source).stem.replace("_", " ").replace("-", " ").strip()
    return stem[:1].upper() + stem[1:]


def _titles(manifest: Mapping[str, Any], case_studies: Iterable[CaseStudy], reviewed: CorpusMeta) -> dict[str, str]:
    """Each document's title, from the best source that has one: what the ingest recorded in the manifest, the
    corpus's reviewed metadata, or the one case study an added document is (it carries the document's title)."""
    by_source: dict[str, list[str]] = {}
    for study in case_studies:
        by_source.setdefault(study.source, []).append(study.title)
    titles = {source: found[0] for source, found in by_source.items() if len(found) == 1}
    titles.update({name: str(meta["title"]) for name, meta in reviewed.files.items() if meta.get("title")})
    for document in manifest.get("documents") or ():
        if isinstance(document, Mapping) and document.get("title"):
            titles[str(document.get("source"))] = str(document["title"])
    return titles


def summarise_documents(
    passages: Iterable[Passage],
    manifest: Mapping[str, Any],
    case_studies: Iterable[CaseStudy] = (),
    reviewed: CorpusMeta | None = None,
) -> list[DocumentSummary]:
    """Per source file, in corpus order: its passages, distinct sections and distinct printed pages.

    Counted from the passages themselves, so the same on every backend and for any build.
    """
    grouped: dict[str, list[Passage]] = {}
    for passage in passages:
        grouped.setdefault(passage.source, []).append(passage)
    titles = _titles(manifest, case_studies, reviewed or CorpusMeta({}, {}))
    return [
        DocumentSummary(
            source=source,
            title=titles.get(source) or _plain_title(source),
            passages=len(held),
            sections=len({(p.chapter, p.section) for p in held if p.section}),
            pages=len({p.page for p in held if p.page is not None}),
        )
        for source, held in grouped.items()
    ]


def skipped_documents(manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(file, reason) for each file the last ingest could not read."""
    pairs: Sequence[Sequence[str]] = manifest.get("skipped") or ()
    return [(str(pair[0]), str(pair[1])) for pair in pairs if len(pair) >= 2]


def checked_name(name: str) -> str:
    """The file name an upload or removal may use, or DocumentProblem (400/415) saying what is wrong with it."""
    if not name or not name.strip():
        raise DocumentProblem(400, "The file has no name. Choose a file with a name such as report.pdf.")
    if not _SAFE_NAME.match(name) or name in (".", "..") or name.startswith(".") or name != name.strip():
        raise DocumentProblem(
            400,
            f"'{name}' cannot be a document name: use a plain file name without folders (/ or \\), a leading dot, "
            "or control characters.",
        )
    if Path(name).suffix.lower() not in SUPPORTED:
        raise DocumentProblem(
            415, f"'{name}' is not a document type the assistant reads: use {', '.join(SUPPORTED)}."
        )
    return name


def _set_aside(path: Path, removed_dir: Path) -> Path:
    """Move a corpus file into `removed_dir` under a time-stamped name; where it went."""
    removed_dir.mkdir(parents=True, exist_ok=True)
    target = removed_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{path.name}"
    counter = 1
    while target.exists():
        counter += 1
        target = removed_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{counter}-{path.name}"
    shutil.move(str(path), target)
    return target


def save_document(
    corpus_dir: Path, name: str, data: bytes, *, limit: int, replace: bool, removed_dir: Path
) -> Path | None:
    """Write an uploaded document into the corpus; the earlier copy it replaces (moved aside), or None.

    DocumentProblem: 400 for a bad name, 415 for a type the ingest does not read, 413 over `limit`, 422 for an
    empty file, 409 when a document of that name exists and `replace` was not asked for.
    """
    checked_name(name)
    if len(data) > limit:
        raise DocumentProblem(413, f"'{name}' is too large: documents may be at most {readable_size(limit)}.")
    if not data.strip():
        raise DocumentProblem(422, f"'{name}' is empty: there is nothing in it to add.")
    target = corpus_dir / name
    existing = next((p for p in corpus_files(corpus_dir) if p.name.lower() == name.lower()), None)
    if existing is not None and not replace:
        raise DocumentProblem(
            409,
            f"A document named '{existing.name}' is already in the corpus. Upload it again with replace to put the "
            "new file in its place (the old one is kept aside, not deleted), or rename the new file.",
        )
    previous = _set_aside(existing, removed_dir) if existing is not None else None
    partial = corpus_dir / f".{name}.uploading"  # hidden: an ingest running meanwhile never reads half a file
    partial.write_bytes(data)
    partial.replace(target)
    return previous


def is_reviewed(corpus_dir: Path, name: str) -> bool:
    """A document the corpus's reviewed metadata (`*.meta.json`) describes: the toolkit this assistant ships with."""
    return name in CorpusMeta.read(corpus_dir).files


def remove_document(corpus_dir: Path, name: str, *, removed_dir: Path, confirm: bool) -> Path:
    """Move a document out of the corpus into `removed_dir`; where it went.

    DocumentProblem: 404 when no such document is in the corpus; 409 for the shipped toolkit unless `confirm`d,
    since removing it takes every toolkit answer and case study with it.
    """
    checked_name(name)
    path = next((p for p in corpus_files(corpus_dir) if p.name == name), None)
    if path is None:
        raise DocumentProblem(404, f"There is no document named '{name}' in the corpus. GET /documents lists them.")
    if is_reviewed(corpus_dir, name) and not confirm:
        raise DocumentProblem(
            409,
            f"'{name}' is the toolkit this assistant is built on: removing it removes all its passages and case "
            "studies, so questions about the toolkit will no longer be answered. Send confirm=true if that is "
            "what you want (the file is kept aside and can be put back).",
        )
    return _set_aside(path, removed_dir)
