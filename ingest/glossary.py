"""Acronyms defined in the corpus itself: 'Local Enterprise Partnerships (LEPs)' → LEP."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from core.lexical import STOP_WORDS

_ACRONYM = re.compile(r"\(([A-Z][A-Za-z&]{1,7}?)(s)?\)")


def _expansion(before: str, acronym: str) -> str | None:
    """The shortest run of words ending just before '(ACR)' whose initials spell the acronym."""
    words = re.findall(r"[A-Za-z][A-Za-z'’\-]*", before)[-(len(acronym) * 2 + 3) :]
    letters = acronym.upper().replace("&", "")
    for start in range(len(words) - 1, -1, -1):
        run = words[start:]
        initials = "".join(w[0].upper() for w in run if w.lower() not in STOP_WORDS)
        if initials == letters and run[0][0].isupper() and run[0].lower() not in STOP_WORDS:
            return " ".join(run)
        hyphen_initials = "".join(p[0].upper() for w in run if w.lower() not in STOP_WORDS for p in w.split("-") if p)
        if hyphen_initials == letters and run[0][0].isupper():
            return " ".join(run)
    return None


def extract_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Acronym → its most common expansion in the texts."""
    found: dict[str, Counter[str]] = {}
    for text in texts:
        for match in _ACRONYM.finditer(text):
            acronym = match.group(1)
            if not acronym.isupper() and not re.fullmatch(r"[A-Z]+[a-z]?[A-Z]*", acronym):
                continue
            expansion = _expansion(text[: match.start()], acronym)
            if expansion:
                singular = re.sub(r"s$", "", expansion) if match.group(2) else expansion
                found.setdefault(acronym, Counter())[singular] += 1
    return {acronym: counts.most_common(1)[0][0] for acronym, counts in sorted(found.items())}
