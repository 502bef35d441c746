"""The systems an evaluation compares: ours (in-process or over HTTP) and the baselines."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from assistant.params import RetrievalParams
from core.models import Turn
from evals.dataset import Question


@dataclass(frozen=True)
class Retrieved:
    id: str
    text: str
    case_study: str | None = None
    n: int | None = None  # the [n] marker a cited passage answers to
    footnotes: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What one system did with one question."""

    passages: list[Retrieved]
    search_ms: float
    answer: str | None = None
    answered: bool | None = None
    citations: list[Retrieved] = field(default_factory=list)
    ask_ms: float | None = None
    glossary: dict[str, str] = field(default_factory=dict)


class System(Protocol):
    name: str
    answers: bool

    def run(self, question: Question, k: int) -> Outcome: ...


def _turns(question: Question) -> list[Turn]:
    return [Turn(t["role"], t["content"]) for t in question.history]


class AssistantSystem:
    """Our assistant in-process; with `answers=False` and plain params it doubles as a baseline."""

    def __init__(self, assistant: object, name: str = "ours", params: RetrievalParams | None = None, answers: bool = True) -> None:
        self.assistant = assistant
        self.name = name
        self.params = params
        self.answers = answers

    def run(self, question: Question, k: int) -> Outcome:
        from assistant.service import Assistant

        assistant = self.assistant
        assert isinstance(assistant, Assistant)
        params = (self.params or assistant.params).model_copy(update={"k": k})
        history = _turns(question) if params.use_history else []
        started = time.perf_counter()
        result = assistant.search(question.question, history=history, params=params)
        search_ms = (time.perf_counter() - started) * 1000
        outcome = Outcome([Retrieved(h.passage.id, h.passage.text, h.passage.case_study) for h in result.hits], search_ms)
        if self.answers:
            started = time.perf_counter()
            answer = assistant.ask(question.question, history=history, params=self.params or assistant.params)
            outcome.ask_ms = (time.perf_counter() - started) * 1000
            outcome.answer, outcome.answered = answer.text, answer.answered
            outcome.glossary = dict(answer.glossary)
            outcome.citations = [
                Retrieved(c.hit.passage.id, c.hit.passage.text, c.hit.passage.case_study, c.n, tuple(c.hit.passage.footnotes))
                for c in answer.citations
            ]
        return outcome


class HttpSystem:
    """The running service, through its public /search and /ask contract."""

    answers = True

    def __init__(self, url: str, name: str = "ours (http)", timeout: float = 30.0) -> None:
        import httpx

        self.name = name
        self.client = httpx.Client(base_url=url.rstrip("/"), timeout=timeout)

    def run(self, question: Question, k: int) -> Outcome:
        started = time.perf_counter()
        response = self.client.post("/search", json={"query": question.question, "k": k, "history": question.history})
        response.raise_for_status()
        search_ms = (time.perf_counter() - started) * 1000
        passages = [Retrieved(p["id"], p["text"], p.get("case_study")) for p in response.json()["passages"]]
        started = time.perf_counter()
        response = self.client.post("/ask", json={"question": question.question, "history": question.history})
        response.raise_for_status()
        ask_ms = (time.perf_counter() - started) * 1000
        body = response.json()
        citations = [Retrieved(c["passage_id"], c["text"], c.get("case_study"), c.get("n")) for c in body["citations"]]
        return Outcome(passages, search_ms, body["answer"], body["answered"], citations, ask_ms, body.get("glossary", {}))


# The plain LangChain pipeline's chunking: RecursiveCharacterTextSplitter's usual example values, untuned.
LANGCHAIN_CHUNK_SIZE = 1000
LANGCHAIN_CHUNK_OVERLAP = 200


def langchain_store(corpus_file: Path, model: str, embeddings: Any = None) -> Any:
    """The plain LangChain pipeline's FAISS store over one text file: the baseline of the evaluation and of the
    benchmarks alike. `embeddings` replaces HuggingFaceEmbeddings (tests pass the session's model)."""
    from langchain_community.vectorstores import FAISS
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    if embeddings is None:
        from langchain_huggingface import HuggingFaceEmbeddings

        from core.embed import resolve_model_path

        embeddings = HuggingFaceEmbeddings(model_name=resolve_model_path(model), model_kwargs={"device": "cpu"})
    text = corpus_file.read_text(encoding="utf-8")
    splitter = RecursiveCharacterTextSplitter(chunk_size=LANGCHAIN_CHUNK_SIZE, chunk_overlap=LANGCHAIN_CHUNK_OVERLAP)
    return FAISS.from_texts(splitter.split_text(text), embeddings)


class LangChainBaseline:
    """The plain LangChain pipeline: RecursiveCharacterTextSplitter 1000/200 + the same model + FAISS."""

    answers = False
    name = "langchain"

    def __init__(self, corpus_file: Path, model: str) -> None:
        self.store = langchain_store(corpus_file, model)

    def run(self, question: Question, k: int) -> Outcome:
        started = time.perf_counter()
        docs = self.store.similarity_search(question.question, k=k)
        search_ms = (time.perf_counter() - started) * 1000
        return Outcome([Retrieved(f"lc-{hash(d.page_content)}", d.page_content) for d in docs], search_ms)


def baseline_params(kind: str) -> RetrievalParams:
    """Plain single-retriever settings: no rewriting, no history, one side of the fusion only."""
    plain = {"use_spelling": False, "use_glossary": False, "use_synonyms": False, "use_history": False}
    # Neither side searches the questions written for passages (assistant/passage_questions.py): they are ours.
    if kind == "bm25":
        return RetrievalParams(dense_weight=0.0, **plain).without_written_questions()
    return RetrievalParams(lexical_weight=0.0, **plain).without_written_questions()
