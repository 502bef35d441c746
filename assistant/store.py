"""Passage stores: the small interface retrieval talks to, and its default FAISS + bm25s implementation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.errors import IndexCorrupt, IndexNotBuilt
from ingest import index_store
from ingest.lexical import lexical_tokens, words
from ingest.models import CaseStudy, Passage


@dataclass(frozen=True)
class Sentence:
    passage_id: str
    text: str
    row: int


class PassageStore(Protocol):
    """What retrieval needs from storage, whatever the backend."""

    backend: str
    manifest: dict[str, object]
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


class FileStore(HeldPassages):
    """One index build on disk (FAISS + bm25s + JSON), loaded whole into memory once."""

    backend = "faiss"

    def __init__(self, build_path: Path) -> None:
        import bm25s
        import faiss

        self.path = build_path
        try:
            self.manifest = index_store.read_manifest(build_path)
            damaged = index_store.damaged_files(build_path, self.manifest)
            if damaged:
                raise ValueError(f"{', '.join(damaged)} changed since the build was written")
            self._passages = index_store.load_passages(build_path)
            self._case_studies = index_store.load_case_studies(build_path)
            vectors = np.load(build_path / "vectors.npy")
            self._dense = faiss.read_index(str(build_path / "dense.faiss"))
            self._bm25 = bm25s.BM25.load(str(build_path / "bm25"), show_progress=False, verbosity=0)
            self.glossary: dict[str, str] = json.loads((build_path / "glossary.json").read_text(encoding="utf-8"))
            with (build_path / "sentences.jsonl").open(encoding="utf-8") as lines:
                raw_sentences = [json.loads(line) for line in lines if line.strip()]
        except (OSError, ValueError, KeyError, RuntimeError, TypeError) as exc:
            raise IndexCorrupt(
                f"The index at '{build_path}' is damaged ({exc.__class__.__name__}: {exc}). "
                "Run `localities ingest --force` to rebuild it."
            ) from exc
        n = len(self._passages)
        if n == 0 or self._dense.ntotal != n or len(vectors) != n + len(raw_sentences):
            raise IndexCorrupt(
                f"The index at '{build_path}' is inconsistent ({n} passages, {self._dense.ntotal} vectors). "
                "Run `localities ingest --force` to rebuild it."
            )
        self._vectors = vectors
        self._hold(
            self._passages,
            self._case_studies,
            [Sentence(item["passage_id"], item["text"], n + offset) for offset, item in enumerate(raw_sentences)],
        )
        # Sentence vectors make a second dense view: a question about one fact matches its sentence
        # far more sharply than the 200-word passage around it.
        self._sentence_rows = [s for group in self._sentences.values() for s in group]
        self._sentence_index = self._load_sentence_index(build_path, vectors, n)

    def _load_sentence_index(self, build_path: Path, vectors: np.ndarray, passages: int) -> object:
        """The HNSW sentence index a large build ships with, else an exact one built here from the vectors.

        Sets `_sentence_groups`: for each vector of the index, the positions in `_sentence_rows` it stands for
        (an HNSW index holds each distinct sentence once; the exact index holds every row).
        """
        import faiss

        rows = [s.row for s in self._sentence_rows]
        stored = build_path / index_store.SENTENCE_INDEX
        if not stored.exists():
            self._sentence_groups: list[list[int]] = [[position] for position in range(len(rows))]
            index = faiss.IndexFlatIP(vectors.shape[1])
            if rows:
                index.add(vectors[rows])
            return index

        def refuse(why: str) -> IndexCorrupt:
            return IndexCorrupt(f"The index at '{build_path}' {why}. Run `localities ingest --force` to rebuild it.")

        # Its vectors follow the file's sentence order; passage grouping must not have reordered them.
        if rows != list(range(passages, passages + len(rows))):
            raise refuse("has sentences out of passage order for its sentence index")
        try:
            index = faiss.read_index(str(stored))
        except RuntimeError as exc:
            raise refuse(f"is damaged ({exc.__class__.__name__}: {exc})") from exc
        self._sentence_groups = index_store.sentence_groups([s.text for s in self._sentence_rows])
        if index.ntotal != len(self._sentence_groups):
            raise refuse(f"is inconsistent ({len(self._sentence_groups)} distinct sentences, {index.ntotal} vectors)")
        return index

    @classmethod
    def open(cls, index_dir: Path) -> "FileStore":
        """The current build of an index directory, or a clear error saying how to make one."""
        path = index_store.current_build_path(index_dir)
        if path is None or not (path / "manifest.json").exists():
            raise IndexNotBuilt(
                f"No index found at '{index_dir}'. Run `localities ingest` first (`make run` does it for you)."
            )
        return cls(path)

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        scores, rows = self._dense.search(vector.reshape(1, -1).astype(np.float32), min(k, len(self._passages)))
        return [(self._passages[r].id, float(s)) for s, r in zip(scores[0], rows[0]) if r >= 0]

    def sentence_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Passages ranked by their best-matching sentence."""
        total = len(self._sentence_rows)
        if not total:
            return []
        found = min(len(self._sentence_groups), k * 4)
        scores, hits = self._sentence_index.search(vector.reshape(1, -1).astype(np.float32), found)
        best: dict[str, float] = {}
        for score, hit in zip(scores[0], hits[0]):
            if hit >= 0:
                for position in self._sentence_groups[hit]:  # a sentence repeated in several passages finds each
                    best.setdefault(self._sentence_rows[position].passage_id, float(score))
        return list(best.items())[:k]

    def lexical_search(self, tokens: list[str], k: int) -> list[tuple[str, float]]:
        vocab = self._bm25.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        top = np.argsort(-scores)[:k]
        return [(self._passages[i].id, float(scores[i])) for i in top if scores[i] > 0]

    def sentence_vectors(self, rows: list[int]) -> np.ndarray:
        return self._vectors[rows]


def passage_tokens(text: str) -> list[str]:
    """The lexical tokens a query is matched with (same analysis as the index)."""
    return lexical_tokens(text)
