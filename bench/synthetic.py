"""Synthetic corpora N× the toolkit, re-mixed from its own passages so no two passages are identical.

Each synthetic passage starts from one toolkit passage (so chapters, sections and case studies keep the
toolkit's proportions), swaps some of its sentences for sentences from other passages of the same chapter,
reorders a few, swaps place names and varies the numbers. Generation is seeded: the 10× corpus is exactly
the first tenth of the 100× one, so one embedding pass serves both.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace

from core.models import Passage
from core.text import split_sentences

# Places the toolkit's case studies name, plus others of the same kind to swap in.
PLACES = (
    "Lincolnshire", "Essex", "Worcestershire", "Oxfordshire", "Kent", "Basingstoke", "Leicestershire",
    "Cambridgeshire", "Wycombe", "Craven", "Huntingdonshire", "Adur", "Worthing", "Norfolk", "Breckland",
    "Cherwell", "Northamptonshire", "Selby", "Yorkshire", "Gloucestershire", "Peterborough", "Suffolk",
    "Waveney", "Dorset", "Hinckley", "Harborough", "Cumbria", "Devon", "Somerset", "Surrey", "Sussex",
    "Hertfordshire", "Derbyshire", "Staffordshire", "Warwickshire", "Shropshire", "Cheshire", "Lancashire",
    "Rutland", "Wiltshire", "Hampshire", "Bedford", "Mendip", "Sedgemoor", "Tendring", "Babergh", "Ryedale",
)  # fmt: skip
_PLACE = re.compile(r"\b(" + "|".join(PLACES) + r")\b")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
SWAP_SHARE = 0.4  # share of a passage's sentences replaced by others from the same chapter
SHUFFLE_SWAPS = 2  # adjacent sentence swaps per passage


def _vary_number(match: re.Match[str], rng: random.Random) -> str:
    whole, fraction = match.group(1), match.group(2) or ""
    value = int(whole.replace(",", ""))
    if 1900 <= value <= 2099 and not fraction:  # a year: shift it a little, keep it a year
        return str(value + rng.randint(-5, 5))
    varied = max(1, round(value * rng.uniform(0.5, 2.0)))
    text = f"{varied:,}" if "," in whole else str(varied)
    return text + (f".{rng.randint(0, 9)}" if fraction else "")


def perturb(sentence: str, rng: random.Random) -> str:
    """One sentence with its place names swapped and its numbers varied."""
    sentence = _PLACE.sub(lambda m: rng.choice(PLACES), sentence)
    return _NUMBER.sub(lambda m: _vary_number(m, rng), sentence)


@dataclass(frozen=True)
class SyntheticPassage:
    """A synthetic passage with the toolkit sentences it was made from, before and after perturbation."""

    passage: Passage
    originals: tuple[str, ...]
    sentences: tuple[str, ...]


def synthesize_parts(passages: list[Passage], count: int, seed: int = 13) -> list[SyntheticPassage]:
    """`count` new passages re-mixed from `passages`; any prefix is itself a valid smaller corpus."""
    rng = random.Random(seed)
    sentences = [split_sentences(p.text) or [p.text] for p in passages]
    by_chapter: dict[str, list[str]] = {}
    for passage, own in zip(passages, sentences):
        by_chapter.setdefault(passage.chapter, []).extend(own)
    seen: set[str] = set()
    out: list[SyntheticPassage] = []
    attempt = 0
    while len(out) < count:
        j = len(out)
        base = passages[j % len(passages)]
        pool = by_chapter[base.chapter]
        mixed = [rng.choice(pool) if rng.random() < SWAP_SHARE else s for s in sentences[j % len(passages)]]
        for _ in range(min(SHUFFLE_SWAPS, len(mixed) - 1)):
            i = rng.randrange(len(mixed) - 1)
            mixed[i], mixed[i + 1] = mixed[i + 1], mixed[i]
        perturbed = [perturb(s, rng) for s in mixed]
        text = " ".join(perturbed)
        attempt += 1
        if text in seen:  # vanishingly rare for passages of several sentences; a one-liner may repeat
            if attempt < count * 4:
                continue
            perturbed[-1] = f"{perturbed[-1]} ({j})"
            text = " ".join(perturbed)
        seen.add(text)
        passage = replace(base, id=f"syn-{j:06d}", source="synthetic-toolkit.txt", start=j, end=j + 1, text=text)
        out.append(SyntheticPassage(passage, tuple(mixed), tuple(perturbed)))
    return out


def synthesize(passages: list[Passage], count: int, seed: int = 13) -> list[Passage]:
    """Just the passages of `synthesize_parts`."""
    return [part.passage for part in synthesize_parts(passages, count, seed)]


def exact_duplicates(passages: list[Passage]) -> int:
    """How many passages repeat an earlier one word for word."""
    return len(passages) - len({p.text for p in passages})
