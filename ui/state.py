"""The conversation a browser session holds: messages, the case study it is scoped to, a question awaiting retry."""

from __future__ import annotations

import itertools
import json
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from streamlit.runtime.state import SessionStateProxy

from assistant.http.schemas import MAX_HISTORY_TURNS, AskResponse
from ui.client import Role, Turn

KEY = "conversation"
# st.session_state, or a plain dict in tests and scripts.
State = MutableMapping[str, Any] | SessionStateProxy
_ids = itertools.count(1)


@dataclass
class Message:
    """One chat message; an assistant message keeps the full response so its sources can be redrawn."""

    role: Role
    content: str
    question: str | None = None  # for an answer: the question it answers (feedback records both)
    response: AskResponse | None = None
    feedback_sent: bool = False


@dataclass(frozen=True)
class Scope:
    """A case study that every question of the conversation is narrowed to."""

    id: str
    title: str


@dataclass
class Conversation:
    messages: list[Message] = field(default_factory=list)
    scope: Scope | None = None
    pending: str | None = None  # a question that got no answer (service down or slow), kept for "Try again"
    problem: str | None = None
    # Widget keys include the id, so a new conversation never inherits the old one's feedback choices.
    id: int = field(default_factory=lambda: next(_ids))

    @classmethod
    def from_turns(cls, turns: list[dict[str, str]], scope: Scope | None = None) -> Conversation:
        """A conversation already holding these turns (as in evals/questions.jsonl `history`)."""
        messages = [Message(role=t["role"], content=t["content"]) for t in turns]  # type: ignore[arg-type]
        return cls(messages=messages, scope=scope)

    def history(self) -> list[Turn]:
        """What the service needs to understand a follow-up: the latest turns, within its limit."""
        return [Turn(m.role, m.content) for m in self.messages][-MAX_HISTORY_TURNS:]

    def add_answer(self, question: str, response: AskResponse) -> None:
        self.messages.append(Message("user", question))
        self.messages.append(Message("assistant", response.answer, question=question, response=response))
        self.pending = self.problem = None

    def add_problem(self, question: str, problem: str) -> None:
        self.pending, self.problem = question, problem

    @property
    def answers(self) -> list[Message]:
        """The messages that hold a response from the service (answers and abstentions)."""
        return [m for m in self.messages if m.response is not None]

    def untouched(self) -> bool:
        """Nothing asked, nothing failed, no case study chosen: a conversation a saved one may replace."""
        return not self.messages and not self.pending and self.scope is None


# Bumped when the saved shape changes: an old tab's copy is then ignored rather than misread.
SAVED_VERSION = 1


def saved(conv: Conversation) -> str:
    """The conversation as JSON for the browser to keep: what the page needs to redraw it after a reload.

    Each response's `passages` (every passage retrieved, not only those cited) is left out: the page never shows
    them and they would multiply what the browser holds.
    """
    messages = [
        {
            "role": m.role,
            "content": m.content,
            "question": m.question,
            "response": m.response.model_dump(mode="json", exclude={"passages"}) if m.response else None,
            "feedback_sent": m.feedback_sent,
        }
        for m in conv.messages
    ]
    scope = {"id": conv.scope.id, "title": conv.scope.title} if conv.scope else None
    body = {"version": SAVED_VERSION, "messages": messages, "scope": scope, "pending": conv.pending}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _response(saved: object) -> AskResponse | None:
    if saved is None:
        return None
    if not isinstance(saved, dict):
        raise TypeError("a saved response is an object")
    return AskResponse.model_validate({**saved, "passages": []})


def restored(text: str) -> Conversation | None:
    """The conversation `saved` wrote, with a new id; None for anything else (empty, damaged, another version)."""
    try:
        body = json.loads(text)
        if not isinstance(body, dict) or body.get("version") != SAVED_VERSION:
            return None
        messages = [
            Message(
                role=m["role"],
                content=m["content"],
                question=m.get("question"),
                response=_response(m.get("response")),
                feedback_sent=bool(m.get("feedback_sent")),
            )
            for m in body["messages"]
        ]
        if any(m.role not in ("user", "assistant") or not isinstance(m.content, str) for m in messages):
            return None
        scope = Scope(body["scope"]["id"], body["scope"]["title"]) if body.get("scope") else None
        pending = body.get("pending") if isinstance(body.get("pending"), str) else None
    except (ValueError, TypeError, KeyError, ValidationError):
        return None
    # The problem the pending question met is not kept: after a reload "Try again" says what it is now.
    problem = "Your last question got no answer. Ask it again with “Try again”." if pending else None
    return Conversation(messages=messages, scope=scope, pending=pending, problem=problem)


def conversation(state: State) -> Conversation:
    """The session's conversation, started on first use."""
    if not isinstance(state.get(KEY), Conversation):
        state[KEY] = Conversation()
    return state[KEY]  # type: ignore[no-any-return]


def start_new(state: State, scope: Scope | None = None) -> Conversation:
    """Forget the conversation (and any scope) and start again, optionally about one case study."""
    state[KEY] = Conversation(scope=scope)
    return state[KEY]  # type: ignore[no-any-return]
