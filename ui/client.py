"""The page's HTTP client for the assistant service: typed calls, and errors worded for the person at the screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from assistant.http.schemas import (
    AskResponse,
    CaseStudyOut,
    CaseStudySummary,
    DocumentChanged,
    DocumentsOut,
    EvaluationOut,
    EvaluationReportOut,
    FeedbackCreated,
    FeedbackIn,
    FeedbackOut,
    HealthOut,
    PassageOut,
    ReindexOut,
    SearchResponse,
)
from assistant.settings import Settings

Role = Literal["user", "assistant"]
Model = TypeVar("Model", bound=BaseModel)


class ServiceError(Exception):
    """Any failure talking to the service; the message is a sentence for the user, never a traceback."""


class ServiceUnavailable(ServiceError):
    """The service could not be reached, or took too long: worth trying again."""


class NotAllowed(ServiceError):
    """The admin token is missing or wrong."""


class RequestRejected(ServiceError):
    """The service refused the request as given (too long, unknown filter…)."""


class NotFound(RequestRejected):
    """The case study (or other item) asked for is not in the toolkit the service holds."""


class Conflict(RequestRejected):
    """The request clashes with what is there (a document of that name, the toolkit, a run in progress)."""


@dataclass(frozen=True)
class Turn:
    """One earlier message of the conversation, as the service expects it."""

    role: Role
    content: str


UNREACHABLE = (
    "The assistant isn't answering at the moment. It may be starting up or offline. "
    "Please try again in a minute; if it keeps happening, let the team that runs it know."
)


def _slow(timeout_s: float) -> str:
    unit = "second" if timeout_s == 1 else "seconds"
    return f"The assistant took longer than {timeout_s:g} {unit} to reply, so I stopped waiting. Please try again."


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("detail", "")) if isinstance(body, dict) else ""


@dataclass(frozen=True)
class ApiClient:
    """Calls one running service at `base_url`; every method raises only ServiceError subclasses."""

    base_url: str
    timeout_s: float = 20.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiClient:
        return cls(settings.api_url.rstrip("/"), settings.request_timeout_s)

    def _request(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            with httpx.Client(base_url=self.base_url, timeout=self.timeout_s) as http:
                response = http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ServiceUnavailable(_slow(self.timeout_s)) from exc
        except httpx.HTTPError as exc:  # refused, reset, DNS, a bad URL in the settings
            raise ServiceUnavailable(UNREACHABLE) from exc
        self._raise_for_status(response)
        return response

    def _raise_for_status(self, response: httpx.Response) -> None:
        code = response.status_code
        if code < 400:
            return
        detail = _detail(response)
        if code == 401:
            raise NotAllowed("Please enter the admin token.")
        if code == 403:
            # The service says whether the token is wrong or feedback export is switched off.
            raise NotAllowed(detail or "That admin token isn't accepted.")
        if code == 404:
            # The service's own message names its routes; a reader only needs to know it isn't there.
            raise NotFound("That isn't in the toolkit. It may have changed since the link was made.")
        if code == 409:
            raise Conflict(detail or "That clashes with something already there.")
        if code in (422, 400, 413, 415):
            raise RequestRejected(detail or "The assistant couldn't use that request.")
        if code == 503:
            raise ServiceUnavailable(
                "The assistant isn't ready: its copy of the toolkit hasn't been loaded. "
                "Please let the team that runs it know."
            )
        raise ServiceUnavailable("The assistant ran into a problem answering. Please try again.")

    def _get(self, path: str, model: type[Model], **kwargs: Any) -> Model:
        return _parse(model, self._request("GET", path, **kwargs))

    # --- the calls -------------------------------------------------------------------------------------------

    def health(self) -> HealthOut:
        return self._get("/health", HealthOut)

    def ask(self, question: str, history: Sequence[Turn] = (), case_study: str | None = None) -> AskResponse:
        """An answer with numbered citations, or an abstention; `case_study` (an id) narrows it to one."""
        body: dict[str, Any] = {"question": question, "history": [_turn(t) for t in history]}
        if case_study:
            body["filters"] = {"case_study": case_study}
        return _parse(AskResponse, self._request("POST", "/ask", json=body))

    def search(
        self, query: str, k: int = 5, chapter: str | None = None, case_study: str | None = None
    ) -> SearchResponse:
        filters = {key: value for key, value in (("chapter", chapter), ("case_study", case_study)) if value}
        body = {"query": query, "k": k, "filters": filters}
        return _parse(SearchResponse, self._request("POST", "/search", json=body))

    def case_studies(self, about: str | None = None) -> list[CaseStudySummary]:
        """Every case study; or, `about` some words, those the service's retrieval finds, closest first."""
        params = {"q": about} if about else None
        return _parse_list(CaseStudySummary, self._request("GET", "/case-studies", params=params))

    def case_study(self, case_id: str) -> CaseStudyOut:
        return self._get(f"/case-studies/{case_id}", CaseStudyOut)

    def passages(self, chapter: str | None = None, case_study: str | None = None) -> list[PassageOut]:
        params = {key: value for key, value in (("chapter", chapter), ("case_study", case_study)) if value}
        return _parse_list(PassageOut, self._request("GET", "/passages", params=params))

    def send_feedback(self, feedback: FeedbackIn) -> FeedbackCreated:
        return _parse(FeedbackCreated, self._request("POST", "/feedback", json=feedback.model_dump(mode="json")))

    def feedback(self, token: str) -> list[FeedbackOut]:
        return _parse_list(FeedbackOut, self._request("GET", "/feedback", token=token))

    def feedback_csv(self, token: str) -> bytes:
        return self._request("GET", "/feedback.csv", token=token).content

    # --- the content team's admin calls ------------------------------------------------------------------------

    def documents(self, token: str) -> DocumentsOut:
        return self._get("/documents", DocumentsOut, token=token)

    def upload_document(self, token: str, name: str, data: bytes, replace: bool = False) -> DocumentChanged:
        response = self._request(
            "POST", "/documents", token=token, files={"file": (name, data)}, params={"replace": str(replace).lower()}
        )
        return _parse(DocumentChanged, response)

    def remove_document(self, token: str, name: str, confirm: bool = False) -> DocumentChanged:
        path = f"/documents/{quote(name, safe='')}"
        return _parse(DocumentChanged, self._request("DELETE", path, token=token, params={"confirm": str(confirm).lower()}))

    def reindex_status(self, token: str) -> ReindexOut:
        return self._get("/admin/reindex", ReindexOut, token=token)

    def start_evaluation(self, token: str, question_set: str, split: str, baselines: bool = False) -> EvaluationOut:
        body = {"question_set": question_set, "split": split, "baselines": baselines}
        return _parse(EvaluationOut, self._request("POST", "/admin/evaluation", token=token, json=body))

    def evaluation_status(self, token: str) -> EvaluationOut:
        return self._get("/admin/evaluation", EvaluationOut, token=token)

    def evaluation_report(self, token: str) -> EvaluationReportOut | None:
        """The newest report on the service, or None when it has none yet."""
        try:
            return self._get("/admin/evaluation/report", EvaluationReportOut, token=token)
        except NotFound:
            return None


def _turn(turn: Turn) -> dict[str, str]:
    return {"role": turn.role, "content": turn.content}


def _parse(model: type[Model], response: httpx.Response) -> Model:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise _unexpected() from exc


def _parse_list(model: type[Model], response: httpx.Response) -> list[Model]:
    try:
        return TypeAdapter(list[model]).validate_json(response.content)  # type: ignore[valid-type]
    except ValidationError as exc:
        raise _unexpected() from exc


def _unexpected() -> ServiceError:
    # A reply we can't read usually means LOCALITIES_API_URL points at something that isn't this service.
    return ServiceUnavailable(
        "The assistant sent a reply this page couldn't read. Please let the team that runs it know."
    )
