"""Words and tokens: lower-case word forms, the one stop-word list, Snowball-stemmed tokens for lexical search."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[a-z0-9£%]+(?:'[a-z]+)?")
# English function words, left out of lexical search and out of "what is this question about" (bm25s's English
# list, written here so that every layer shares one list without importing a search library).
STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there these they "
    "this to was will with".split()
)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


# A footnote's number printed against the word before it ('the Collaboration Continuum7', 'Guide37'): the word is the
# toolkit's and the number is not, or lexical search and the speller never meet 'continuum' (30 such words).
_FOOTNOTED = re.compile(r"([a-z]{4,})\d{1,3}")
_LETTER_THEN_DIGIT = re.compile(r"[a-z]\d")


def words(text: str) -> list[str]:
    """Lower-case word forms, apostrophes straightened, stop words kept, footnote numbers off the words they follow."""
    lower = text.lower().replace("’", "'").replace("‘", "'")
    found = _WORD.findall(lower)
    if not _LETTER_THEN_DIGIT.search(lower):  # most texts: no word to look at twice (this runs on every text)
        return found
    return [m.group(1) if (m := _FOOTNOTED.fullmatch(w)) else w for w in found]


def lexical_tokens(text: str) -> list[str]:
    """Stemmed content words of a text, for indexing and querying alike."""
    kept = [w.split("'")[0] for w in words(text) if w not in STOP_WORDS]
    return _stemmer().stemWords([w for w in kept if len(w) > 1])


def stems(word_forms: list[str]) -> list[str]:
    """The Snowball stem of each word form, as lexical search indexes it ('reorganise' and 'reorganisation' share one)."""
    return list(_stemmer().stemWords(word_forms))
