"""The HTTP contract: one pydantic model per direction, and the conversions to and from the core's types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    computed_field,
    field_validator,
    model_validator,
)

from core.models import CaseStudy, Filters, Passage, Turn
from core.page_labels import case_study_page_label, passage_page_label, quoted_page_label

if TYPE_CHECKING:  # only the conversions name these: importing the schemas (as the UI's client does) stays light
    from assistant.answer import Answer, Citation
    from assistant.feedback import FeedbackEntry
    from assistant.http.documents import DocumentSummary
    from assistant.http.evaluation import EvaluationStatus
    from assistant.http.reindex import ReindexStatus
    from assistant.retrieval import Hit, SearchResult

MAX_QUESTION_CHARS = 2_000
MAX_COMMENT_CHARS = 2_000
# A chat turn carries a whole answer (sentences plus related case studies), far longer than a question.
MAX_TURN_CHARS = 20_000
MAX_HISTORY_TURNS = 50


# What the schema promises clients, in a pattern that means the same in JSON Schema (ECMA) and Python regexes:
# some character that neither counts as blank (Python's str.isspace or ECMA's \s, which adds U+FEFF), and no NUL.
_SAYS_SOMETHING = r"^[^\x00]*[^\s\x00\x1c-\x1f\x85\ufeff][^\x00]*$"
_NO_NUL = r"^[^\x00]*$"


def _blank(value: str) -> bool:
    return all(c.isspace() or c == "\ufeff" for c in value)


def _documented(limit: int | None = None, *, says_something: bool = False) -> WithJsonSchema:
    """The JSON schema of a text field, stating the limits its validators enforce (so generated clients and
    fuzzers know that a blank question, an over-long one or a NUL character is rejected)."""
    schema: dict[str, object] = {"type": "string", "pattern": _SAYS_SOMETHING if says_something else _NO_NUL}
    if says_something:
        schema["minLength"] = 1
    if limit is not None:
        schema["maxLength"] = limit
    return WithJsonSchema(schema)


def _question_text(name: str, limit: int) -> AfterValidator:
    """Text that must say something and stay within `limit` characters, trimmed, with messages naming the field."""

    def check(value: str) -> str:
        if _blank(value):
            raise ValueError(f"{name} must not be empty")
        if len(value) > limit:
            raise ValueError(f"{name} must be at most {limit:,} characters (got {len(value):,})")
        return value.strip()

    return AfterValidator(check)


def _at_most(name: str, limit: int) -> AfterValidator:
    def check(value: str | None) -> str | None:
        if value is not None and len(value) > limit:
            raise ValueError(f"{name} must be at most {limit:,} characters (got {len(value):,})")
        return value

    return AfterValidator(check)


_QUESTION_SCHEMA = _documented(MAX_QUESTION_CHARS, says_something=True)
Question = Annotated[str, _question_text("question", MAX_QUESTION_CHARS), _QUESTION_SCHEMA]
Query = Annotated[str, _question_text("query", MAX_QUESTION_CHARS), _QUESTION_SCHEMA]
Text = Annotated[str, _documented()]


def _storable(name: str, value: str) -> None:
    """Text every part downstream takes: the tokenizer and SQLite reject lone surrogates, PostgreSQL rejects NUL."""
    if "\x00" in value:
        raise ValueError(f"{name} must not contain NUL (\\u0000) characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} is not valid Unicode text (it contains a lone surrogate such as \\ud800)") from None


class _Request(BaseModel):
    """Base of every request body: all its text must be valid, storable Unicode."""

    @field_validator("*", mode="after")
    @classmethod
    def _valid_text(cls, value: object, info: ValidationInfo) -> object:
        name = info.field_name or "text"
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                _storable(name, item)
        return value


# --- requests -------------------------------------------------------------------------------------------------


class TurnIn(_Request):
    """One earlier message in the conversation, so follow-ups ('and how much did they save?') make sense."""

    role: Literal["user", "assistant"]
    content: Annotated[str, _at_most("content", MAX_TURN_CHARS), _documented(MAX_TURN_CHARS)]


class FiltersIn(_Request):
    """Restrict results to one chapter and/or one case study (title or id, case-insensitive; part of a title names
    the one title holding it)."""

    # Forbid unknown keys: a misspelt filter silently ignored would look like a filter that found nothing.
    model_config = ConfigDict(extra="forbid")

    chapter: Text | None = None
    case_study: Text | None = None

    def to_core(self) -> Filters | None:
        return Filters(self.chapter, self.case_study) if self.chapter or self.case_study else None


class _Conversation(_Request):
    # A misspelt 'histroy' silently ignored loses the conversation a follow-up leans on.
    model_config = ConfigDict(extra="forbid")

    history: list[TurnIn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS)
    filters: FiltersIn = Field(default_factory=FiltersIn)

    def turns(self) -> list[Turn]:
        return [Turn(t.role, t.content) for t in self.history]


class SearchRequest(_Conversation):
    query: Query
    k: int = Field(default=5, ge=1, le=50, description="How many passages to return.")


class AskRequest(_Conversation):
    question: Question


class FeedbackIn(_Request):
    """A thumbs up or down on one answer."""

    question: Question
    answer: Annotated[str, _at_most("answer", MAX_TURN_CHARS), _documented(MAX_TURN_CHARS)]
    rating: Literal["up", "down"]
    reason: Literal["wrong_source", "did_not_answer", "hard_to_understand", "other"] | None = None
    comment: Annotated[str, _at_most("comment", MAX_COMMENT_CHARS), _documented(MAX_COMMENT_CHARS)] | None = None
    passage_ids: list[Text] = Field(default_factory=list, max_length=50)


# --- responses ------------------------------------------------------------------------------------------------


def _fields_of(passage: Passage, model: type[BaseModel]) -> dict[str, Any]:
    """The passage's fields that the response model shows, by name."""
    shown = model.model_fields
    return {name: value for name, value in passage.to_json().items() if name in shown}


