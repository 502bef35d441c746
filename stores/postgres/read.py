"""The PostgreSQL passage store: one snapshot of the corpus, searched in the database, followed by replicas.

Passage fields, sentences, their vectors, case studies, the glossary and the vocabulary (a few thousand rows
for the toolkit) are read once per corpus version and kept in memory; dense, sentence and lexical search run
in PostgreSQL (pgvector HNSW, full-text search). `stores.postgres.follow` keeps an Assistant on the newest version.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from sqlalchemy import Engine, func, literal, literal_column, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import ColumnElement

from core.errors import IndexNotBuilt
from core.models import CaseStudy, Manifest, Passage
from stores.base import HeldPassages, Sentence
from stores.postgres import schema as db

# pgvector's HNSW scan returns at most ef_search rows (at most 1000); beyond that only an exact scan is complete.
MAX_EF_SEARCH = 1000
# Up to this many sentences an exact scan for "every passage's best sentence" costs a few milliseconds; above
# it, only the nearest MAX_EF_SEARCH sentences are looked at (the file index switches to HNSW at this size too).
EXACT_SCAN_ROWS = 50_000
# ts_rank_cd weights for D, C, B, A (PostgreSQL's defaults): the header (titles) counts 2.5 times body text.
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
# Share of passages above which a word is too common to find candidates by (it still adds to their score).
COMMON_SHARE = 0.2
# Normalisation 32 turns each term's rank r into r / (r + 1): repeating a word has diminishing returns,
# as in BM25. On the dev questions it ranked closest to the file index's BM25 of PostgreSQL's options.
RANK_NORMALISATION = 32


# Nearest passages (or sentences, grouped by passage in the database: retrieval asks for every passage's
# best sentence when it ranks case studies). {order} is the HNSW-indexed distance, or, when more rows are
# wanted than an HNSW scan can return, the score itself: an expression no index matches, so an exact scan.
_DENSE = """
    SELECT id, 1 - (embedding <=> CAST(:q AS vector)) AS score FROM passages ORDER BY {order} LIMIT :limit
"""
_BY_SENTENCE = """
    SELECT passage_id, max(score) AS best FROM (
        SELECT passage_id, 1 - (embedding <=> CAST(:q AS vector)) AS score FROM sentences ORDER BY {order} LIMIT :limit
    ) AS nearest
    GROUP BY passage_id ORDER BY best DESC, passage_id LIMIT :k
