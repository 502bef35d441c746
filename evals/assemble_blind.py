"""Build evals/questions_blind.jsonl from the writers' questions and the locators' evidence (evals/README.md).

The writers' files (evals/blind_sources/writer_*.jsonl) are kept as written, so anyone can check that no question
was reworded to match the text; the locators' files (evidence_*.jsonl) say where each answer is, or why a question
was dropped. The split is by topic: every question whose evidence lies in one case study (or, outside case
studies, one section) goes to the same split, so nothing tuned on dev has seen a test passage's question.

    python -m evals.assemble_blind [--index-dir index]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from core.models import Passage
from evals.dataset import BLIND_SET, EVALS_DIR, is_relevant
from stores.files import schema as index_store

SOURCES = EVALS_DIR / "blind_sources"
NEAR_MISS_TYPES = ("after_2018", "local_figure", "procedure", "advice", "other_country")
# Writer rounds written after the split was fixed and the test split's floors measured on it (writer_F*.jsonl: out
# of scope questions to tune the answer status on; writer_G*.jsonl: in-scope questions on the topics not on test, so
# that dev decisions rest on more than 120 answerable questions; writer_H*.jsonl: in-scope questions, most of them
# compound, case look-ups and paraphrases, written from a topic sheet cut to the topics not on test, as dev had come
# to find nearly all its questions' passages while test found two thirds; the sheet is blind_sources/topic_sheet_H.md).
# writer_I*.jsonl: the earlier user turns of the dev split's conversations (each line's 'source' names the question
# whose history it opens), written blind with them and never scored until then; the locators set their kinds (a turn
# asking whether anyone has done something, answered by one case study, is a case look-up). writer_J*.jsonl: compound
# questions above all, with misspelled ones, case look-ups and follow-ups, from the same cut sheet, as blind test's
# compound questions found every part's passages for a third of them while dev's found them for four in five.
# writer_K*.jsonl: paraphrases and follow-ups above all, from the same cut sheet, as blind test's paraphrases reached
# their facts for one in five. writer_L*.jsonl: compound questions above all again (34 of 80), with case look-ups,
# misspellings and follow-ups, from the same cut sheet, as blind test's compound questions still found every part's
# passages for two in five. writer_M*.jsonl: case look-ups told as the user's own situation above all (22 of 80), with
# misspellings, paraphrases and follow-ups, from the same cut sheet, as user trials kept matching such situations to
# the wrong case study. writer_O*.jsonl: round H's mix from the same cut sheet, held out (blind_sources/held_out/) as the
# unseen check of later changes until it had been measured more than once.
# Their questions all go to dev and take no part in the split, so no earlier question changes side; one the toolkit turns out to answer about a test topic is left out.
DEV_ONLY_ROUNDS = ("F", "G", "H", "I", "J", "K", "L", "M", "O")


def _read(paths: Iterable[Path]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for path in sorted(paths):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["id"]] = row
    return rows


def is_dev_only(path: Path) -> bool:
    """A writer's or locator's file of a round pinned to dev ('writer_F.jsonl', 'evidence_F2.jsonl')."""
    return path.stem.split("_", 1)[-1].startswith(DEV_ONLY_ROUNDS)


def passage_topic(passage: Passage) -> str:
    """What a question about this passage is about, for the split: its case study, else its chapter › section."""
    return passage.case_study or f"{passage.chapter} › {passage.section or ''}"


def _topics(evidence: Sequence[str], passages: Sequence[Passage]) -> list[str]:
    return sorted({passage_topic(p) for p in passages if is_relevant(p.text, list(evidence))})


def build_rows(
    written: dict[str, dict[str, Any]],
    located: dict[str, dict[str, Any]],
    passages: Sequence[Passage],
    published_topics: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One question row per kept question, without its split; the writer's words untouched. A question already
    published keeps the topic it was split by (`published_topics`, by id); a new one's comes from `passages`."""
    rows = []
    for qid, question in written.items():
        verdict = located.get(qid, {}).get("verdict", "drop")
        if verdict == "drop":
            continue
        found = located[qid]
        answerable = verdict == "answerable"
        kind = question["kind"]
        if kind == "out_of_scope" and answerable:
            # The toolkit turned out to cover it: a question in everyday words about what it says.
            kind = "paraphrase"
        if kind != "out_of_scope" and not answerable:
            kind = "out_of_scope"
        parts = []
        if answerable and found.get("parts"):
            parts = [{"ask": p["ask"], "evidence": p["evidence"], "answer_facts": p["answer_facts"]} for p in found["parts"]]
        evidence = [s for p in parts for s in p["evidence"]] if parts else list(found.get("evidence", []))
        facts = [f for p in parts for f in p["answer_facts"]] if parts else list(found.get("answer_facts", []))
        oos_type = question.get("oos_type") or "far"
        known = (published_topics or {}).get(f"b{qid}")
        topics = (known.split(" | ") if known else _topics(evidence, passages)) if answerable else []
        rows.append(
            {
                "id": f"b{qid}",
                "split": "",
                "persona": question["persona"],
                "kind": kind,
                "question": question["question"],
                "history": question.get("history", []),
                "answerable": answerable,
                "evidence": evidence if answerable else [],
                "case_study": found.get("case_study") if answerable else None,
                "answer_facts": facts if answerable else [],
                "parts": parts,
                "topic": " | ".join(topics) if answerable else f"out of scope: {oos_type}",
                "near_miss": (not answerable) and oos_type in NEAR_MISS_TYPES,
            }
        )
    return rows


