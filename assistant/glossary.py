"""The plain-English glossary (corpus/plain_glossary.json): our own explanations of terms the toolkit uses.

Its words are the assistant's, never the toolkit's, so answers show them apart from the cited sentences.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.text import normalise

FILE_NAME = "plain_glossary.json"


@dataclass(frozen=True)
class Term:
    term: str
    definition: str
    forms: tuple[str, ...]  # the term and its aliases, as users and the toolkit write them


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("sses"):
        return word[:-2]
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def term_key(phrase: str) -> str:
    """Comparison form: normalised, without punctuation, each word singular ('trading companies' → 'trading company')."""
    plain = re.sub(r"[^\w\s]", " ", normalise(phrase))
    return " ".join(_singular(word) for word in plain.split())


class PlainGlossary:
    """Look-up of a phrase ('Teckal', 'section 106 agreements', 'a unitary council') to its term."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self.terms = list(terms)
        self._by_key = {term_key(form): term for term in self.terms for form in term.forms}

    @classmethod
    def load(cls, corpus_dir: Path) -> PlainGlossary:
        """The corpus's glossary, or an empty one where the corpus has none."""
        path = corpus_dir / FILE_NAME
        if not path.is_file():
            return cls([])
        entries = json.loads(path.read_text(encoding="utf-8"))
        return cls([Term(e["term"], e["definition"], (e["term"], *e.get("aliases", []))) for e in entries])

    def terms_in(self, text: str) -> list[Term]:
        """The terms a text uses, in the order it first uses them ('… a Teckal company … the LEP …')."""
        found: list[tuple[int, Term]] = []
        for term in self.terms:
            forms = "|".join(re.escape(form) for form in sorted(term.forms, key=len, reverse=True))
            match = re.search(rf"\b(?:{forms})s?\b", text, re.I)
            if match:
                found.append((match.start(), term))
        return [term for _, term in sorted(found, key=lambda pair: pair[0])]

    def lookup(self, phrase: str) -> Term | None:
        key = term_key(phrase)
        found = self._by_key.get(key)
        if found is None and key.startswith(("a ", "an ", "the ")):
            found = self._by_key.get(key.split(" ", 1)[1])
        return found
