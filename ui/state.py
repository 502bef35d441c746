"""The conversation a browser session holds: messages, the case study it is scoped to, a question awaiting retry."""

from __future__ import annotations

import itertools
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

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


def conversation(state: State) -> Conversation:
    """The session's conversation, started on first use."""
    if not isinstance(state.get(KEY), Conversation):
        state[KEY] = Conversation()
    return state[KEY]  # type: ignore[no-any-return]


def start_new(state: State, scope: Scope | None = None) -> Conversation:
    """Forget the conversation (and any scope) and start again, optionally about one case study."""
    state[KEY] = Conversation(scope=scope)
    return state[KEY]  # type: ignore[no-any-return]
