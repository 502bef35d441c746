"""Where the toolkit sends a reader for the law: its own pointers to the legal guide that accompanies it.

The toolkit gives no legal advice, so a question on the law ('is it legal for two councils to share one chief
executive?') is answered as partial. But the toolkit says, beside each arrangement it describes, where its legal side
is set out ('For further information on governance and legal matters relating to shared services, please see
accompanying guidance from Trowers & Hamlins LLP at: www.trowers.com/dcncollaborate'). A partial answer on the law
quotes the pointer closest to the question first, so the reader learns where to look, in the toolkit's words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.composition import WEB_ADDRESS, Candidate, near_same
from assistant.retrieval import Hit
from stores.base import PassageStore, Sentence

# Asking whether something is lawful or what the law says, not the word 'law' inside a name ('in-law').
_ON_THE_LAW = re.compile(
    r"(?<![-‐])\b(?:legal(?:ly|ity)?|lawful(?:ly)?|unlawful(?:ly)?|laws?|legislation|legislative|statute|statutory)\b", re.I
)
_LEGAL = re.compile(r"\blegal\b", re.I)
# How close (cosine) a pointer's passage must be to a question for the pointer to be the one on its arrangement. Read
# from questions written here for the purpose, not from any evaluation set: on merging, data sharing or a combined
# authority the passage of the pointer on it was at 0.59-0.63 and every other below 0.42; on a joint company, sharing
# a chief executive or pooling business rates, which no pointer outside a case study names, none was above 0.47.
ARRANGEMENT_CLOSENESS = 0.5


def asks_about_the_law(question: str) -> bool:
    """Whether a question asks what the law allows or requires."""
    return bool(_ON_THE_LAW.search(question))


def legal_guide_pointers(store: PassageStore) -> list[Sentence]:
    """The toolkit's sentences that send the reader to legal guidance: they speak of the legal side and give its
    web address. Only its own text's: one the parse credits to a case study (a page's footer under a column) would be
    quoted under that case study's title, as if it were theirs."""
    return [
        sentence
        for passage in store.passages()
        if passage.case_study is None
        for sentence in store.sentences_of(passage.id)
        if _LEGAL.search(sentence.text) and WEB_ADDRESS.search(sentence.text)
    ]


def with_legal_guide(
    chosen: Sequence[Candidate], store: PassageStore, vector: np.ndarray, most: int
) -> list[Candidate]:
    """A partial answer on the law with the toolkit's pointer to its legal guide first, then what it does say, `most`
    sentences in all (none quoted twice). The pointer is the one whose passage is clearly close to the question
    (ARRANGEMENT_CLOSENESS), else the first the toolkit prints, on the guide as a whole. Passages, not the pointers'
    own words, are compared: those differ only in the arrangement they name, which 'legal' outweighs ('is it legal to
    set up a company together?' was closest to the combined-authority pointer, its passage to delivery models)."""
    pointers = legal_guide_pointers(store)
    if not pointers:
        return list(chosen)
    closeness = store.passage_vectors([s.passage_id for s in pointers]) @ vector
    best = pointers[int(np.argmax(closeness))] if closeness.max() >= ARRANGEMENT_CLOSENESS else pointers[0]
    text = " ".join(best.text.split())
    pointer = Candidate(text, Hit(store.passage(best.passage_id), 0.0, float(closeness.max()), 0.0), 0, "how_to", 0.0)
    rest = [c for c in chosen if not near_same(c.text, text)]
    return [pointer, *rest][:most]
