"""The composition root: one Assistant built from settings, with every part injectable for tests."""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.answer import Answer, asks_for_plainer_words, case_studies_named, compose_answer, in_plainer_words
from assistant.asks import Understanding, understand
from assistant.case_studies import CaseStudyDetail, summarise, toolkit_names
from assistant.catalogue import asks_for_a_page, may_be_about_the_collection, page_and_rest
from assistant.catalogue_answers import (
    asks_who_made_the_toolkit,
    catalogue_answer,
    page_then_answer,
    who_made_the_toolkit,
    with_its_page_first,
)
from assistant.compound import ask_queries, search_asks
from assistant.encoding import Occupancy, model_encoder
from assistant.glossary import PlainGlossary
from assistant.params import RetrievalParams
from assistant.passage_questions import WrittenQuestions, load_written_questions
from assistant.question import (
    asked_again_of,
    is_follow_up,
    last_answer,
    last_question,
    last_said,
    the_other_one,
    went_back_to,
)
from assistant.retrieval import Encode, EncodeMany, MakeRetriever, Retriever, Searcher, SearchResult
from assistant.settings import Settings
from core.errors import NotFound
from core.lexical import STOP_WORDS, words
from core.models import CaseStudy, Filters, Turn
from core.stats import halfway
from stores.backends import open_store
from stores.base import PassageStore

logger = logging.getLogger("assistant.service")

CASE_SEARCH_DEPTH = 15  # passages read to find case studies for the Case studies page's search
CASE_STUDIES_FOUND = 8
CASE_SEARCH_MARGIN = 0.15
# A case study whose whole text fits a search this many standard deviations above the average case study's fit, and
# within CASE_FIT_MARGIN of the best's, is found too; one fitting CASE_FIT_ALONE above it is found though no passage
# of any case study is. Set by reading the lists for a dozen searches (user trial 30's 'which case studies are about
# hospital discharge …?' had District Direct alone, without the Lightbulb project's housing officers in hospitals).
CASE_FIT_FLOOR = 1.3
CASE_FIT_MARGIN = 2.0
CASE_FIT_ALONE = 2.5


