"""Tokens for BM25: lower-case words, English stop words removed, Snowball-stemmed."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.tokenization import STOPWORDS_EN

_WORD = re.compile(r"[a-z0-9£%]+(?:'[a-z]+)?")
_STOPWORDS = frozenset(STOPWORDS_EN)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-case word forms, apostrophes straightened, stop words kept."""
    return _WORD.findall(text.lower().replace("’", "'").replace("‘", "'"))


def lexical_tokens(text: str) -> list[str]:
    """Stemmed content words of a text, for indexing and querying alike."""
    kept = [w.split("'")[0] for w in words(text) if w not in _STOPWORDS]
    return _stemmer().stemWords([w for w in kept if len(w) > 1])
