"""The follow-up probes: their files load with case studies the index holds, and the score counts a follow-up as
keeping to its case study, or widening, only where the first answer found it."""

from __future__ import annotations

from collections.abc import Sequence

from core.models import Turn
from evals.follow_ups import PROBES_DIR, ProbeConversation, Reply, load_conversations, score


def test_the_probe_files_are_conversations_about_case_studies_the_toolkit_has(assistant) -> None:  # type: ignore[no-untyped-def]
    titles = {c.title for c in assistant.store.case_studies()}
    paths = sorted(PROBES_DIR.glob("follow_ups_*.jsonl"))
    assert len(paths) == 4
    conversations = [c for path in paths for c in load_conversations(path)]
    assert len(conversations) == 45 + 36 + 36 and len({c.id for c in conversations}) == len(conversations)
    assert {c.case_study for c in conversations} == titles  # every case study, by the index's own title
    assert all(len(c.turns) == 3 and all(t.strip() for t in c.turns) for c in conversations)


def test_follow_ups_count_only_after_a_first_answer_on_the_case_study() -> None:
    study, other = "Publica Group", "Five-Council partnership"
    conversations = [
        ProbeConversation("a", study, "officer", ("q1", "q2", "q3"), ("same", "other")),
        ProbeConversation("b", study, "officer", ("r1", "r2", "r3"), ("same", "same")),
        ProbeConversation("c", other, "officer", ("s1", "s2", "s3"), ("same", "same")),
    ]
    replies = {
        "q1": Reply("answered", "…", (None, study)),  # its first case study counts, not its first citation
        "q2": Reply("partial", f"The toolkit (2018) gives no money figures for {study}. The closest…", (other,)),
        "q3": Reply("answered", "…", (other, study)),  # widened: another case study first
        "r1": Reply("answered", "…", (study,)),
        "r2": Reply("not_covered", "…", ()),  # refused: not kept
        "r3": Reply("answered", "…", (other,)),  # drifted
        "s1": Reply("answered", "…", (study,)),  # the first answer missed: its follow-ups are not scored
        "s2": Reply("answered", "…", (other,)),
        "s3": Reply("answered", "…", (other,)),
    }
    seen: list[int] = []

    def ask(question: str, history: Sequence[Turn]) -> Reply:
        seen.append(len(history))
        return replies[question]

    result = score(conversations, ask)
    assert (result.first_found, result.conversations) == (2, 3)
    assert (result.kept, result.same) == (1, 3) and (result.widened, result.other) == (1, 1)
    assert [(c.id, turn) for c, turn, _ in result.missed] == [("b", 1), ("b", 2), ("c", 0)]
    assert seen == [0, 2, 4] * 3  # each turn asked with the earlier questions and answers


def test_a_follow_ups_sentences_the_answer_before_quoted_too_are_counted() -> None:
    """In every conversation, its first answer found or not: each follow-up answer's sentences against the answer
    just before it (the same sentence, whatever its spacing), not against the conversation's first."""
    study = "Publica Group"
    said, first_only = "Four councils own the company together.", "It began with two councils sharing a chief executive."
    new, other = "The company took on 650 staff in 2017.", "A Board of directors governs the company."
    conversations = [ProbeConversation("a", study, "officer", ("q1", "q2", "q3"), ("same", "same"))]
    replies = {
        "q1": Reply("answered", "…", (study,), (said, first_only)),
        "q2": Reply("answered", "…", (study,), (new, "Four  councils own the company together.")),
        "q3": Reply("answered", "…", (study,), (first_only, other)),  # said two answers before: not the one before
    }
    result = score(conversations, lambda question, history: replies[question])
    assert (result.repeated, result.sentences) == (1, 4)