class Assistant:
    """Search, answer and browse one index; thread-safe for reads, swappable for a new build."""

    def __init__(
        self,
        store: PassageStore,
        encode: Encode,
        synonyms: dict[str, str] | None = None,
        params: RetrievalParams | None = None,
        llm: object | None = None,
        retriever: MakeRetriever = Retriever,
        plain: PlainGlossary | None = None,
        encode_many: EncodeMany | None = None,
        occupancy: Occupancy | None = None,
        written_questions: Sequence[WrittenQuestions] = (),
    ) -> None:
        self.params = params or RetrievalParams()
        self.written_questions = list(written_questions)
        # Counts the searches and answers under way, so a query alone on the machine may use every core.
        self._occupancy = occupancy or Occupancy()
        self._encode_many = encode_many  # given, every new retriever embeds its headings before it serves
        self.plain = plain or PlainGlossary([])
        self._make_retriever = retriever
        self.synonyms = synonyms or {}
        self._encode = encode
        self._lock = threading.Lock()
        self.llm = llm
        self._install(store)

    def _install(self, store: PassageStore) -> None:
        retriever = self._make_retriever(store, self._encode, self.synonyms)
        if self._encode_many is not None and isinstance(retriever, Retriever):
            retriever.embed_headings(self._encode_many)
        if self.written_questions and isinstance(retriever, Retriever):
            retriever.learn_questions(self.written_questions, self._encode_many or self._encode_each)
            for entry in retriever.lost_questions:
                # Its passage's opening words changed at a re-ingest: the content team rewrites its anchor.
                logger.warning("written questions for a passage this index does not hold: %r (page %s)", entry.anchor, entry.page)
        summaries = {}
        for study in store.case_studies():
            passages = [p for p in store.passages() if p.case_study == study.title]
            summaries[study.id] = summarise(passages, study.title)
        names = retriever.names if isinstance(retriever, Retriever) else toolkit_names(store)
        # One assignment publishes the new index to readers; a request holds the old one until it finishes.
        self._state = (store, retriever, summaries)
        self._names = (names, [c.title for c in store.case_studies()])

    def _encode_each(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._encode(text) for text in texts])

    @property
    def store(self) -> PassageStore:
        return self._state[0]

    @property
    def retriever(self) -> Searcher:
        return self._state[1]

    def swap(self, store: PassageStore) -> None:
        """Start serving a newly built index without interrupting requests in flight."""
        with self._lock:
            self._install(store)

    def search(
        self,
        query: str,
        k: int | None = None,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        params: RetrievalParams | None = None,
    ) -> SearchResult:
        params = params or self.params
        if k is not None:
            params = params.model_copy(update={"k": k})
        query, history = self._as_meant(query, history)
        store, retriever, _ = self._state
        with self._occupancy:
            return search_asks(retriever, store, self.understand(query), params, history, filters)

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        params: RetrievalParams | None = None,
    ) -> Answer:
        params = params or self.params
        # 'Going back to the office sharing one - did they save much?' is asked of that exchange, not the last one.
        question, history = self._as_meant(question, history)
        earlier = last_said(history)
        if earlier and asks_for_plainer_words(question):
            return in_plainer_words(earlier, last_question(history), self.plain, self.store.passages(), self.store.glossary)
        both = page_and_rest(question, [a.text for a in self.understand(question).asks]) if asks_for_a_page(question) else None
        if both is not None:
            page_ask, rest = both
            page = self._catalogue(page_ask, history) if page_ask else None
            if page_ask and page is None:
                # No catalogue line gives it ('What page is the Early Help Hub case study on, and who asked the
                # district to set it up?', user trial 34): the page as found when asked alone, and the rest asked of
                # what that answer quoted, not searched on its own words.
                found = self.ask(page_ask, history, filters, params)
                page = found if found.status == "answered" else None
            # The rest is asked after the page, as a follow-up: 'how did referrals work?' is about the Wycombe one.
            said = [Turn("user", page_ask), Turn("assistant", page.text)] if page_ask and page else []
            return page_then_answer(page, self.ask(rest, [*history, *said], filters, params))
        listed = self._catalogue(question, history)
        if listed is not None:
            return listed
        store, retriever, _ = self._state
        with self._occupancy:
            understanding, result, ask_results = self._searched(store, retriever, question, history, filters, params)
            said_before = last_said(history) if result.query.follow_up else ""
            # The case study the last answer quoted: a question asked of it in words of its own is about it too.
            before = retriever.quoted_case_study(last_said(history)) if history and isinstance(retriever, Retriever) else None
            offline = compose_answer(
                result, store, params, plain=self.plain, understanding=understanding, ask_results=ask_results,
                said_before=said_before, answered_before=before,
            )
        if self.llm is not None and offline.status != "not_covered":
            from assistant.llm import generate_answer

            return generate_answer(self.llm, question, result, offline)
        return with_its_page_first(offline) if asks_for_a_page(question) else offline

    def _catalogue(self, question: str, history: Sequence[Turn]) -> Answer | None:
        """A question about the case studies as a collection, answered from the index's list of them, or about who
        made the toolkit, answered from its front matter and back cover (None if neither)."""
        if asks_who_made_the_toolkit(question):
            return who_made_the_toolkit(self.store)
        if not may_be_about_the_collection(question):
            return None  # most questions: no need to look up the names they hold
        store, retriever, summaries = self._state
        named = sorted(case_studies_named(self.understand(question), store))

        def find(text: str) -> list[CaseStudy]:
            # 'Which case studies use one?' after a question on Teckal companies: one of what the user asked before.
            if is_follow_up(text, history):
                text = f"{last_question(history)} {text}"
            return [study for study, _ in self.find_case_studies(text)]

        return catalogue_answer(question, last_answer(history), named, store, summaries, find, retriever.encode)

    def searched(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        params: RetrievalParams | None = None,
    ) -> tuple[Understanding, SearchResult, list[SearchResult]]:
        """The question understood, its search, and each ask's own (for a compound question): what an answer is
        composed from."""
        store, retriever, _ = self._state
        question, history = self._as_meant(question, history)
        with self._occupancy:
            return self._searched(store, retriever, question, history, filters, params or self.params)

    def _searched(
        self,
        store: PassageStore,
        retriever: Searcher,
        question: str,
        history: Sequence[Turn],
        filters: Filters | None,
        params: RetrievalParams,
    ) -> tuple[Understanding, SearchResult, list[SearchResult]]:
        understanding = self.understand(question)
        result = search_asks(retriever, store, understanding, params, history, filters)
        ask_results: list[SearchResult] = []
        if understanding.compound and params.search_each_ask:  # each part's sentences from its own search
            queries = ask_queries(understanding.asks)
            ask_results = list(result.asks) or [retriever.search(q, params, history, filters) for q in queries]
        elif understanding.compound:  # each part's sentences chosen for closeness to the part, from the question's passages
            ask_results = [_closer_to(result, retriever.encode(ask.query)) for ask in understanding.asks]
        return understanding, result, ask_results

    def _as_meant(self, question: str, history: Sequence[Turn]) -> tuple[str, list[Turn]]:
        """The question as it means to be asked: of the exchange it goes back to (`went_back_to`), and, when it only
        names a case study ('and what about Publica?'), the question before it asked again of that one
        (`asked_again_of`)."""
        question, history = went_back_to(question, history)
        _, titles = self._names
        retriever = self._state[1]

        def case_study_of(topic: str) -> str | None:
            named = retriever.case_study_named if isinstance(retriever, Retriever) else lambda _: None
            return the_other_one(topic, history, titles) or named(topic)

        def case_study_names(text: str) -> list[str]:
            return [name for name in self.understand(text).entities if case_study_of(name)]

        return asked_again_of(question, history, case_study_of, case_study_names), history

    def understand(self, question: str) -> Understanding:
        """The question's asks, the answer each wants, and the toolkit's names it mentions."""
        names, titles = self._names
        return understand(question, names, titles)

    def case_studies(self) -> list[tuple[CaseStudy, str]]:
        store, _, summaries = self._state
        return [(c, summaries.get(c.id, "")) for c in store.case_studies()]

    def find_case_studies(self, query: str, limit: int = CASE_STUDIES_FOUND) -> list[tuple[CaseStudy, str]]:
        """Case studies about what a user typed, in their own words ('shared planning'), closest first: those
        whose passages the full retrieval finds, in the order it finds them."""
        store, retriever, summaries = self._state
        with self._occupancy:
            result = retriever.search(query, self.params.model_copy(update={"k": CASE_SEARCH_DEPTH}))
        if result.relevance < self.params.min_relevance:
            return []
        by_title = {c.title: c for c in store.case_studies()}
        of_case_studies = [h for h in result.hits if h.passage.case_study in by_title]
        # Case studies that only brush the words (far below the closest case study's passage) would bury the one that
        # fits. The closest case study's, not the closest passage's: the toolkit's own pages on combined authorities
        # are far closer to 'combined authority' than South Cambridgeshire's account of being in one, which is still
        # the case study to show.
        best = max((h.dense for h in of_case_studies), default=0.0)
        floor = max(self.params.min_relevance, best - CASE_SEARCH_MARGIN)
        found = dict.fromkeys(h.passage.case_study for h in of_case_studies if h.dense >= floor)
        # Then those that fit it as wholes nearly as well as the best, whose passages rank below the toolkit's own
        # pages on the subject ('which case studies show districts working with the NHS?': Strategic collaboration
        # with health was the sixteenth passage found). They widen a list the search found, and make one only when
        # one case study stands out ('culture and heritage': Great Place): 'which case studies used one?' fits some
        # case study best whatever 'one' is.
        if found or (result.fitting and result.fitting[0][1] >= CASE_FIT_ALONE):
            found |= dict.fromkeys(result.fitting_within(CASE_FIT_MARGIN, CASE_FIT_FLOOR))
        return [(by_title[t], summaries.get(by_title[t].id, "")) for t in _titled_first(found, query, store) if t in by_title][:limit]

    def case_study(self, case_id: str) -> CaseStudyDetail:
        store = self.store
        study = next((c for c in store.case_studies() if c.id == case_id), None)
        if study is None:
            raise NotFound(f"No case study with id '{case_id}'. GET /case-studies lists them.")
        return CaseStudyDetail(study, [p for p in store.passages() if p.case_study == study.title])

    def health(self) -> dict[str, object]:
        store = self.store
        return {
            "status": "ok",
            "backend": store.backend,
            "passages": len(store.passages()),
            "case_studies": len(store.case_studies()),
            "model": store.manifest.get("model"),
            "built_at": store.manifest.get("built_at"),
        }


