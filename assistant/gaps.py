"""What one case study's own text does not give: money figures, how it was governed, its timescale, its
difficulties, how it was paid for.

Asked of one case study (named, or the one a follow-up's conversation is about), such a question found that case
study and was answered with its nearest sentences whatever they said: 'how was it governed?' after District
Direct got its bed-days saving, 'how long did it take to set up?' a line about who manages the contract. When none
of the case study's passages has a word of what is asked, the answer says so first and is partial (user trials 6
and 7). Each aspect's evidence words are deliberately wide, so a case study is said to lack one only when nothing
in it comes near: 4 or 5 of the toolkit's 31 case studies each, against 17 for money figures.
"""

from __future__ import annotations

import re

from assistant.asks import Understanding, corrected
from assistant.aspects import COST, MONEY, PER_UNIT, SAVING, aspects_asked, not_told
from assistant.question import PUBLISHED, BeyondScope
from assistant.retrieval import SearchResult
from core.text import collapse_ws, normalise
from stores.base import PassageStore


def case_studies_named(understanding: Understanding, store: PassageStore) -> set[str]:
    """The titles of the case studies a question names: by a whole title, else every title holding a name in it."""
    names = {normalise(name) for name in understanding.entities}
    titles = [c.title for c in store.case_studies()]
    return {t for t in titles if normalise(t) in names} or {t for t in titles if any(n in normalise(t) for n in names)}


def _asked_of(
    understanding: Understanding, result: SearchResult, store: PassageStore, answered_before: str | None = None
) -> str | None:
    """The one case study a question is about: the one it names, even where its search put another first; else
    the one the conversation's last answer quoted (`answered_before`) when its own words find that one first too
    ('Who paid for the staff in the hospital team?' after District Direct, user trial 40, stands on its own words);
    else the one a follow-up's conversation is about, not whatever passage its few words put first."""
    named = case_studies_named(understanding, store)
    top = result.hits[0].passage.case_study
    if len(named) == 1:
        return next(iter(named))
    if top and top in named:
        return top
    if top and top == answered_before:
        return top
    if result.query.follow_up:
        return result.subject or top
    return None


# A sum asked for as one ('how much did it cost?', 'what did they save?', 'what savings were made?'), not whether
# it saves at all ('does it actually save the district any money?', which the toolkit answers in words).
_FIGURE_ASKED = re.compile(
    r"\bhow much\b|\bwhat (?:did|does|do|was|were|is|are|would|will|has|have)\b[^?]{0,40}\b(?:save|saved|saving|savings|"
    r"cost|costs|spend|spent)\b|\bwhat (?:savings|saving|costs?)\b|£",
    re.I,
)


def _described(result: SearchResult, margin: float) -> str | None:
    """The case study a question describes without naming it ('some councils that aren't even neighbours teamed up
    to buy those services … what did they save?', user trial 33): the one its answer opens on, when that one fits
    the question as a whole at least `margin` better than any other."""
    top = result.hits[0].passage.case_study
    fits = result.fitting
    if top and len(fits) > 1 and fits[0][0] == top and fits[0][1] - fits[1][1] >= margin:
        return top
    return None


def case_study_gap(
    understanding: Understanding,
    result: SearchResult,
    store: PassageStore,
    described_margin: float = float("inf"),
    answered_before: str | None = None,
) -> BeyondScope | None:
    """What the asks ask of one case study that none of its passages gives (the first aspect names the kind). Any ask may be the one
    ('What's the Lightbulb project and how much did it save the NHS?' got another case study's NHS savings).

    Of a case study described rather than named, only a figure asked for as one ('how much did they save?') is
    said to be missing: the words of a situation told ('the blocker is the patient's home') and a yes-or-no
    'does it save any money?' ask what the toolkit answers in words."""
    if not result.hits:
        return None
    # As the speller reads them: 'did they say what they'd do diffrently?' asks what they would do differently.
    asks = [(corrected(a.text, result.query.corrections), a.wants) for a in understanding.asks]
    study = _asked_of(understanding, result, store, answered_before)
    if not study:
        study = _described(result, described_margin)
        asks = [(text, wants) for text, wants in asks if wants == "amount" and _FIGURE_ASKED.search(text)]
    asked = aspects_asked(asks)
    if not (study and asked):
        return None
    # On one line: a saving and its figure may sit either side of a line break.
    own = [collapse_ws(p.text) for p in store.passages() if p.case_study == study]
    # Every aspect it lacks is said: 'how much did it cost and how long did it take?' got only the money gap.
    missing = not_told(asked, own)
    for figure in (SAVING, COST, PER_UNIT):
        if MONEY in missing and figure in missing:
            missing.remove(figure)  # no money figure at all says it
    if not missing:
        return None
    said = missing[0].sentence.format(published=PUBLISHED, study=study)
    if len(missing) > 1:
        said = said.removesuffix(".") + ", " + ", ".join(aspect.also for aspect in missing[1:]) + "."
    return BeyondScope(missing[0].kind, said, study)
