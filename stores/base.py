"""What every backend offers: the passages retrieval reads, the writes ingest makes, the follower a server runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from core.lexical import words
from core.models import CaseStudy, DocumentReport, Manifest, Passage
from core.text import sentence_kind


@dataclass(frozen=True)
class Sentence:
    passage_id: str
    text: str
    row: int

    @property
    def kind(self) -> str:
        """'sentence', or 'cell' for a table or infographic cell, which an answer should not quote as a sentence."""
        return sentence_kind(self.text)


class PassageStore(Protocol):
    """What retrieval needs from storage, whatever the backend."""

    backend: str
    manifest: Manifest
    glossary: dict[str, str]

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]: ...

    def sentence_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Passages ranked by their best-matching sentence."""
        ...

    def lexical_search(self, tokens: list[str], k: int) -> list[tuple[str, float]]: ...

    def passage(self, passage_id: str) -> Passage: ...

    def passages(self) -> list[Passage]: ...

    def case_studies(self) -> list[CaseStudy]: ...

    def vocabulary(self) -> dict[str, int]: ...

    def sentences_of(self, passage_id: str) -> list[Sentence]: ...

    def sentence_vectors(self, rows: list[int]) -> np.ndarray: ...

    def passage_vectors(self, ids: list[str]) -> np.ndarray: ...


class HeldPassages:
    """What every store keeps in memory once loaded (passages, case studies, sentences, word counts) and the
    lookups over it; a subclass calls `_hold` and sets `_vectors` (one row per passage, in passage order)."""

    _vectors: np.ndarray

    def _hold(self, passages: list[Passage], case_studies: list[CaseStudy], sentences: list[Sentence]) -> None:
        self._passages = passages
        self._case_studies = case_studies
        self._by_id = {p.id: i for i, p in enumerate(passages)}
        self._sentences: dict[str, list[Sentence]] = {}
        for sentence in sentences:
            self._sentences.setdefault(sentence.passage_id, []).append(sentence)
        self._vocabulary: dict[str, int] = {}
        for passage in passages:
            for word in words(passage.indexed_text()):
                self._vocabulary[word] = self._vocabulary.get(word, 0) + 1

    def passage(self, passage_id: str) -> Passage:
        return self._passages[self._by_id[passage_id]]

    def passages(self) -> list[Passage]:
        return list(self._passages)

    def case_studies(self) -> list[CaseStudy]:
        return list(self._case_studies)

    def vocabulary(self) -> dict[str, int]:
        return self._vocabulary

    def sentences_of(self, passage_id: str) -> list[Sentence]:
        return self._sentences.get(passage_id, [])

    def passage_vectors(self, ids: list[str]) -> np.ndarray:
        return self._vectors[[self._by_id[i] for i in ids]]


class Served(Protocol):
    """What a follower keeps current: the store being served, and how to swap a newer one in."""

    @property
    def store(self) -> PassageStore: ...

    def swap(self, store: PassageStore) -> None: ...


class Follower(Protocol):
    """How a server follows a new corpus: polls its backend and swaps each good new version in."""

    error: str | None  # why the newest published corpus is not the one served (reported in /health)

    @property
    def enabled(self) -> bool: ...

    def served_build(self) -> Path | None: ...

    def check(self) -> bool: ...

    def start(self, interval_s: float) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class PreparedDocument:
    """One parsed document, ready to write: passages, their sentences, and one vector per text."""

    source: str
    digest: str  # everything that decides its passages and vectors (see ingest.pipeline.document_hash)
    passages: list[Passage]
    case_studies: list[CaseStudy]
    sentences: list[tuple[str, str]]  # (passage id, sentence), in passage order
    keys: list[str]  # embed keys: passages first, then sentences
    vectors: np.ndarray  # one row per key


class DocumentRefused(Exception):
    """The backend could not store a document; its previous version, if any, stays. The message says why."""


@dataclass
class IngestReport:
    """What an ingest did, whatever the backend, for the CLI's closing summary."""

    documents: int = 0  # readable documents in the folder
    passages: int = 0  # in the store afterwards
    case_studies: int = 0
    embedded: int = 0  # texts embedded now; every other vector was reused
    skipped: list[tuple[str, str]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # documents (re)written
    unchanged: int = 0  # documents left as they were
    removed: list[str] = field(default_factory=list)
    document_reports: list[DocumentReport] = field(default_factory=list)  # every document held, in corpus order
    reused_build: bool = False  # files: nothing changed, the current build stays
    build_path: Path | None = None  # files: the build now served
    version: int = 0  # PostgreSQL: the corpus version now served
    seconds: float = 0.0


class StoreWriter(Protocol):
    """What ingest writes to, whatever the backend; `ingest.pipeline.ingest` drives it document by document."""

    backend: str
    dimension: int | None  # the vector size the store holds, when it fixes one
    build_settings: dict[str, object]  # the store's own choices that decide what it holds (recorded in the manifest)

    def reusable(self, fingerprint: dict[str, str], model: str, settings: dict[str, object]) -> IngestReport | None:
        """What the store holds when it already holds exactly this corpus (then there is nothing to do), else None."""
        ...

    def stored_digests(self) -> dict[str, str]:
        """Source → digest of the documents stored already; a document whose digest matches is left alone."""
        ...

    def stored_reports(self) -> dict[str, DocumentReport]:
        """Source → what each stored document yielded when it was written (for documents left unchanged)."""
        ...

    def known_vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        """Vectors already embedded for these embed keys, so they are not embedded again."""
        ...

    def put(self, document: PreparedDocument) -> None:
        """Store one document (replacing its previous version), or raise DocumentRefused."""
        ...

    def remove(self, sources: list[str]) -> None:
        """Drop documents gone from the corpus folder."""
        ...

    def finish(self, report: IngestReport, manifest: Manifest, glossary: Glossary) -> None:
        """Make what was written the served corpus, with its glossary and manifest; fill in the report's totals."""
        ...

    def close(self) -> None: ...


Glossary = Callable[[list[Passage]], dict[str, str]]
