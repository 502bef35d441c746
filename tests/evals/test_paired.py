"""Two-ask questions joined from one split's own questions (evals/paired.py): never across splits, always two asks."""

from __future__ import annotations

from assistant.asks import understand
from evals.dataset import BLIND_SET, load_questions
from evals.paired import pairs


def test_pairs_join_two_questions_of_one_split_into_a_question_of_two_asks() -> None:
    dev = load_questions(BLIND_SET, "dev")
    by_id = {q.id: q for q in dev}
    joined = pairs(dev)
    assert {tag for tag, _ in joined} == {"same", "other"}
    for _, question in joined:
        first, second = (by_id[i] for i in question.id.split("+"))  # a test question would be missing here
        assert first.id != second.id and len(understand(question.question).asks) == 2
        assert [p["evidence"] for p in question.parts] == [first.evidence, second.evidence]


def test_pairs_are_the_same_every_run() -> None:
    dev = load_questions(BLIND_SET, "dev")
    assert [q.question for _, q in pairs(dev)] == [q.question for _, q in pairs(dev)]