def _imbalance(counts: dict[str, Counter[str]], side: str, kinds: Counter[str]) -> tuple[int, int]:
    """How uneven the splits would be, kind by kind and in all, with `kinds` added to `side`."""
    other = counts["test" if side == "dev" else "dev"]
    after = counts[side] + kinds
    per_kind = sum(abs(after[k] - other[k]) for k in set(after) | set(other))
    return per_kind, abs(sum(after.values()) - sum(other.values()))


def split_by_topic(rows: list[dict[str, Any]]) -> None:
    """Dev or test for each row: topics joined by a question that spans them stay together, kinds balanced."""
    parent: dict[str, str] = {}

    def find(topic: str) -> str:
        while parent.setdefault(topic, topic) != topic:
            topic = parent[topic]
        return topic

    for row in rows:
        topics = row["topic"].split(" | ") if row["answerable"] else [f"{row['topic']} #{row['id']}"]
        for topic in topics[1:]:
            parent[find(topic)] = find(topics[0])
        find(topics[0])
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        first = row["topic"].split(" | ")[0] if row["answerable"] else f"{row['topic']} #{row['id']}"
        groups[find(first)].append(row)
    counts = {"dev": Counter[str](), "test": Counter[str]()}
    # Largest groups first, each to the split it unbalances least, kind by kind; ties by name, so it is repeatable.
    for _, members in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        kinds = Counter(r["kind"] for r in members)
        split = min(("dev", "test"), key=lambda side: _imbalance(counts, side, kinds))
        counts[split].update(kinds)
        for row in members:
            row["split"] = split


def pin_to_dev(rows: list[dict[str, Any]], split: Sequence[dict[str, Any]], passages: Sequence[Passage] = ()) -> list[dict[str, Any]]:
    """Dev for each row of a dev-only round, kept only if no topic of its evidence is already on test (a question
    the toolkit turned out to answer about a test topic would let dev see a test passage's topic), nor any passage
    holding its evidence: a published question keeps the topic it was split by, so after the index is chunked
    again a test question's passage may carry a new section's name."""
    tested = [row for row in split if row["answerable"] and row["split"] == "test"]
    on_test = {t for row in tested for t in row["topic"].split(" | ")}
    test_passages = [p.text for p in passages if any(is_relevant(p.text, row["evidence"]) for row in tested)]
    kept = []
    for row in rows:
        if row["answerable"] and on_test & set(row["topic"].split(" | ")):
            continue
        if row["answerable"] and any(is_relevant(text, row["evidence"]) for text in test_passages):
            continue
        kept.append({**row, "split": "dev"})
    return kept


def published_topics(published: Path) -> dict[str, str]:
    """The topic each published question was split by. Kept as published, so that a reviewed correction of the
    index (a case study's bounds, a section) never moves a question between dev and test."""
    if not published.exists():
        return {}
    rows = [json.loads(line) for line in published.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["id"]: r["topic"] for r in rows if r.get("answerable") and r.get("topic")}


def assemble(
    sources: Path, passages: Sequence[Passage], published: Path | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """Every kept question with its split, sorted by id; those of dev-only rounds; how many of theirs were left out.
    With `published` (the published set), its questions keep the topics they were split by."""
    writers = list(sources.glob("writer_*.jsonl"))
    located = _read(sources.glob("evidence_*.jsonl"))
    topics = published_topics(published) if published else {}
    earlier = build_rows(_read(p for p in writers if not is_dev_only(p)), located, passages, topics)
    split_by_topic(earlier)
    later = build_rows(_read(p for p in writers if is_dev_only(p)), located, passages, topics)
    pinned = pin_to_dev(later, earlier, passages)
    return sorted([*earlier, *pinned], key=lambda r: r["id"]), pinned, len(later) - len(pinned)


def moved(rows: Sequence[dict[str, Any]], published: Path) -> list[str]:
    """Ids whose split differs from the published set's: a question once on test must never be tuned on."""
    if not published.exists():
        return []
    before = {r["id"]: r["split"] for r in map(json.loads, published.read_text(encoding="utf-8").splitlines()) if r}
    return [r["id"] for r in rows if r["id"] in before and before[r["id"]] != r["split"]]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=Path("index"))
    parser.add_argument("--out", type=Path, default=BLIND_SET)
    parser.add_argument("--allow-resplit", action="store_true", help="write even if a published question changes split")
    args = parser.parse_args(argv)
    build = index_store.current_build_path(args.index_dir)
    if build is None:
        raise SystemExit(f"No index in {args.index_dir}: run `localities ingest` first.")
    passages = index_store.load_passages(build)
    rows, pinned, left_out = assemble(SOURCES, passages, BLIND_SET)
    changed = moved(rows, BLIND_SET)
    if changed and not args.allow_resplit:
        raise SystemExit(f"{len(changed)} questions would change split ({', '.join(changed[:5])}, …): not written.")
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    summary = Counter((r["split"], r["kind"]) for r in rows)
    console = Console()
    console.print(f"{len(rows)} questions → {args.out}")
    console.print(f"  of them {len(pinned)} from rounds pinned to dev {DEV_ONLY_ROUNDS}; {left_out} left out (test topics)")
    for kind in sorted({k for _, k in summary}):
        console.print(f"  {kind:13} dev {summary[('dev', kind)]:3}  test {summary[('test', kind)]:3}")


if __name__ == "__main__":
    main()
