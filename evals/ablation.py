"""The ablation table: every retrieval and answer signal switched off in turn (and the experimental ones switched on),
each measured on the same questions beside the served settings, so a signal that earns nothing shows as such."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assistant.params import NO_WRITTEN_QUESTIONS, RetrievalParams


@dataclass(frozen=True)
class Ablation:
    name: str
    what: str  # what the variant changes, in the words of a reader of the table
    change: Mapping[str, Any]  # the RetrievalParams fields it sets


# Each names one signal of `assistant.retrieval` / `assistant.answer`; the last two are experiments the served
# settings leave off (see `assistant/params.py` for why).
ABLATIONS = (
    Ablation("no dense lists", "passage and sentence vectors as candidate lists (rerank still reads cosines)", {"dense_weight": 0.0}),
    Ablation("no sentence list", "single sentences' vectors as a candidate list", {"sentence_weight": 0.0}),
    Ablation("no lexical list", "BM25 as a candidate list (rerank still reads its scores)", {"lexical_weight": 0.0}),
    Ablation("no case-study list", "whole case studies for questions that want an example", {"case_weight": 0.0}),
    Ablation(
        "no case-study fit for filling",
        "once an answer quotes a case study, any other fills it, however far below the best it fits as a whole",
        {"case_fill_margin": 1000.0},
    ),
    Ablation(
        "case-study list by vectors alone",
        "whole case studies fitted to the question by their vectors, not also by the question's words in their text",
        {"case_lexical_share": 0.0},
    ),
    Ablation("no named boost", "passages of a case study the question names lifted", {"named_boost": 0.0}),
    Ablation("no subject list", "a follow-up's candidates from the case study or section the conversation is about", {"subject_weight": 0.0}),
    Ablation(
        "no follow-up scoping",
        "a follow-up about the conversation's case study searched over the whole toolkit, not within it",
        {"follow_up_within_subject": False},
    ),
    Ablation(
        "no case study from an answer in other words",
        "a follow-up asking what they did, after an answer quoting none of the toolkit, not read as the case study the whole conversation fits",
        {"conversation_case_margin": 1000.0},
    ),
    Ablation(
        "no written questions",
        "the questions written for passages in users' words: neither their two candidate lists nor the second stage's signal",
        NO_WRITTEN_QUESTIONS,
    ),
    Ablation("no written-question lists", "passages by their closest written question and by BM25 over them", {"asked_weight": 0.0, "asked_lexical_weight": 0.0}),
    Ablation("rerank: no written question", "the second stage without the closest written question's cosine", {"rerank_asked": 0.0}),
    Ablation("no rerank", "the second stage: fused ranks alone decide", {"rerank_depth": 0}),
    Ablation("rerank: no dense", "the second stage without the passage's cosine", {"rerank_dense": 0.0}),
    Ablation("rerank: no sentence", "the second stage without its best sentence's cosine", {"rerank_sentence": 0.0}),
    Ablation("rerank: no lexical", "the second stage without the BM25 score", {"rerank_lexical": 0.0}),
    Ablation("rerank: no heading", "the second stage without its heading's cosine", {"rerank_heading": 0.0}),
    Ablation("rerank: no fused rank", "the second stage without the first stage's rank", {"rerank_fused": 0.0}),
    Ablation("no spelling", "misspellings corrected to the toolkit's words", {"use_spelling": False}),
    Ablation("no glossary", "acronyms expanded from the toolkit's glossary", {"use_glossary": False}),
    Ablation("no synonyms", "users' plain words mapped to the toolkit's", {"use_synonyms": False}),
    Ablation("no history", "earlier turns: every question searched and answered alone", {"use_history": False}),
    Ablation("no answer diversity", "the answer's later sentences by score alone, not also by what is not yet said", {"answer_diversity": 0.0}),
    Ablation("no fill restriction", "the answer filled up, and related case studies listed, from passages however far down the search", {"fill_retrieval": 0.0}),
    Ablation("hand-weighted selection", "the answer's sentences by hand weights, not the fitted ones", {"fitted_selection": False}),
    Ablation(
        "no example preference",
        "an example ask's sentences scored alike from a case study or the toolkit's own text",
        {"example_case_preference": 0.0},
    ),
    Ablation(
        "opening alone",
        "each ask's first sentence quoted without the one after it in its paragraph",
        {"opening_goes_on": False},
    ),
    Ablation(
        "no reason preference",
        "a 'why' ask naming none of the toolkit's names scores a case study's sentences like the toolkit's own argument",
        {"reason_toolkit_preference": 0.0},
    ),
    Ablation(
        "no list preference",
        "an ask for a set's members ('what are the stages?') scores a sentence opening their list like any other",
        {"list_preference": 0.0},
    ),
    Ablation(
        "no said-before penalty",
        "a follow-up's answer may open on a sentence the answer it follows said (the sets' paraphrased histories rarely show it)",
        {"said_before_penalty": 0.0},
    ),
    Ablation(
        "+ follow-ups skip what was said",
        "experiment: a follow-up's answer leaves out the sentences of the answer it follows",
        {"follow_up_skips_said": True},
    ),
    Ablation("+ hub discount", "experiment: the second stage discounting passages in crowded neighbourhoods", {"hub_penalty": 0.1}),
    Ablation("+ fuse asks", "experiment: a compound question's top 5 fused from each ask's search", {"fuse_asks": True}),
    Ablation(
        "BM25 listed for every question",
        "BM25 a candidate list for every question, not only for follow-ups, look-ups and questions naming the toolkit's names",
        {"lexical_only_when_named": False},
    ),
    Ablation("+ each ask's own passages", "experiment: each ask's sentences from its own search", {"fuse_asks": True, "search_each_ask": True}),
)
SERVED = "served settings"
COLUMNS = ("found@5", "mrr@10", "recall@5", "answer_fact_recall", "cited_evidence", "citation_support", "oos_not_answered", "false_refusal")
BY_KIND = ("found@5", "answer_fact_recall")


def variants(base: RetrievalParams, names: tuple[str, ...] = ()) -> dict[str, RetrievalParams]:
    """The served settings' variants to evaluate, by name (all when `names` is empty)."""
    known = {a.name: a for a in ABLATIONS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"Unknown ablation {', '.join(unknown)}; known: {', '.join(known)}.")
    chosen = [known[n] for n in names] if names else list(ABLATIONS)
    return {a.name: base.model_copy(update=dict(a.change)) for a in chosen}