def _closer_to(result: SearchResult, ask: np.ndarray) -> SearchResult:
    """The question's search, its sentences judged by closeness to one ask as much as to the whole question: the
    follow-up's own words too, which count most within a case study ('What savings did they get out of it, and
    how is it governed - who sits on the board?' after Publica, user trial 33, had every ask's sentences ranked
    alike, by the whole follow-up, and the board's make-up never quoted)."""
    focus = None if result.focus is None else halfway(result.focus, ask)
    return replace(result, vector=halfway(result.vector, ask), focus=focus)


# A word of a title is the case study's own topic when at most this many titles and passages have it ('loneliness':
# one title, four passages), not a word the toolkit uses throughout ('housing', 'between', 'county').
TITLES_SHARING = 2
PASSAGES_SHARING = 12


def _titled_first(titles: Iterable[str | None], query: str, store: PassageStore) -> list[str | None]:
    """The case studies whose title names a topic of the query that little else of the toolkit names first, the
    rest in their order: 'which case studies are about loneliness?' had Tackling loneliness second, after the Early
    Help Hub (user trial 34). The passages are read only when a word of the query is in a title."""
    in_titles = Counter(w for c in store.case_studies() for w in set(words(c.title.lower())))
    asked = {w for w in words(query.lower()) if w not in STOP_WORDS and len(w) > 3 and 1 <= in_titles[w] <= TITLES_SHARING}
    texts = [p.text.lower() for p in store.passages()] if asked else []
    rare = {w for w in asked if sum(w in text for text in texts) <= PASSAGES_SHARING}
    return sorted(titles, key=lambda t: not rare.intersection(words((t or "").lower())))


