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


_OPEN_END = re.compile(r"[^.!?:;”\"’)]$")
_CONTINUES = re.compile(r"^(–\s*)?[a-z]")


def continues_sentence(previous: str, following: str, text: str) -> bool:
    """Whether `following` finishes the sentence `previous` in `text`, across a line break the PDF put there.

    '…research – undertaken in 2017' + '– found that…' is one sentence; a list item, a bullet or the line
    introducing a list (ending in ':') is not continued.
    """
    return (
        bool(_OPEN_END.search(previous) and _CONTINUES.match(following))
        and not previous.startswith(("–", "-"))
        and len(previous.split()) >= 5
        and f"{collapse_ws(previous)} {collapse_ws(following)}" in collapse_ws(text)
    )


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences; bullets count as sentences of their own."""
    sentences: list[str] = []
    for block in re.split(r"\n+|\s*•\s+", text):
        block = collapse_ws(block)
        if block:
            sentences.extend(s for s in _SENTENCE_END.split(block) if s.strip())
    return sentences
