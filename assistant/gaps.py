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
from dataclasses import dataclass

from assistant.asks import Understanding
from assistant.question import PUBLISHED, BeyondScope
from assistant.retrieval import SearchResult
from core.text import normalise
from stores.base import PassageStore


@dataclass(frozen=True)
class Aspect:
    """One thing a case study may or may not tell: how an ask asks for it, and words of a text that gives it."""

    kind: str
    asked: re.Pattern[str]
    given: re.Pattern[str]
    sentence: str  # the opening of the partial answer, with {published} and {study}
    also: str  # the same gap after another's sentence: '…for Five-Council partnership, nor any dates or timescales.'
    wants: str | None = None  # the answer type an ask must also want (asks.answer_type), if any


# An amount of money asked ('how much did they save?', 'what did it cost?') and a figure of money in a text.
# 'Worth', 'value', 'paid' and the like are money after 'how much' ('how much was the contract worth?'), not in
# 'how did they show it was worth paying for?'.
MONEY = Aspect(
    "no_money_figure",
    re.compile(
        r"\b(?:sav(?:e|ed|es|ing|ings)|cost|costs|costing|spen[dt]|spending|money|budgets?|cheaper)\b|£|"
        r"\bhow much\b.*\b(?:worth|value|valued|pa(?:y|id|ys)|fund(?:s|ed|ing)?|invest(?:ed|ment)?|price|fees?|grants?)\b",
        re.I,
    ),
    re.compile(r"£\s?\d|\d\s?(?:m|bn|k)\b|\b(?:million|billion)\b", re.I),
    "The toolkit ({published}) gives no money figures for {study}.",
    "nor any money figures",
    wants="amount",
)
ASPECTS: tuple[Aspect, ...] = (
    MONEY,
    Aspect(
        "no_governance",
        re.compile(
            r"\bgovern(?:ed|ance|ing)?\b|\bwho (?:ran|runs|oversaw|oversees|was in charge|is in charge|made the decisions)\b"
            r"|\b(?:run|overseen) by\b|\baccountab\w*|\bdecision[- ]making\b",
            re.I,
        ),
        re.compile(
            r"\b(?:govern\w*|committees?|boards?|shareholders?|cabinet|steering|chair\w*|directors?|company|companies|"
            r"joint venture|accountab\w*|oversight|overseen|partnership agreement|memorandum|constitution\w*|"
            r"lead (?:council|authority|partner)|host(?:ed|s|ing)?|managed by|led by|contract\w*|delegat\w*|legal\w*)\b",
            re.I,
        ),
        "The toolkit ({published}) does not say how {study} was governed or run.",
        "nor how it was governed or run",
    ),
    Aspect(
        "no_timescale",
        re.compile(
            r"\bhow long\b|\btime ?(?:scales?|lines?|frames?)\b|\bhow quickly\b|\bhow many (?:years|months|weeks)\b"
            r"|\bwhen did (?:it|they|this|that|the \w+) (?:start|begin|launch|open|finish|end)\b",
            re.I,
        ),
        re.compile(r"\b(?:19|20)\d\d\b|\b(?:years?|months?|weeks?|days?|timescales?|phases?|since|annual\w*|period)\b", re.I),
        "The toolkit ({published}) gives no dates or timescales for {study}.",
        "nor any dates or timescales",
    ),
    Aspect(
        "no_difficulties",
        re.compile(
            r"\b(?:risks?|challeng(?:e|es|ing)|problems?|difficult(?:y|ies)?|went wrong|go(?:es)? wrong|hard(?:est)?|"
            r"barriers?|obstacles?|downsides?|drawbacks?|pitfalls?|hurdles?|setbacks?)\b",
            re.I,
        ),
        re.compile(
            r"\b(?:risk\w*|challeng\w*|problem\w*|difficult\w*|barrier\w*|obstacle\w*|issues?|concern\w*|tension\w*|"
            r"resist\w*|hard|struggl\w*|complex\w*|lesson\w*|conflict\w*|reluctan\w*|threat\w*)\b",
            re.I,
        ),
        "The toolkit ({published}) does not say what risks or difficulties {study} met.",
        "nor what risks or difficulties it met",
    ),
    Aspect(
        "no_funding",
        re.compile(r"\b(?:fund(?:ed|ing|s)?|paid for|pay(?:s|ing)? for|financ(?:ed|ing|e)|grants?|who paid)\b", re.I),
        re.compile(
            # Not a figure of money alone: a saving ('a saving of £181,250') says nothing of who paid.
            r"\b(?:fund\w*|grants?|paid|pay|pays|paying|financ\w*|budget\w*|invest\w*|contribut\w*|sponsor\w*|borrow\w*|money)\b",
            re.I,
        ),
        "The toolkit ({published}) does not say how {study} was funded.",
        "nor how it was funded",
    ),
)


def case_studies_named(understanding: Understanding, store: PassageStore) -> set[str]:
    """The titles of the case studies a question names: by a whole title, else every title holding a name in it."""
    names = {normalise(name) for name in understanding.entities}
    titles = [c.title for c in store.case_studies()]
    return {t for t in titles if normalise(t) in names} or {t for t in titles if any(n in normalise(t) for n in names)}


def _asked_of(understanding: Understanding, result: SearchResult, store: PassageStore) -> str | None:
    """The one case study a question is about: the one it names, even where its search put another first; else
    the one a follow-up's conversation is about, not whatever passage its few words put first."""
    named = case_studies_named(understanding, store)
    top = result.hits[0].passage.case_study
    if len(named) == 1:
        return next(iter(named))
    if top and top in named:
        return top
    if result.query.follow_up:
        return result.subject or top
    return None


def case_study_gap(understanding: Understanding, result: SearchResult, store: PassageStore) -> BeyondScope | None:
    """What the asks ask of one case study that none of its passages gives (the first aspect names the kind). Any ask may be the one
    ('What's the Lightbulb project and how much did it save the NHS?' got another case study's NHS savings)."""
    if not result.hits:
        return None
    asked = [
        aspect
        for aspect in ASPECTS
        if any((aspect.wants is None or a.wants == aspect.wants) and aspect.asked.search(a.text) for a in understanding.asks)
    ]
    if not asked:
        return None
    study = _asked_of(understanding, result, store)
    if not study:
        return None
    own = [p.text for p in store.passages() if p.case_study == study]
    # Every aspect it lacks is said: 'how much did it cost and how long did it take?' got only the money gap.
    missing = [aspect for aspect in asked if not any(aspect.given.search(text) for text in own)]
    if not missing:
        return None
    said = missing[0].sentence.format(published=PUBLISHED, study=study)
    if len(missing) > 1:
        said = said.removesuffix(".") + ", " + ", ".join(aspect.also for aspect in missing[1:]) + "."
    return BeyondScope(missing[0].kind, said, study)
