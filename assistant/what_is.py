"""How a 'what is X' question is put, however casually: the term it asks about, and the plain question to search for."""

from __future__ import annotations

import re

# A short 'what is X' as councillors type it: 'whats', 'what exactly is', 'this X thing', 'X all about', and who keeps
# mentioning it ('whats this Publica thing people keep talking about'); not 'what are districts hoping to get …'
# (more than four words), nor 'what is it all about?' or 'what's this thing?' (they point back).
WHAT_IS = re.compile(
    r"^\W*what(?:\s+(?:exactly|actually))?(?:'s|’s|s| is| are)(?:\s+(?:exactly|actually|really))?"
    r"(?:\s+(?P<article>an?|the|this|that|these|those))?\s+"
    r"(?!(?:it|this|that|they|them|these|those|one|thing|things|stuff)\b)"
    r"['‘“]?(?P<term>[\w’'-]+(?:\s+[\w’'-]+){0,3}?)['’”]?"
    r"(?P<aside>(?:\s+(?:thing|things|business|stuff|idea))?(?:\s+all about)?"
    r"(?:,?\s+(?:that\s+|which\s+)?(?:people|everyone|everybody|they|officers|members|councillors|i|we)\s+"
    r"(?:keep|keeps|are|were|have been|have|'ve|’ve)\s+(?:talking about|going on about|mentioning|hearing about|heard about))?)"
    r"(?:\s*,?\s*(?:exactly|actually|then|again|please|anyway))*\s*\??$",
    re.I,
)


def defined_term(ask: str) -> str | None:
    """The term a 'what is X' ask asks to have defined, without articles or casual words ('what's land value
    capture' → 'land value capture', 'whats this Publica thing?' → 'Publica'); None for any other ask."""
    match = WHAT_IS.match(ask.strip())
    return match["term"] if match else None


def definition_searched(question: str) -> str | None:
    """'what is X?' for a 'what is X' question put with words that say nothing of X ('whats this Publica thing
    people keep talking about' searched for 'people' and 'talking' found a passage on stories told in organisations);
    None for any other question, and for one already put plainly."""
    match = WHAT_IS.match(question.strip())
    if not match or not (match["aside"] or (match["article"] or "").lower() in ("this", "that", "these", "those")):
        return None
    return f"what is {match['term']}?"