# A passage's page and a case study's page differ for the same case study; each says which it is, in the
# words every view shows (core.page_labels), so a client never has to word them itself.
_PASSAGE_PAGE = "The printed page this passage starts on; null where it cannot be derived (never a guess)."
_PASSAGE_PAGE_LABEL = (
    "The passage's page as every view words it: 'passage on page 127', 'passage on page 70 or 71' where only the "
    "pages around it are known, or 'page unknown'."
)
_EARLIEST_PAGE = "Where `page` is null but the pages around it are known: the first printed page it can be on."
_LATEST_PAGE = "Where `page` is null but the pages around it are known: the last printed page it can be on."
_CASE_STUDY_PAGE = (
    "The printed page the case study starts on, the same in every list of case studies (its passages' own pages "
    "may be later); null where it cannot be derived."
)
_QUOTED_SECTION = (
    "The section the first sentence quoted from this passage is printed under: the passage's own `section` unless "
    "the passage goes on under another heading before it."
)
_QUOTED_PAGE = "The printed page the first sentence quoted from this passage is on; null where it cannot be derived."
_QUOTED_PAGE_LABEL = (
    "Where the quoted words are printed, as every view words it: the passage's `page_label`, or 'quoted from page 128 "
    "(passage starts on page 127)' where they are on a later page than the passage starts on."
)
_CASE_STUDY_PAGE_LABEL = "The case study's page as every list words it: 'starts on page 116' (or 'first page unknown')."


class PassageOut(BaseModel):
    id: str
    text: str
    score: float
    chapter: str
    section: str | None
    case_study: str | None
    page: int | None = Field(description=_PASSAGE_PAGE)
    earliest_page: int | None = Field(default=None, description=_EARLIEST_PAGE)
    latest_page: int | None = Field(default=None, description=_LATEST_PAGE)

    @computed_field(description=_PASSAGE_PAGE_LABEL)  # type: ignore[prop-decorator]
    @property
    def page_label(self) -> str:
        return passage_page_label(self.page, self.earliest_page, self.latest_page)

    @classmethod
    def from_passage(cls, passage: Passage, score: float = 0.0) -> PassageOut:
        return cls(score=score, **_fields_of(passage, cls))

    @classmethod
    def from_hit(cls, hit: Hit) -> PassageOut:
        return cls.from_passage(hit.passage, hit.score)


class SearchResponse(BaseModel):
    passages: list[PassageOut]

    @classmethod
    def from_result(cls, result: SearchResult) -> SearchResponse:
        return cls(passages=[PassageOut.from_hit(h) for h in result.hits])


