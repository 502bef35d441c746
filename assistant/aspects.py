"""The aspects of a case study a question may ask for (money figures, governance, timescale, difficulties, funding):
how a question asks for each, and the words of a text that gives it.

Shared by the question's understanding (an aspect asked of nothing named leans on the conversation) and by the
gaps said first (assistant/gaps.py: what one case study's own text does not give).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial


@dataclass(frozen=True)
class Aspect:
    """One thing a case study may or may not tell: how an ask asks for it, and words of a text that gives it."""

    kind: str
    asked: re.Pattern[str]
    given: re.Pattern[str]
    sentence: str  # the opening of the partial answer, with {published} and {study}
    also: str  # the same gap after another's sentence: '…for Five-Council partnership, nor any dates or timescales.'
    wants: str | None = None  # the answer type an ask must also want (asks.answer_type), if any
    # Words that state it outright ('is governed by a Board'), where `given` is wide on purpose (a case study lacks
    # it only when nothing comes near) and so also holds sentences that merely touch it ('Each council contracts
    # with the company'): the sentence answering an ask of it is sought among these first.
    stated: re.Pattern[str] | None = None


_AMOUNT = r"\b\d[\d,.]*\s?(?:k|m|bn|million|billion)\b"  # '£1.4m', '22 million'


def _beside_a_figure(words: str, after: str, before: str) -> re.Pattern[str]:
    """One of `words` and a figure in one sentence: the figure `after` the word, or `before` it."""
    return re.compile(rf"\b(?:{words})\b[^.]{{0,100}}?(?:{after})|(?:{before})[^.]{{0,100}}?\b(?:{words})\b", re.I)


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
# A saving asked, and a saving with its figure in one sentence: a case study's other money (a £450,000 dowry, a
# £50,000 fund) is no saving, and was quoted as one to 'how much did they save?' (user trial 13).
SAVING = Aspect(
    "no_saving_figure",
    re.compile(r"\b(?:sav(?:e|ed|es|ing|ings)|cheaper)\b", re.I),
    _beside_a_figure(
        # 'reductions in cost to the public purse of £28-66 million', 'efficiencies of £1m' are savings too.
        r"sav(?:e|ed|es|ing|ings)|reduc\w*|efficienc\w*|cheaper",
        after=rf"£\s?\d|\d\s?%|{_AMOUNT}",
        before=r"£\s?\d|\d\s?%",
    ),
    "The toolkit ({published}) gives no savings figure for {study}.",
    "nor any savings figure",
    wants="amount",
)
# A cost asked ('what did it cost?', 'how much did the scheme cost to run?'), and a cost with its figure in one
# sentence: a case study's grant limit or its savings are no cost, and were quoted as one to 'what did it cost?' of
# Wycombe's scheme, whose text gives none (user trial 42). Not 'cost savings' or 'cost-effective', which ask no cost.
COST = Aspect(
    "no_cost_figure",
    re.compile(r"\b(?:cost|costs|costing|price)\b(?![\s-]*(?:sav\w*|reduc\w*|effective\w*|efficien\w*|benefit\w*|cutting))", re.I),
    _beside_a_figure(r"cost\w*|spen[dt]\w*|price\w*|paid|invest\w*|budget\w*|fund\w*", after=rf"£\s?\d|{_AMOUNT}", before=r"£\s?\d"),
    "The toolkit ({published}) gives no cost figure for {study}.",
    "nor any cost figure",
    wants="amount",
)
# How much something changed, asked of a case study ('did it cut A&E attendances, and if so by how much?', user trial
# 30): a figure of the change, a percentage or a number beside a word of change.
CHANGE = Aspect(
    "no_change_figure",
    re.compile(
        r"\bby how much\b|\bhow (?:much|many) (?:fewer|less|lower|more|higher)\b"
        r"|\bhow (?:much|far) (?:did|has|have|does|do|was|were) [^?]{0,40}\b(?:cut|reduc\w*|fall|fell|drop\w*|lower\w*|increas\w*|ris\w*|improv\w*|go down|went down)\b"
        # Figures of what came of it ('any numbers on loneliness or crime going down?', user trial 36).
        r"|\b(?:any|what|which|some)\s+(?:hard\s+|actual\s+|real\s+)?(?:numbers|figures|statistics|stats)\b[^?]{0,60}"
        r"\b(?:cut|reduc\w*|fall\w*|fell|drop\w*|lower\w*|fewer|increas\w*|ris\w*|improv\w*|go(?:ing)? down|went down|"
        r"go(?:ing)? up|went up)\b",
        re.I,
    ),
    re.compile(
        # A percentage beside a word of change or outcome: 'ranks in the 20% most deprived areas' is no change.
        r"\d\s?(?:%|per ?cent)[^.]{0,60}?\b(?:reduc\w*|cut|fell|fall\w*|drop\w*|lower\w*|fewer|less|increas\w*|rose|rise|"
        r"improv\w*|sav\w*|shorter|more)\b"
        r"|\b(?:reduc\w*|cut|fell|fall\w*|drop\w*|lower\w*|fewer|increas\w*|rose|rise|improv\w*|sav\w*)\b[^.]{0,80}?\d"
        r"|\d[^.]{0,80}?\b(?:reduc\w*|fewer|lower|increas\w*|improv\w*|sav\w*)\b",
        re.I,
    ),
    "The toolkit ({published}) gives no figure for how much {study} changed that.",
    "nor any figure for how much it changed",
)
# A sum asked per person, job or home ('how much does it cost per job?', 'what was the saving per household?'), and a
# sum a text gives per one of something: user trial 45's 'cost per job' of Wycombe's scheme got its £5,000 grant
# limit, whose text prices no job. Not a sum a year ('£4 million a year') or for every pound ('£7.50 for every £1').
_UNIT = (
    r"job|head|person|people|resident|household|home|house|property|patient|referral|case|client|user|visit|"
    r"adaptation|place|pupil|family|customer|participant|unit|member|employee|member of staff|bed day"
)
PER_UNIT = Aspect(
    "no_unit_figure",
    re.compile(rf"\b(?:per|each|every|a|an)\s+(?:{_UNIT})s?\b", re.I),
    re.compile(
        rf"£\s?\d[\d,.]*\s?(?:k|m|bn|million|billion)?\s+(?:per|each|for every|a|an)\s+(?!(?:year|annum|month|week|day|quarter)\b)[a-z]"
        rf"|\bper (?:{_UNIT})\b",
        re.I,
    ),
    "The toolkit ({published}) gives no figure per person, job or home for {study}.",
    "nor any figure per person, job or home",
    wants="amount",
)
# The aspects a text gives only as a figure: the one case study of several whose text has it is the one asked about.
FIGURES: tuple[Aspect, ...] = (MONEY, SAVING, COST, CHANGE, PER_UNIT)
ASPECTS: tuple[Aspect, ...] = (
    MONEY,
    SAVING,
    COST,
    CHANGE,
    PER_UNIT,
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
        stated=re.compile(r"\bgoverned by\b|\bgovernance (?:models?|structures?|arrangements?)\b|\bgoverning bod(?:y|ies)\b", re.I),
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
            r"barriers?|obstacles?|downsides?|drawbacks?|pitfalls?|hurdles?|setbacks?|"
            r"push ?back|resistance|resist(?:ed)?|opposition|opposed|objections?|objected|backlash)\b",
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
        re.compile(
            r"\b(?:fund(?:ed|ing|s)?|paid for|pay(?:s|ing)? for|financ(?:ed|ing|e)|grants?|who (?:paid|pays|pays for|funds))\b",
            re.I,
        ),
        re.compile(
            # Not a figure of money alone: a saving ('a saving of £181,250') says nothing of who paid.
            r"\b(?:fund\w*|grants?|paid|pay|pays|paying|financ\w*|budget\w*|invest\w*|contribut\w*|sponsor\w*|borrow\w*|money)\b",
            re.I,
        ),
        "The toolkit ({published}) does not say how {study} was funded.",
        "nor how it was funded",
        stated=re.compile(
            r"\b(?:(?:funded|financed|paid for|paid) (?:by|through|from|with)|funding (?:from|came|was|of £)|grant[- ]funded|"
            r"contribut\w* financially|joint(?:ly)? fund\w*|match[- ]fund\w*)\b",
            re.I,
        ),
    ),
    Aspect(
        # What started it ('what prompted it?', 'how did it come about?', user trial 41, whose answer named the
        # council and left out 'The starting point was the concerns raised by local GPs …').
        "no_origin",
        re.compile(
            r"\bwhat (?:prompted|triggered|sparked|started|drove|was behind|led to)\b|\bwhat led (?:them|it|the \w+) to\b"
            r"|\bhow did (?:it|this|that|they|the \w+) (?:come about|get started|start out)\b|\bstarting point\b"
            r"|\bwhy did (?:they|it|the \w+) (?:start|set (?:it|this|that) up|begin)\b",
            re.I,
        ),
        re.compile(
            r"\b(?:start\w*|emerged|came about|prompt\w*|in response|trigger\w*|driv\w*|because|following|after|"
            r"began|origin\w*|initially|first|led to|as a result|recogni[sz]\w*|realis\w*|concern\w*|need\w*|"
            # The problem or the aim it answered: what prompted it, told as the situation it set out to change.
            r"risk\w*|challeng\w*|problem\w*|pressure\w*|declin\w*|ageing|aim\w*|seek\w*|sought|based on|"
            r"address\w*|tackl\w*|opportunit\w*)\b",
            re.I,
        ),
        "The toolkit ({published}) does not say what prompted {study}.",
        "nor what prompted it",
        stated=re.compile(
            r"\b(?:starting point|emerged after|came about|prompted|in response to|triggered|primary driver|driver for|"
            r"was driven by|arose from|began (?:when|after|as))\b",
            re.I,
        ),
    ),
    Aspect(
        # What they would do differently ('did they say what they'd do differently next time?', user trial 38, whose
        # answer left that ask out and said nothing of it).
        "no_lessons",
        re.compile(
            r"\b(?:do(?:ne)?|have done|approach(?:ed)?) (?:\w+ )?differently\b|\b(?:in|with) hindsight\b"
            r"|\blessons? (?:did|have|had|were|was)\b|\bwhat (?:did|have|had) (?:they|it|the \w+) learn",
            re.I,
        ),
        re.compile(r"\b(?:lessons?|learn\w*|differently|hindsight|would have|should have)\b", re.I),
        "The toolkit ({published}) does not say what lessons {study} drew.",
        "nor what lessons it drew",
    ),
)


def near_the_figure(kind: str) -> Callable[[str], bool] | None:
    """For a figure one case study does not give (the gap's `kind`), what makes one of its sentences close to it
    however far its words are from the question: speaking of what was asked ('achievement of contractually
    guaranteed savings' for its savings), or, for money, giving money of another kind ('a saving of £181,250' for
    its cost). Both sat below the closeness a partial answer's sentences need, and the answers quoted how the
    project began instead (user trial 43). None for a gap of anything else."""
    aspect = next((a for a in FIGURES if a.kind == kind), None)
    if aspect is None:
        return None
    gives = MONEY.given if aspect.wants == "amount" else aspect.given
    return lambda text: bool(aspect.asked.search(text) or gives.search(text))


def aspects_asked(asks: Iterable[tuple[str, str]]) -> list[Aspect]:
    """The aspects any of the asks (each its text and the kind of answer it wants) asks for, in `ASPECTS` order."""
    asked = list(asks)
    return [
        aspect
        for aspect in ASPECTS
        if any((aspect.wants is None or wants == aspect.wants) and aspect.asked.search(text) for text, wants in asked)
    ]


def not_told(aspects: Iterable[Aspect], texts: Sequence[str]) -> list[Aspect]:
    """Those of the aspects no text gives (a case study's passages, each on one line)."""
    return [aspect for aspect in aspects if not any(aspect.given.search(text) for text in texts)]


def asks_an_aspect(text: str) -> bool:
    """Whether a text asks for one of the aspects ('how was it governed?', 'what did it cost?')."""
    return any(aspect.asked.search(text) for aspect in ASPECTS)


# Who took part, asked of a case study ('who was involved in it?', 'which councils?', 'who did they work with?'), and
# the councils a sentence names ('Colchester Borough Council, Braintree District Council, Essex County Council and
# Tendring District Council are collaborating …'): not a gap the toolkit leaves, but an ask whose answer is the
# sentence naming the partners, which trial 25 found passed over for ones closer in wording that named none.
PARTNERS_ASKED = re.compile(
    r"\bwho\b[^?.]*\b(?:involved|partners?|part of|take part|took part|(?:work(?:ed|s)?|partner(?:ed|s)?) with|behind|"
    # In everyday words ('who did they team up with?', user trial 36).
    r"team(?:ed|s)? up with|join(?:ed|s)? (?:up |forces )?with|collaborat\w* with|work(?:ed|s)? alongside|sat round the table)\b"
    r"|\bwhich (?:councils|partners|organisations|organizations|authorities|bodies|agencies|districts)\b",
    re.I,
)
_COUNCIL = r"(?:Councils?|Authority)\b"
_NAMED_COUNCIL = re.compile(
    # A proper name before 'Council': not 'the Councils', 'the County Council' or 'Each District Council'.
    r"\b(?!(?:The|A|An|All|Each|Both|These|Those|Its|Our|Their|Two|Three|Four|Five|Six|Seven|Partner|Member|Local|"
    r"County|District|Borough|City|Town|Parish|Combined|Unitary|Principal|Neighbouring)\b)"
    rf"(?:[A-Z][\w’'&-]+\s+(?:(?:and|of|upon|on|the|&)\s+)?){{1,5}}{_COUNCIL}"
)
_AFTER_A_NAME = re.compile(r"[A-Z][\w’'&-]*\s+$")


def councils_named(text: str) -> int:
    """How many councils a text names by their proper names ('Essex County Council and Tendring District Council' is
    two: a name may hold 'and', as in 'Forest of Dean')."""
    return sum(
        len(re.findall(rf"\b{_COUNCIL}", match.group(0)))
        for match in _NAMED_COUNCIL.finditer(text)
        if not _AFTER_A_NAME.search(text[: match.start()])  # the tail of a longer name
    )


@dataclass(frozen=True)
class Sought:
    """What a sentence must give to answer an ask of a case study: who took part, or an aspect it may tell."""

    gives: Callable[[str], bool]
    first_printed: bool  # the case study's first such sentence (its partners, named as it opens), not the closest
    states: Callable[[str], bool] | None = None  # gives it outright (`Aspect.stated`): such sentences come first


def _names_councils(text: str) -> bool:
    return councils_named(text) >= 2


def _names_a_council(text: str) -> bool:
    return councils_named(text) >= 1


# Which one council a case study is about ('which council was that?', 'what district did it?'): answered by the first
# sentence naming a council by its proper name, as a case study opens, not the closest one (user trial 28 got the
# workshop's stakeholders and success factors, the council named only in the case study's title).
COUNCIL_ASKED = re.compile(
    r"^\W*(?:and\s+|so\s+)?(?:which|what)\s+(?:council|district|borough|authority|local authority)\s+"
    r"(?:was|is|did|were|ran|runs|led|leads|does)\b",
    re.I,
)


def sought_by(ask: str) -> Sought | None:
    """For an ask of who took part ('who was involved?'), of which council it was, or of an aspect a case study may
    tell apart from money ('how was it governed?', 'what went wrong?'), the test of a sentence that gives it; None for
    any other ask. Money is asked as an amount, which composition answers by the figure."""
    if PARTNERS_ASKED.search(ask):
        return Sought(_names_councils, first_printed=True)
    if COUNCIL_ASKED.search(ask):
        return Sought(_names_a_council, first_printed=True)
    for aspect in ASPECTS:
        if aspect.wants is None and aspect.asked.search(ask):
            states = partial(_gives, aspect.stated) if aspect.stated else None
            return Sought(partial(_gives, aspect.given), first_printed=False, states=states)
    return None


def _gives(given: re.Pattern[str], text: str) -> bool:
    return bool(given.search(text))
