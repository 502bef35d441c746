"""Reading the file index: one build loaded whole into memory (FAISS + bm25s + JSON), opened only when sound."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import AssistantError, IndexCorrupt, IndexNotBuilt
from stores.base import HeldPassages, Sentence
from stores.files import schema


class FileStore(HeldPassages):
    """One index build on disk (FAISS + bm25s + JSON), loaded whole into memory once."""

    backend = "faiss"

    def __init__(self, build_path: Path) -> None:
        import bm25s
        import faiss

        self.path = build_path
        try:
            self.manifest = schema.read_manifest(build_path)
            damaged = schema.damaged_files(build_path, self.manifest)
            if damaged:
                raise ValueError(f"{', '.join(damaged)} changed since the build was written")
            self._passages = schema.load_passages(build_path)
            self._case_studies = schema.load_case_studies(build_path)
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
        # Per vector of the sentence index, the passages it stands for: read on every search, so worked out once.
        self._found_in = [[self._sentence_rows[position].passage_id for position in group] for group in self._sentence_groups]

    def _load_sentence_index(self, build_path: Path, vectors: np.ndarray, passages: int) -> Any:
        """The HNSW sentence index a large build ships with, else an exact one built here from the vectors.

        Sets `_sentence_groups`: for each vector of the index, the positions in `_sentence_rows` it stands for
        (an HNSW index holds each distinct sentence once; the exact index holds every row).
        """
        import faiss

        index: Any
        rows = [s.row for s in self._sentence_rows]
        stored = build_path / schema.SENTENCE_INDEX
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
        self._sentence_groups = schema.sentence_groups([s.text for s in self._sentence_rows])
        if index.ntotal != len(self._sentence_groups):
            raise refuse(f"is inconsistent ({len(self._sentence_groups)} distinct sentences, {index.ntotal} vectors)")
        return index

    @classmethod
    def open(cls, index_dir: Path) -> FileStore:
        """The current build of an index directory, or a clear error saying how to make one."""
        path = schema.current_build_path(index_dir)
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
        for score, hit in zip(scores[0].tolist(), hits[0].tolist()):
            if hit >= 0:
                for passage_id in self._found_in[hit]:  # a sentence repeated in several passages finds each
                    best.setdefault(passage_id, score)
        return list(best.items())[:k]

    def lexical_search(self, tokens: list[str], k: int) -> list[tuple[str, float]]:
        vocab = self._bm25.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        top = np.argsort(-scores)[:k]
        return [(self._passages[i].id, score) for i, score in zip(top.tolist(), scores[top].tolist()) if score > 0]

    def sentence_vectors(self, rows: list[int]) -> np.ndarray:
        return self._vectors[rows]


def one_line(text: str, limit: int = 300) -> str:
    """A message on one line and of readable length: FAISS errors carry newlines and C++ signatures."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def open_build(index_dir: Path, build: Path | None = None) -> FileStore:
    """`build` (default: the current one) of an index directory, or IndexNotBuilt / IndexCorrupt saying why.

    FileStore catches the usual read errors; anything else a damaged file provokes is reported the same way,
    so a bad index is always a one-line message and never a traceback or an empty result.
    """
    link = index_dir / schema.CURRENT
    if build is None:
        if link.is_symlink() and not link.exists():
            raise IndexCorrupt(
                f"The index at '{index_dir}' points at a build that no longer exists ({link.readlink()}). "
                "Run `localities ingest --force` to rebuild it."
            )
        build = schema.current_build_path(index_dir)
    if build is None:
        return FileStore.open(index_dir)  # raises IndexNotBuilt with the standard message
    if not (build / "manifest.json").is_file():
        raise IndexCorrupt(
            f"The index build '{build}' has no manifest.json (an unfinished or damaged build). "
            "Run `localities ingest --force` to rebuild it."
        )
    try:
        store = FileStore(build)
        verify(store)
        return store
    except AssistantError as exc:
        raise type(exc)(" ".join(str(exc).split())) from exc
    except Exception as exc:  # any failure to read a build is damage, whatever raised it
        raise IndexCorrupt(
            f"The index at '{build}' is damaged ({exc.__class__.__name__}: {one_line(str(exc))}). "
            "Run `localities ingest --force` to rebuild it."
        ) from exc


# Self-searches checked when opening a build: all of a small index, an even sample of a large one.
VERIFY_SAMPLE = 512


def verify(store: FileStore) -> None:
    """Catch damage that still loads: flipped bytes in vectors.npy or dense.faiss, a manifest of the wrong shape.

    Every stored embedding is a unit vector, and an exact (flat) FAISS index must find each passage's own
    vector with a score of 1. (Builds since checksums were added are also
    checked file by file when FileStore opens them; this catches damage in older builds too.)
    """
    if not isinstance(store.manifest, dict) or not isinstance(store.manifest.get("model"), str):
        raise TypeError("manifest.json is not an index manifest")
    ids = [p.id for p in store.passages()]
    rows = [s.row for i in ids for s in store.sentences_of(i)]
    vectors = store.passage_vectors(ids)
    with np.errstate(all="ignore"):  # garbage floats overflow; they are counted below, not warned about
        norms = np.linalg.norm(np.vstack([vectors, store.sentence_vectors(rows)]) if rows else vectors, axis=1)
        bad = int(np.count_nonzero(~(np.abs(norms - 1.0) < 1e-3)))
    if bad:
        raise ValueError(f"{bad} vectors in vectors.npy are not unit vectors")
    if store.manifest.get("dense_index") != "flat":
        return  # HNSW search is approximate: a passage missing from its own neighbours proves nothing
    for i in range(0, len(ids), max(1, len(ids) // VERIFY_SAMPLE)):
        score = dict(store.dense_search(vectors[i], 8)).get(ids[i])
        if score is None or abs(score - 1.0) > 1e-3:
            raise ValueError(f"dense.faiss does not hold the vector of passage {ids[i]} (row {i})")


def previous_vectors(index_dir: Path) -> dict[str, np.ndarray]:
    """The current build's vectors by embed key (empty when there is no readable build)."""
    path = schema.current_build_path(index_dir)
    if path is None:
        return {}
    try:
        keys = json.loads((path / "embed_keys.json").read_text(encoding="utf-8"))
        vectors = np.load(path / "vectors.npy")
    except (OSError, ValueError):
        return {}
    return dict(zip(keys, vectors)) if len(keys) == len(vectors) else {}