class CitationOut(BaseModel):
    """Source [n] of an answer: the whole passage, and the sentences the answer quotes from it."""

    n: int
    passage_id: str
    text: str
    chapter: str
    section: str | None
    case_study: str | None
    page: int | None = Field(description=_PASSAGE_PAGE)
    earliest_page: int | None = Field(default=None, description=_EARLIEST_PAGE)
    latest_page: int | None = Field(default=None, description=_LATEST_PAGE)
    sentences: list[str]
    quoted_section: str | None = Field(default=None, description=_QUOTED_SECTION)
    quoted_page: int | None = Field(default=None, description=_QUOTED_PAGE)

    @computed_field(description=_PASSAGE_PAGE_LABEL)  # type: ignore[prop-decorator]
    @property
    def page_label(self) -> str:
        return passage_page_label(self.page, self.earliest_page, self.latest_page)

    @model_validator(mode="before")
    @classmethod
    def _quoted_where_the_passage_is(cls, data: Any) -> Any:
        """A citation made without the quoted words' place (an older server's) is placed where its passage is."""
        if isinstance(data, dict):
            data = {"quoted_section": data.get("section"), "quoted_page": data.get("page"), **data}
        return data

    @computed_field(description=_QUOTED_PAGE_LABEL)  # type: ignore[prop-decorator]
    @property
    def quoted_page_label(self) -> str:
        return quoted_page_label(self.quoted_page, self.page, self.earliest_page, self.latest_page)

    @classmethod
    def from_citation(cls, citation: Citation) -> CitationOut:
        passage = citation.hit.passage
        section, page = passage.place_of(citation.sentences[0]) if citation.sentences else (passage.section, passage.page)
        return cls(
            n=citation.n,
            passage_id=passage.id,
            sentences=list(citation.sentences),
            quoted_section=section,
            quoted_page=page,
            **_fields_of(passage, cls),
        )


class RelatedCaseStudy(BaseModel):
    id: str
    title: str
    page: int | None = Field(description=_CASE_STUDY_PAGE)

    @computed_field(description=_CASE_STUDY_PAGE_LABEL)  # type: ignore[prop-decorator]
    @property
    def page_label(self) -> str:
        return case_study_page_label(self.page)


class DefinitionOut(BaseModel):
    term: str
    definition: str


class AskResponse(BaseModel):
    answer: str
    answered: bool = Field(description="True only when status is 'answered'.")
    status: Literal["answered", "partial", "not_covered"] = Field(
        description=(
            "answered: the toolkit answers it. partial: it covers the topic but not the thing asked (an event after "
            "2018, one council's figure, a procedure, advice); the answer says so first, then the closest it does say, "
            "cited. not_covered: the toolkit does not cover it; see nearby_topics."
        )
    )
    citations: list[CitationOut]
    passages: list[PassageOut]
    related_case_studies: list[RelatedCaseStudy]
    glossary: dict[str, str] = Field(description="Acronyms used in the answer, with their expansions.")
    nearby_topics: list[str] = Field(
        default_factory=list,
        description="When the toolkit does not cover the question: topics near it that it does cover (also named in `answer`).",
    )
    definition: DefinitionOut | None = Field(
        default=None,
        description=(
            "When the answer opens with a definition from this assistant's own plain-English glossary (its first "
            "paragraph in `answer`): the term and the definition. These are not the toolkit's words."
        ),
    )

    @classmethod
    def from_answer(cls, answer: Answer) -> AskResponse:
        return cls(
            answer=answer.text,
            answered=answer.answered,
            status=answer.status,
            citations=[CitationOut.from_citation(c) for c in answer.citations],
            passages=[PassageOut.from_hit(h) for h in answer.hits],
            related_case_studies=[RelatedCaseStudy(id=c.id, title=c.title, page=c.page) for c in answer.related],
            glossary=dict(answer.glossary),
            nearby_topics=list(answer.nearby_topics),
            definition=(
                DefinitionOut(term=answer.definition.term, definition=answer.definition.text) if answer.definition else None
            ),
        )


class CaseStudySummary(BaseModel):
    id: str
    title: str
    chapter: str
    page: int | None = Field(description=_CASE_STUDY_PAGE)
    summary: str

    @computed_field(description=_CASE_STUDY_PAGE_LABEL)  # type: ignore[prop-decorator]
    @property
    def page_label(self) -> str:
        return case_study_page_label(self.page)

    @classmethod
    def from_case_study(cls, study: CaseStudy, summary: str) -> CaseStudySummary:
        return cls(id=study.id, title=study.title, chapter=study.chapter, page=study.page, summary=summary)


class CaseStudyOut(CaseStudySummary):
    text: str
    passages: list[PassageOut]


class HealthOut(BaseModel):
    status: str = Field(description="'ok', or 'degraded' when a newer published build could not be served.")
    backend: str
    passages: int
    case_studies: int
    model: str | None
    built_at: str | None
    build: str | None = Field(default=None, description="The index build being served.")
    index_error: str | None = Field(default=None, description="Why the published build is not the one served.")


