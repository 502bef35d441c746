"""The near-miss probes: their files load, and the score counts what each label asks of a status."""

from __future__ import annotations

from evals.near_miss import PROBES_DIR, Probe, load_probes, score


def test_the_probe_files_are_labelled_questions() -> None:
    for path in sorted(PROBES_DIR.glob("near_miss_*.jsonl")):
        probes = load_probes(path)
        assert len(probes) == 60 and len({p.id for p in probes}) == 60, path.name
        assert sum(p.in_scope for p in probes) == 20, path.name  # 40 near misses and 20 controls each
        assert all(p.question.strip() and p.kind for p in probes)


def test_an_out_of_scope_probe_counts_unless_answered_and_a_control_only_when_answered() -> None:
    probes = [
        Probe("a", "what is the weather today?", False, "other"),
        Probe("b", "who runs the council now?", False, "later"),
        Probe("c", "what is the collaboration curve?", True, "control"),
        Probe("d", "tell me about Publica", True, "control"),
    ]
    statuses = {"a": "partial", "b": "answered", "c": "answered", "d": "not_covered"}
    by_question = {p.question: statuses[p.id] for p in probes}
    result = score(probes, by_question.__getitem__)
    assert (result.out_of_scope_not_answered, result.out_of_scope) == (1, 2)
    assert (result.controls_answered, result.controls) == (1, 2)
    assert [p.id for p, _ in result.missed] == ["b", "d"]
