"""Pure text helpers shared by the parsers, the chunker and the evaluation."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_WS = re.compile(r"\s+")


def collapse_ws(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) to one space."""
    return _WS.sub(" ", text).strip()


def normalise(text: str) -> str:
    """Comparison form: NFKC, straight quotes and dashes, collapsed whitespace, casefolded."""
    return collapse_ws(unicodedata.normalize("NFKC", text).translate(_QUOTES)).casefold()


def slugify(text: str) -> str:
    """URL-safe id from a title."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def stable_id(source: str, text: str) -> str:
    """Same source and text give the same id across runs."""
    return hashlib.sha1(f"{source}\x00{normalise(text)}".encode()).hexdigest()[:16]


def word_count(text: str) -> int:
    return len(text.split())


_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[“\"‘'A-Z0-9£•])")


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences; bullets count as sentences of their own."""
    sentences: list[str] = []
    for block in re.split(r"\n+|\s*•\s+", text):
        block = collapse_ws(block)
        if block:
            sentences.extend(s for s in _SENTENCE_END.split(block) if s.strip())
    return sentences