def _cell(value: float | None, served: float | None) -> str:
    if value is None:
        return "–"
    if served is None or abs(value - served) < 0.0005:
        return f"{value:.3f}"
    return f"{value:.3f} ({value - served:+.3f})"


def _rows(systems: list[dict[str, Any]], columns: tuple[str, ...], pick: Callable[[dict[str, Any]], Mapping[str, float]]) -> list[str]:
    served = pick(systems[0])
    lines = ["| variant | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for i, system in enumerate(systems):
        values = pick(system)
        cells = (_cell(values.get(c), served.get(c)) for c in columns)
        lines.append(f"| {SERVED if i == 0 else system['name']} | " + " | ".join(cells) + " |")
    return lines


def ablation_markdown(report: Mapping[str, Any]) -> str:
    """The report of `localities eval-ablate` as tables: per set, every variant beside the served settings (the first
    system), each cell with its difference from them; then found@5 and answer facts by kind of question."""
    from evals.report import EXPLAINED, set_reports

    meta = report["meta"]
    what = {a.name: a.what for a in ABLATIONS}
    parts = [
        "# Ablation",
        f"Made by `localities eval-ablate --split {meta.get('split')}`: split **{meta.get('split')}** · index built {meta.get('built_at')} · run {meta.get('run_at')}. Each variant "
        f"changes one thing from the {SERVED} (first row); a cell shows its value and, in brackets, the change.",
    ]
    for set_name, section in set_reports(dict(report)).items():
        systems = section["systems"]
        parts += [f"## The {set_name} set ({section['meta'].get('questions')} questions)", "\n".join(_rows(systems, COLUMNS, lambda s: s["summary"]))]
        for metric in BY_KIND:
            kinds = sorted(k for k, v in systems[0]["by_kind"].items() if metric in v)

            def by_kind(system: dict[str, Any], metric: str = metric) -> dict[str, float]:
                return {k: v[metric] for k, v in system["by_kind"].items() if metric in v}

            parts += [f"### {metric} by kind ({set_name})", "\n".join(_rows(systems, tuple(kinds), by_kind))]
    parts.append("## What each variant changes")
    parts.append("\n".join(f"- **{name}**: {meaning}" for name, meaning in what.items()))
    parts.append("## The metrics")
    parts.append("\n".join(f"- **{name}**: {meaning}" for name, meaning in EXPLAINED.items() if name in COLUMNS))
    return "\n\n".join(parts) + "\n"
