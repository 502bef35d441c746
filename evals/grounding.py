"""Whether each `[n]`-marked piece of an answer is found in the passage its marker cites."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.answer import strip_acronym_expansions, without_footnote_markers
from core.text import normalise

_MARKED = re.compile(r"(.+?)\s\[(\d+)\]", re.DOTALL)
_LIST_JOIN = re.compile(r";\s+")  # the answerer joins the items a sentence introduces with '; '
_EDGES = " .;:,•–-"


def marked_pieces(answer: str) -> list[tuple[str, int]]:
    """Each paragraph cut at its markers: (the words before `[n]`, n); a paragraph without markers is not quoted."""
    return [(piece.strip(), int(n)) for paragraph in answer.split("\n\n") for piece, n in _MARKED.findall(paragraph)]


def _comparable(text: str, glossary: Mapping[str, str]) -> str:
    # Glosses go on both sides: the answer adds 'Local Enterprise Partnership (LEP)' where the passage may too.
    # Bullets go: the answer runs a list's items on after the sentence that introduces them.
    return normalise(strip_acronym_expansions(text, dict(glossary)).replace("•", " "))


def piece_is_grounded(piece: str, passage: str, glossary: Mapping[str, str], footnotes: Sequence[str] = ()) -> bool:
    """Every clause of the piece is in the passage, glosses, bullets and footnote markers aside."""
    source = _comparable(without_footnote_markers(passage, tuple(footnotes)), glossary)
    clauses = [c.strip(_EDGES) for c in _LIST_JOIN.split(_comparable(piece, glossary))]
    return all(c in source for c in clauses if c)


def grounded_share(
    answer: str, cited: Mapping[int, tuple[str, Sequence[str]]], glossary: Mapping[str, str]
) -> float | None:
    """Share of marked pieces found in the passage they cite; None when the answer has no marker."""
    pieces = marked_pieces(answer)
    if not pieces:
        return None
    found = [n in cited and piece_is_grounded(p, cited[n][0], glossary, cited[n][1]) for p, n in pieces]
    return sum(found) / len(found)
