"""Two-ask questions made of one split's own questions, for the compound search (`RetrievalParams.fuse_asks`).

    python -m evals.paired [--split dev]

The blind set holds few compound questions (16 on dev), and their asks are nearly always about one topic. Joining
two standalone questions of the same split ('<first>, and <second>?') gives a hundred more whose asks' evidence is
known, about one topic or two. found@5 counts one when both questions' evidence is in the top 5. It prints found@5
with the fusion off and on. Tune on dev; the test split's pairs are for reporting.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence

from rich.console import Console

from assistant.asks import understand
from assistant.service import build_assistant
from assistant.settings import get_settings
from evals.dataset import Question, load_questions, resolve_sets
from evals.runner import found_at

PAIRED_KINDS = ("fact", "paraphrase", "case_study")
MAX_LENGTH = 160  # characters of a question joined to another: longer ones read as two paragraphs, not one question
SEED = 7


def _topic(question: Question) -> str:
    """The chapter or case study a question is about (a topic's chapter, before its ' › ' section)."""
    return (question.topic or question.case_study or question.id).split("›")[0].strip()


def pairs(questions: Sequence[Question], seed: int = SEED) -> list[tuple[str, Question]]:
    """For each joinable question, one partner on its topic ('same') and one off it ('other'), as one question
    whose parts are the two; kept only when the ask split finds exactly the two asks."""
    joinable = [
        q
        for q in questions
        if q.answerable and q.standalone and not q.parts and q.kind in PAIRED_KINDS and q.question.rstrip().endswith("?")
        and len(q.question) < MAX_LENGTH and not understand(q.question).compound
    ]
    chooser = random.Random(seed)
    joined: list[tuple[str, Question]] = []
    for first in joinable:
        for tag in ("same", "other"):
            pool = [q for q in joinable if q is not first and (_topic(q) == _topic(first)) == (tag == "same")]
            if not pool:
                continue
            second = chooser.choice(pool)
            text = f"{first.question.rstrip(' ?')}, and {second.question[0].lower()}{second.question[1:]}"
            if len(understand(text).asks) != 2:
                continue
            parts = [{"ask": q.question, "evidence": q.evidence, "answer_facts": q.answer_facts} for q in (first, second)]
            joined.append(
                (tag, Question(id=f"{first.id}+{second.id}", split=first.split, persona=first.persona, kind="compound",
                               question=text, evidence=first.evidence + second.evidence, parts=parts))
            )
    return joined


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev")
    args = parser.parse_args(argv)
    assistant = build_assistant(get_settings())
    console = Console()
    for set_name, path in resolve_sets("all").items():
        joined = pairs(load_questions(path, args.split))
        for fuse in (False, True):
            params = assistant.params.model_copy(update={"fuse_asks": fuse, "k": 5})
            found = {"same": [0, 0], "other": [0, 0]}
            for tag, question in joined:
                hits = assistant.search(question.question, params=params).hits
                found[tag][0] += int(found_at(question, [h.passage.text for h in hits]))
                found[tag][1] += 1
            shares = ", ".join(f"{tag} {n}/{total}" for tag, (n, total) in found.items())
            console.print(f"{set_name} {args.split} pairs, fusion {'on' if fuse else 'off'}: found@5 {shares}")


if __name__ == "__main__":
    main()