def load_synonyms(corpus_dir: Path) -> dict[str, str]:
    path = corpus_dir / "synonyms.json"
    if not path.exists():
        return {}
    return {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if not k.startswith("_")}


def build_assistant(
    settings: Settings,
    *,
    store: PassageStore | None = None,
    encode: Encode | None = None,
    llm: object | None = None,
    params: RetrievalParams | None = None,
    retriever: MakeRetriever = Retriever,
) -> Assistant:
    """Wire the real parts from settings, unless a caller passes its own.

    Args:
        settings: where the corpus is (index files or PostgreSQL), the model, the optional LLM.
        store: the passages to serve (default: `stores.backends.open_store`).
        encode: text → query vector (default: the store's model, batching concurrent queries; it also embeds every
            heading of the index in batches before the assistant serves).
        llm: a LangChain chat model for generated answers (default: from settings, or none).
        params: the retrieval knobs (default: `RetrievalParams()`).
        retriever: builds the retriever over a store (default: the hybrid `Retriever`): the seam to swap retrieval.
    """
    store = store or open_store(settings.index_dir, settings.database_url)
    encode_many, occupancy = None, None
    if encode is None:
        encoder = model_encoder(settings, str(store.manifest.get("model") or settings.model))
        encode, encode_many, occupancy = encoder, encoder.many, encoder.occupancy
    if llm is None and settings.llm_provider:
        from assistant.llm import chat_model_from_settings

        llm = chat_model_from_settings(settings)
    # Following a newer corpus is the server's business (assistant/http): a one-shot command follows nothing.
    plain = PlainGlossary.load(settings.corpus_dir)
    written = load_written_questions(settings.corpus_dir)
    return Assistant(
        store, encode, load_synonyms(settings.corpus_dir), params, llm, retriever, plain, encode_many, occupancy, written
    )