def _when(t: float | None) -> datetime | None:
    return datetime.fromtimestamp(t, UTC) if t is not None else None


class ReindexOut(BaseModel):
    """The latest re-index run of the worker that answers (each worker process keeps its own)."""

    state: Literal["idle", "running", "succeeded", "failed"]
    started_at: datetime | None
    finished_at: datetime | None
    message: str | None
    build: str | None = Field(description="The build the run published (or reused).")
    stage: str | None = Field(default=None, description="While running: 'parse', 'embed' or 'write'.")
    done: int = Field(default=0, description="While running: how far the stage has got, out of `total`.")
    total: int = 0
    reason: str | None = Field(default=None, description="Why it ran: 'requested', or the corpus change behind it.")

    @classmethod
    def from_status(cls, status: ReindexStatus) -> ReindexOut:
        return cls(
            state=status.state,
            started_at=_when(status.started_at),
            finished_at=_when(status.finished_at),
            message=status.message,
            build=status.build,
            stage=status.stage,
            done=status.done,
            total=status.total,
            reason=status.reason,
        )


class DocumentOut(BaseModel):
    """One document of the index being served, counted from its passages."""

    source: str = Field(description="The file name in the corpus folder.")
    title: str
    passages: int
    sections: int = Field(description="Distinct sections its passages name.")
    pages: int = Field(description="Distinct printed pages its passages name (0 for a document without pages).")

    @classmethod
    def from_summary(cls, summary: DocumentSummary) -> DocumentOut:
        return cls(
            source=summary.source,
            title=summary.title,
            passages=summary.passages,
            sections=summary.sections,
            pages=summary.pages,
        )


class SkippedOut(BaseModel):
    source: str
    reason: str


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]
    skipped: list[SkippedOut] = Field(description="Files the last ingest could not read, with why.")


class DocumentChanged(BaseModel):
    """What an upload or removal did to the corpus folder; the re-index it started is at GET /admin/reindex."""

    source: str
    message: str
    kept_aside: str | None = Field(
        default=None, description="Where the removed or replaced file was moved (never deleted), on the server."
    )
    reindex: ReindexOut


class EvaluationIn(_Request):
    """What to evaluate: the question set(s) and split; the baselines take several times longer."""

    model_config = ConfigDict(extra="forbid")

    question_set: Literal["curated", "blind", "all"] = "all"
    split: Literal["dev", "test"] = "dev"
    baselines: bool = False


class EvaluationOut(BaseModel):
    """The latest evaluation started from this server process."""

    state: Literal["idle", "running", "succeeded", "failed"]
    question_set: str | None
    split: str | None
    baselines: bool
    started_at: datetime | None
    finished_at: datetime | None
    stage: str | None = Field(description="The set and system being asked ('curated: ours'), once the model is loaded.")
    done: int = Field(description="Questions asked so far, out of `total`, over the whole run.")
    total: int
    message: str | None
    report: str | None = Field(description="The report folder written; GET /admin/evaluation/report returns it.")

    @classmethod
    def from_status(cls, status: EvaluationStatus) -> EvaluationOut:
        return cls(
            state=status.state,
            question_set=status.question_set,
            split=status.split,
            baselines=status.baselines,
            started_at=_when(status.started_at),
            finished_at=_when(status.finished_at),
            stage=status.stage,
            done=status.done,
            total=status.total,
            message=status.message,
            report=status.report,
        )


class EvaluationReportOut(BaseModel):
    """The newest evaluation report on the server: its folder name and report.json as written."""

    name: str
    report: dict[str, Any]


class FeedbackCreated(BaseModel):
    id: int
    created_at: datetime


class FeedbackOut(BaseModel):
    id: int
    created_at: datetime
    question: str
    answer: str
    rating: str
    reason: str | None
    comment: str | None
    passage_ids: list[str]

    @classmethod
    def from_entry(cls, entry: FeedbackEntry) -> FeedbackOut:
        return cls(
            id=entry.id,
            created_at=entry.created_at,
            question=entry.question,
            answer=entry.answer,
            rating=entry.rating,
            reason=entry.reason,
            comment=entry.comment,
            passage_ids=list(entry.passage_ids),
        )


class ErrorOut(BaseModel):
    """Every 4xx/5xx body: `detail` is a sentence a person can act on."""

    detail: str
    errors: list[dict[str, str]] | None = None
    valid_values: list[str] | None = None
