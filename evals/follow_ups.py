"""Follow-up probes: conversations written from the topic sheet alone, scored on whether follow-ups keep to their case study.

    python -m evals.follow_ups [evals/probes/follow_ups_1.jsonl ...]

Each conversation's first question finds one case study (described in the user's words, or named); its follow-ups
ask about it without naming it ('what governance sat behind it?', 'how many staff moved over?'), and a few widen
('has anyone else done this?'). Each turn is asked with the assistant's own earlier answers as its history, as
the chat sends them. A follow-up keeps to its case study when its answer cites that case study first, or says what
the toolkit does not give for it; a widening one when it cites another case study first. Follow-ups are scored
only in conversations whose first answer found the case study: a follow-up to the wrong case study is the first
answer's fault, counted there. The probes carry no evidence, so they measure only that, quickly, on
conversations nobody tuned on before they were written.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.console import Console

from assistant.composition import near_same
from core.models import Turn

PROBES_DIR = Path(__file__).resolve().parent / "probes"

Expect = Literal["same", "other"]


@dataclass(frozen=True)
class ProbeConversation:
    id: str
    case_study: str
    persona: str
    turns: tuple[str, ...]
    expect: tuple[Expect, ...]  # one per follow-up (turns[1:])


@dataclass(frozen=True)
class Reply:
    """What a probe needs of an answer: its status, its text, and the case study of each citation in order."""

    status: str
    text: str
    cited: tuple[str | None, ...]
    sentences: tuple[str, ...] = ()  # the toolkit's sentences it quotes, in its citations' order


@dataclass(frozen=True)
class ConversationScore:
    first_found: int
    conversations: int
    kept: int  # follow-ups expecting the same case study that kept to it
    same: int
    widened: int  # follow-ups asking for other examples that got another case study first
    other: int
    missed: tuple[tuple[ProbeConversation, int, Reply], ...]  # each turn scored wrong, by its index in `turns`
    repeated: int = 0  # sentences of follow-up answers that the answer before quoted too
    sentences: int = 0  # sentences of follow-up answers, in every conversation


def load_conversations(path: Path) -> list[ProbeConversation]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    conversations = []
    for r in rows:
        turns, expect = tuple(str(t) for t in r["turns"]), tuple(r["expect"])
        if len(expect) != len(turns) - 1 or any(e not in ("same", "other") for e in expect):
            raise ValueError(f"{path.name} {r['id']}: 'expect' needs 'same' or 'other' for each follow-up")
        conversations.append(ProbeConversation(str(r["id"]), str(r["case_study"]), str(r["persona"]), turns, expect))
    return conversations


def first_case_study(reply: Reply) -> str | None:
    """The case study of the first citation that belongs to one."""
    return next((study for study in reply.cited if study), None)


def keeps_to(reply: Reply, case_study: str) -> bool:
    """Answered from the case study, or a partial answer saying what the toolkit does not give for it."""
    if reply.status == "partial" and case_study.lower() in reply.text.split("\n", 1)[0].lower():
        return True
    return reply.status != "not_covered" and first_case_study(reply) == case_study


def widens_from(reply: Reply, case_study: str) -> bool:
    other = first_case_study(reply)
    return reply.status != "not_covered" and other is not None and other != case_study


AskFn = Callable[[str, Sequence[Turn]], Reply]


def score(conversations: Sequence[ProbeConversation], ask: AskFn) -> ConversationScore:
    """Turn by turn, each with the earlier answers as its history."""
    first_found = kept = same = widened = other = repeated = sentences = 0
    missed: list[tuple[ProbeConversation, int, Reply]] = []
    for conversation in conversations:
        history: list[Turn] = []
        replies = []
        for question in conversation.turns:
            reply = ask(question, history)
            replies.append(reply)
            history = [*history, Turn("user", question), Turn("assistant", reply.text)]
        for before, reply in zip(replies, replies[1:]):
            sentences += len(reply.sentences)
            repeated += sum(any(near_same(s, said) for said in before.sentences) for s in reply.sentences)
        if first_case_study(replies[0]) != conversation.case_study:
            missed.append((conversation, 0, replies[0]))
            continue
        first_found += 1
        for index, (expect, reply) in enumerate(zip(conversation.expect, replies[1:], strict=True), start=1):
            if expect == "same":
                same += 1
                right = keeps_to(reply, conversation.case_study)
                kept += right
            else:
                other += 1
                right = widens_from(reply, conversation.case_study)
                widened += right
            if not right:
                missed.append((conversation, index, reply))
    return ConversationScore(first_found, len(conversations), kept, same, widened, other, tuple(missed), repeated, sentences)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=sorted(PROBES_DIR.glob("follow_ups_*.jsonl")))
    args = parser.parse_args(argv)
    from assistant.service import build_assistant
    from assistant.settings import get_settings

    assistant = build_assistant(get_settings())

    def ask(question: str, history: Sequence[Turn]) -> Reply:
        answer = assistant.ask(question, history)
        cited = tuple(c.hit.passage.case_study for c in answer.citations)
        return Reply(answer.status, answer.text, cited, tuple(s for c in answer.citations for s in c.sentences))

    console = Console()
    for path in args.files:
        result = score(load_conversations(path), ask)
        console.print(
            f"{path.name}: first answers on the case study {result.first_found}/{result.conversations}; "
            f"follow-ups keeping to it {result.kept}/{result.same}; widening ones going elsewhere "
            f"{result.widened}/{result.other}; follow-up answers' sentences the answer before quoted too "
            f"{result.repeated}/{result.sentences}"
        )
        for conversation, index, reply in result.missed:
            cited = first_case_study(reply) or "no case study"
            console.print(
                f"  {conversation.id} turn {index + 1} ({reply.status}, cites {cited}): {conversation.turns[index]}",
                markup=False,
            )


if __name__ == "__main__":
    main()