"""
_INDEXED = "embedding <=> CAST(:q AS vector)"
_EXACT = "score DESC"


@dataclass(frozen=True)
class Snapshot:
    """Everything a store keeps in memory for one corpus version."""

    version: int
    manifest: Manifest
    passages: list[Passage]
    passage_vectors: np.ndarray
    case_studies: list[CaseStudy]
    glossary: dict[str, str]
    document_frequency: dict[str, int]  # passages per lexeme, for IDF
    sentences: list[Sentence]  # `row` is the sentence's row in sentence_vectors
    sentence_vectors: np.ndarray


class PgStore(HeldPassages):
    """One version of the corpus in PostgreSQL; `latest()` gives the store for a newer version."""

    backend = "postgresql"

    def __init__(self, engine: Engine, snapshot: Snapshot) -> None:
        self.engine = engine
        # Searches are single reads: no BEGIN/COMMIT round trips around them.
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.version = snapshot.version
        self.manifest = snapshot.manifest
        self.glossary = snapshot.glossary
        self._vectors = snapshot.passage_vectors
        self._hold(snapshot.passages, snapshot.case_studies, list(snapshot.sentences))
        self._sentence_vectors = snapshot.sentence_vectors
        self._df = snapshot.document_frequency
        self._idf = {term: bm25_idf(len(self._passages), n) for term, n in self._df.items()}

    @classmethod
    def open(cls, url: str) -> PgStore:
        """The corpus in the database at `url` (schema migrated first), or IndexNotBuilt saying what to run."""
        engine = db.engine_for(url)
        try:
            db.migrate(engine)
            return cls.load(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
            raise IndexNotBuilt(
                f"Cannot use the database at '{db.shown_url(url)}' ({reason}). Check LOCALITIES_DATABASE_URL."
            ) from exc
        except IndexNotBuilt:
            engine.dispose()
            raise

    @classmethod
    def load(cls, engine: Engine) -> PgStore:
        """Read one consistent snapshot (a single repeatable-read transaction) of everything cached."""
        passage_order = (db.passages.c.source.collate("C"), db.passages.c.ordinal)
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            version, manifest = connection.execute(select(db.corpus_state.c.version, db.corpus_state.c.manifest)).one()
            rows = connection.execute(select(*db.passage_columns(vectors=True)).order_by(*passage_order)).all()
            studies = connection.execute(
                select(db.case_studies).order_by(db.case_studies.c.source.collate("C"), db.case_studies.c.ordinal)
            ).all()
            glossary = dict(connection.execute(select(db.glossary.c.acronym, db.glossary.c.expansion)).tuples().all())
            frequency: dict[str, int] = dict(
                connection.execute(text("SELECT word, ndoc FROM ts_stat('SELECT search_text FROM passages')"))
                .tuples()
                .all()
            )
            # Every sentence and its vector: retrieval scores all case studies' sentences on each search.
            sentence_rows = connection.execute(
                select(db.sentences.c.passage_id, db.sentences.c.text, db.vector_bytes(db.sentences.c.embedding))
                .join(db.passages, db.passages.c.id == db.sentences.c.passage_id)
                .order_by(*passage_order, db.sentences.c.ordinal)
            ).all()
        if not rows:
            url = engine.url.set(drivername="postgresql").render_as_string(hide_password=True)
            raise IndexNotBuilt(
                f"No passages in the database at '{url}'. Run `localities ingest --database-url {url}` first."
            )
        vectors = np.vstack([db.vector_from_bytes(row.embedding) for row in rows])
        sentences = [Sentence(r.passage_id, r.text, n) for n, r in enumerate(sentence_rows)]
        sentence_vectors = (
            np.vstack([db.vector_from_bytes(r.embedding) for r in sentence_rows])
            if sentence_rows
            else np.zeros((0, vectors.shape[1]), dtype=np.float32)
        )
        snapshot = Snapshot(
            int(version),
            cast(Manifest, dict(manifest)),
            [db.passage_from_row(row) for row in rows],
            vectors,
            [db.case_study_from_row(row) for row in studies],
            glossary,
            frequency,
            sentences,
            sentence_vectors,
        )
        return cls(engine, snapshot)

    def current_version(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.scalar(select(db.corpus_state.c.version)) or 0)

    def latest(self) -> PgStore:
        """This store if the corpus has not changed since it was read, else a fresh snapshot."""
        if self.current_version() == self.version:
            return self
        return PgStore.load(self.engine)

    # --- search, in the database ------------------------------------------------------------------------------

    def _nearest(self, query: str, vector: np.ndarray, limit: int, k: int) -> list[tuple[str, float]]:
        """Run a nearest-neighbour query: HNSW when it can return `limit` rows, an exact scan otherwise.

        The choice is in the SQL text, not in a planner setting: psycopg prepares a statement run often,
        and a prepared plan would keep whichever path it was first planned with.
        """
        params = {"q": "[" + ",".join(f"{float(x):.9g}" for x in vector.reshape(-1)) + "]", "limit": limit, "k": k}
        if limit <= db.EF_SEARCH:
            with self._reads.connect() as connection:
                rows = connection.execute(text(query.format(order=_INDEXED)), params).tuples().all()
        elif limit <= MAX_EF_SEARCH:
            with self.engine.begin() as connection:
                connection.execute(text("SELECT set_config('hnsw.ef_search', :ef, true)"), {"ef": str(limit)})
                rows = connection.execute(text(query.format(order=_INDEXED)), params).tuples().all()
        else:
            with self._reads.connect() as connection:
                rows = connection.execute(text(query.format(order=_EXACT)), params).tuples().all()
        # A passage ingested after this snapshot is served once the snapshot catches up, not half-known now.
        hits = [(str(i), float(s)) for i, s in rows if i in self._by_id]
        # Repeated text scores exactly the same: break ties by corpus order, as the file index does.
        return sorted(hits, key=lambda hit: (-round(hit[1], 6), self._by_id[hit[0]]))

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        k = min(k, len(self._passages))
        return self._nearest(_DENSE, vector, k, k)

    def sentence_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Passages ranked by their best-matching sentence among the 4k nearest sentences."""
        limit = k * 4
        if limit > MAX_EF_SEARCH and len(self._sentence_vectors) > EXACT_SCAN_ROWS:
            limit = MAX_EF_SEARCH  # HNSW's most: enough for the passages whose best sentence can matter
        return self._nearest(_BY_SENTENCE, vector, limit, k)

    def lexical_search(self, tokens: list[str], k: int) -> list[tuple[str, float]]:
        """Full-text search for any of the tokens: per-term ts_rank_cd (titles weighted up) times the term's IDF.

        The tokens arrive already stemmed (Snowball English, the same stemmer as PostgreSQL's 'english'
        configuration), so they are matched as they are ('simple' configuration). Weighting each term by its
        rarity is what BM25 does and plain ts_rank_cd does not: without it 'council' outweighs 'Publica'.
        """
        terms = [t for t in dict.fromkeys(tokens) if t in self._idf]
        if not terms:
            return []
        simple: ColumnElement[Any] = literal_column("'simple'::regconfig")
        weights: ColumnElement[Any] = literal_column(f"'{RANK_WEIGHTS}'::float4[]")
        search_text = db.passages.c.search_text
        score = sum(
            (
                literal(self._idf[t])
                * func.ts_rank_cd(weights, search_text, func.plainto_tsquery(simple, t), RANK_NORMALISATION)
                for t in terms
            ),
            start=literal(0.0),
        )
        # Words in a fifth of the passages or more (COMMON_SHARE: 'council', 'service') only add to the score of passages
        # that a rarer word of the question finds: matched alone they would have the database rank nearly
        # every row. Only when the rarer words find fewer than k passages do the common ones find more.
        rare = [t for t in terms if self._df.get(t, 0) < COMMON_SHARE * len(self._passages)]
        rows: list[tuple[str, float]] = []
        for finders in [rare, terms] if rare and len(rare) < len(terms) else [terms]:
            any_term = func.websearch_to_tsquery(simple, " or ".join(finders))
            statement = (
                select(db.passages.c.id, score.label("rank"))
                .where(search_text.bool_op("@@")(any_term))
                .order_by(literal_column("rank").desc(), db.passages.c.id)
                .limit(k)
            )
            with self._reads.connect() as connection:
                rows = [(str(i), float(s)) for i, s in connection.execute(statement).tuples()]
            if len(rows) >= k:
                break
        return [(i, s) for i, s in rows if i in self._by_id and s > 0]

    # --- the cached snapshot (the rest comes from HeldPassages) ------------------------------------------------

    def sentence_vectors(self, rows: list[int]) -> np.ndarray:
        return self._sentence_vectors[rows]


def bm25_idf(passages: int, containing: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (passages - containing + 0.5) / (containing + 0.5))
