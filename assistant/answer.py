"""Offline answers: the toolkit's own sentences closest to the question, each with its [n] citation."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from assistant.asks import Understanding, corrected, understand
from assistant.aspects import asks_an_aspect, near_the_figure
from assistant.attribution import by_source, group_label, needs_labels
from assistant.case_studies import asks_only_about
from assistant.composition import (
    STORED_FACTS,
    Candidate,
    list_going_on,
    load_selection_weights,
    near_same,
    select,
    sentence_candidates,
    sought_for,
    states_nothing,
    without_glued_heading,
)
from assistant.gaps import case_studies_named, case_study_gap
from assistant.glossary import PlainGlossary, Term
from assistant.legal_guide import asks_about_the_law, with_legal_guide
from assistant.params import RetrievalParams
from assistant.question import (
    LATER_GAP,
    PUBLISHED,
    RELATED_HEADING,
    BeyondScope,
    answer_opening,
    asks_for_help,
    beyond_scope,
    defined_phrase,
    is_english,
    split_related,
)
from assistant.retrieval import Hit, SearchResult
from core.models import CaseStudy, Passage
from core.page_labels import case_study_page_label
from core.text import SCENE_SETTING, balanced_quotes, collapse_ws, normalised_words, quotable
from stores.base import PassageStore


@dataclass(frozen=True)
class Citation:
    n: int
    hit: Hit
    sentences: tuple[str, ...]


# answered: the toolkit answers it; partial: it covers the topic but not the thing asked (a later event, one
# council's figure, a procedure, advice), so the answer says so first and then gives the closest it does say;
# not_covered: it does not cover the question (an abstention, with nearby topics).
Status = Literal["answered", "partial", "not_covered"]


@dataclass(frozen=True)
class Definition:
    """A term and its definition from the assistant's plain-English glossary (corpus/plain_glossary.json)."""

    term: str
    text: str


@dataclass(frozen=True)
class Answer:
    """An answer (or an abstention) with the passages it cites."""

    text: str
    status: Status
    citations: list[Citation]
    hits: list[Hit]
    related: list[CaseStudy] = field(default_factory=list)
    glossary: dict[str, str] = field(default_factory=dict)
    nearby_topics: list[str] = field(default_factory=list)  # an abstention's offer: topics the toolkit does cover
    # The assistant's own plain-English definition the text opens with (its first paragraph), which is not the
    # toolkit's words: said as data so a client can set it apart without reading the text.
    definition: Definition | None = None

    @property
    def answered(self) -> bool:
        """The toolkit answers the question as asked."""
        return self.status == "answered"


# A footnote marker whose note the extraction filed with another passage: one or two digits glued to the end of a
# word of four or more letters ('infrastructure6.', 'councils82 and'), to a quotation's closing mark ('Romania”5
# Taking') or to a year ('the Conservative manifesto for 201769 included'). Not in a link ('nov15',
# '/report1.pdf') or a code ('S151', 'M3', 'v15'); the toolkit prints larger figures with commas ('201,769').
_STRAY_MARKER = re.compile(
    r"(?<![\w/.@-])([a-z]{4,})\d{1,2}(?=[.,;:)]|\s|$)|([a-z.!?][”’\"])\d{1,2}(?=[.,;:)]|\s|$)"
    r"|(?<![\w/.,@£$-])((?:19|20)\d\d)\d{1,2}(?=[.,;:)]|\s|$)"
    # An acronym of three capitals or more with two markers glued on ('the OECD7580 analysed'): no name in the
    # toolkit ends in four digits.
    r"|(?<![\w/.@-])([A-Z]{3,})\d{4}(?=[.,;:)]|\s|$)"
)


def without_footnote_markers(text: str, footnotes: tuple[str, ...]) -> str:
    """'…to transform”.59 Councils' → '…to transform”. Councils': the passage's own footnote numbers, and a stray
    marker of a note filed with another passage."""
    for footnote in footnotes:
        number = re.match(r"(\d{1,3})\.", footnote)
        if number:
            # Glued to a lower-case word, a closing mark or an acronym ('UK38', 'CfPS39'), but not '£1.59m' or
            # 'S151' (one capital, a name of its own).
            text = re.sub(rf"(?:(?<=[a-z)”’\"'.,:;])|(?<=[A-Z]{{2}}))(?<!\d[.,]){number.group(1)}(?!\d)", "", text)
    return _STRAY_MARKER.sub(lambda m: m.group(1) or m.group(2) or m.group(3) or m.group(4), text)


def _plural(phrase: str) -> str:
    """'general practitioner' → 'general practitioners', 'local authority' → 'local authorities'."""
    if re.search(r"[^aeiou]y$", phrase):
        return phrase[:-1] + "ies"
    if re.search(r"[^su]s$", phrase):  # plural already, as the toolkit defined it ('… Transformation Partnerships')
        return phrase
    return phrase + ("es" if re.search(r"(?:s|x|ch|sh)$", phrase) else "s")


# An expansion with a gloss of this assistant's own: 'general practitioner (family doctor)'.
_GLOSSED = re.compile(r"(.*\S)\s*\(([^()]+)\)")


def spelled_out(expansion: str, acronym: str, plural: bool = False, capital: bool = False, noun: str = "") -> str:
    """'Local Enterprise Partnership (LEP)'. An expansion's own gloss ('general practitioner (family doctor)') is
    this assistant's words, so it stays out of the toolkit's sentence (`glossed_terms` gives it after the answer):
    'general practitioners (GPs)'. `plural`: the text wrote the acronym with an s ('GPs identified …' → 'general
    practitioners (GPs) identified …'); `capital`: it opened a sentence. `noun`: the expansion's own last word,
    written after the acronym, goes inside with it ('S151 officers' → 'Section 151 officers (S151 officers)', not
    'Section 151 officer (S151) officers')."""
    head = _without_gloss(expansion)
    written = f"{acronym} {noun}" if noun else acronym + "s" if plural else acronym
    if noun:
        plural = noun.lower() != head.split()[-1].lower()
    head = _plural(head) if plural else head
    head = head[:1].upper() + head[1:] if capital else head
    return f"{head} ({written})"


def _without_gloss(expansion: str) -> str:
    """The expansion as the toolkit's readers know it, without this assistant's gloss ('general practitioner')."""
    glossed = _GLOSSED.fullmatch(expansion)
    return glossed.group(1) if glossed else expansion


def glossed_terms(used: Mapping[str, str]) -> str:
    """The plain words this assistant's acronym list gives some terms ('GP: family doctor'), after the answer and
    marked as ours: written into a quoted sentence, user trials read them as the toolkit's (trials 20 and 21)."""
    glosses = [f"{acronym}: {match.group(2)}" for acronym, expansion in used.items() if (match := _GLOSSED.fullmatch(expansion))]
    return f"In plain words (this assistant's glossary, not the toolkit's words): {'; '.join(glosses)}." if glosses else ""


def _head_nouns(expansion: str) -> tuple[str, ...]:
    """The last word of an expansion's head, singular and plural, as the expansion writes it and capitalised: the
    noun a text may write after the acronym ('S151 officers', 'S151 Officers then recommended …')."""
    head = _without_gloss(expansion).split()[-1]
    return tuple(dict.fromkeys((head, _plural(head), head.capitalize(), _plural(head).capitalize())))


_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\]\s+|\n)$")


def _inside_a_name(text: str, use: re.Match[str]) -> bool:
    """A capitalised word on both sides of an acronym's use ('Hospitals NHS Trust'), the first not opening a sentence."""
    before = re.search(r"(\w+)\s+$", text[: use.start()])
    if not (before and before.group(1)[0].isupper() and use.group(2) and use.group(2)[0].isupper()):
        return False
    return not _SENTENCE_START.search(text[: before.start()])  # 'The APPG Inquiry' opening a sentence is no name


def _inside_a_quote(text: str, use: re.Match[str]) -> bool:
    """Inside a quotation (“…”) or a bracketed insertion ('They [STPs] have to …'): someone's own words as printed."""
    before = text[: use.start()]
    return before.count("“") > before.count("”") or before.count("[") > before.count("]")


def _spelled_out_in(expansion: str, text: str) -> bool:
    """The text spells the expansion out already, however punctuated ('Airedale, Wharfdale & Craven (AWC)' spells
    'Airedale Wharfdale Craven'): spelled out again, it read 'Airedale, Wharfdale & Craven (Airedale Wharfdale
    Craven (AWC))'."""

    def plain(words_of: str) -> str:
        return " ".join(w for w in normalised_words(words_of).split() if w != "and")

    return f" {plain(expansion)}" in f" {plain(text)}"  # a plural spells it out too ('Local Enterprise Partnerships')


def expand_first_acronyms(text: str, glossary: dict[str, str]) -> tuple[str, dict[str, str]]:
    """'LEP' → 'Local Enterprise Partnership (LEP)' at its first use, unless already spelled out.

    Not where the acronym is inside a name ('North Hampshire Hospitals NHS Trust' keeps its name as printed): a
    capitalised word on either side of it; a later use of it is spelled out instead. Never inside a quotation: a
    speaker's words stay as they said them.
    """
    used: dict[str, str] = {}
    for acronym, expansion in glossary.items():
        if acronym not in text:  # most of the glossary is absent from any one answer: a cheap test first
            continue
        uses = list(re.finditer(rf"\b{re.escape(acronym)}(s?)\b(?:\s+(\w+))?", text))
        if not uses:
            continue
        used[acronym] = expansion
        if _spelled_out_in(expansion, text):
            continue
        nouns = _head_nouns(expansion)
        match = next(
            (m for m in uses if not _inside_a_quote(text, m) and (m.group(2) in nouns or not _inside_a_name(text, m))),
            None,
        )
        if match is None:
            continue
        noun = match.group(2) if match.group(2) in nouns and not match.group(1) else ""
        end = match.end() if noun else match.end(1)
        capital = bool(_SENTENCE_START.search(text[: match.start()]))
        spelled = spelled_out(expansion, acronym, plural=bool(match.group(1)), capital=capital, noun=noun)
        text = text[: match.start()] + spelled + text[end:]
    return text, used


def strip_acronym_expansions(text: str, glossary: dict[str, str]) -> str:
    """Undo expand_first_acronyms, to check an answer against the toolkit's own words."""
    for acronym, expansion in glossary.items():
        if acronym not in text:
            continue
        for capital in (False, True):
            for noun in _head_nouns(expansion):
                text = text.replace(spelled_out(expansion, acronym, capital=capital, noun=noun), f"{acronym} {noun}")
            for plural in (True, False):
                text = text.replace(spelled_out(expansion, acronym, plural, capital), acronym + ("s" if plural else ""))
    return text


# A case study is 'related' only when one of its passages is close to the question, and retrieved near the top as
# a passage the answer may fill up from is (`RetrievalParams.fill_retrieval`): user trial 19 found unquoted case
# studies far down the search listed as related in 7 of 35 answers. Dev: related case studies per answer 1.0 -> 0.9,
# the case study a question was written about listed as often (75 of 105).
RELATED_MIN_SIMILARITY = 0.4


RELATED_LIMIT = 3


def related_case_studies(
    result: SearchResult,
    case_studies: list[CaseStudy],
    limit: int = RELATED_LIMIT,
    min_retrieval: float = 0.0,
    fit_margin: float = float("inf"),
) -> list[CaseStudy]:
    """Case studies whose passages the search found close to the question, and which fit the question as wholes
    within `fit_margin` of the best fitting one (`SearchResult.fitting`)."""
    by_title = {c.title: c for c in case_studies}
    related: list[CaseStudy] = []
    top = result.hits[0].score if result.hits else 0.0
    # One passage brushing the question's words is not a case study about it: user trial 30 was offered Breckland and
    # South Holland beside Denmark's reorganisation, Gloucester beside Wyre Forest's parishes.
    fitting = set(result.fitting_within(fit_margin)) if result.fitting else None
    for hit in result.hits:
        if hit.dense < RELATED_MIN_SIMILARITY or hit.score < min_retrieval * top:
            continue
        if fitting is not None and hit.passage.case_study not in fitting:
            continue
        study = by_title.get(hit.passage.case_study or "")
        if study and study not in related:
            related.append(study)
    return related[:limit]


def _gap_of_each_ask(
    understanding: Understanding, beyond: BeyondScope | None, gap: BeyondScope | None, vocabulary: Collection[str]
) -> BeyondScope | None:
    """What the question asks after the toolkit's publication (`beyond`, the only gap a case study's may join), and
    what another of its asks asks of one case study that its text does not give: both said ('did they save much from it? and would the Shared Prosperity Fund pay for ours?', user
    trial 35), where the later event alone hid the missing savings figure. The answer is then that case study's.
    Asked in one ask ('how much has it saved since 2023?'), the later event is the gap."""
    if not (beyond and gap):
        return beyond or gap
    if not any(beyond_scope(ask.text, vocabulary) is None for ask in understanding.asks):
        return beyond
    return replace(gap, sentence=f"{gap.sentence} It {LATER_GAP}")


def _case_study_gap(result: SearchResult, beyond: BeyondScope, store: PassageStore) -> Answer:
    """A partial answer about one case study with nothing of its own close to the question: what the toolkit does
    not give, and where that case study is to read."""
    study = [c for c in store.case_studies() if c.title == beyond.case_study]
    text = beyond.sentence + ("\n\n" + format_related(study) if study else "")
    return Answer(text=text, status="partial", citations=[], hits=result.hits, related=study)


def format_related(related: list[CaseStudy]) -> str:
    parts = [f"{c.title} ({case_study_page_label(c.page)})" if c.page else c.title for c in related]
    return f"{RELATED_HEADING} " + "; ".join(parts) + "."


NEARBY_MIN_SIMILARITY = 0.4  # a passage this close to the question is near it (0.3 offered Publica for taxi licensing)

# A section heading that names who is speaking rather than a topic ('Cllr. John Fuller', 'Charles Lant, Chief
# Executive – Wealden DC', 'District interviewee'): the toolkit prints its quotations' speakers as headings.
_SPEAKER = re.compile(
    r"^(Cllr\.?|Councillor|Rt Hon|Sir|Dame|Dr|Mr|Mrs|Ms|Lord|Baroness)\s|\b(Chief Executive|Head of|Leader of|"
    r"Director|Chair(?:man)?|Mayor|Minister|interviewee)\b|[(\[]at\s",
)
# A heading every chapter has, which says nothing of what is near ('Key questions', 'Lessons learnt').
_STRUCTURAL = re.compile(r"^(Key\s|Lessons\s|Tools and resources|How to use|How can districts use)|\?$", re.I)


def topic_of(passage: Passage) -> str:
    """What a passage is about, as a user could ask about it: its case study, else its section when that names a
    topic (not a speaker, not a heading every chapter has), else its chapter."""
    section = passage.section or ""
    if passage.case_study:
        return passage.case_study
    if section and not _SPEAKER.search(section) and not _STRUCTURAL.search(section):
        return section
    return passage.chapter


def nearby_topics(result: SearchResult, limit: int = 3) -> list[str]:
    """Topics of the passages near the question; none when nothing is near (never a list of every chapter)."""
    topics: list[str] = []
    for hit in result.hits:
        topic = topic_of(hit.passage)
        if hit.dense >= NEARBY_MIN_SIMILARITY and topic and topic not in topics:
            topics.append(topic)
    return topics[:limit]


NOTHING_NEAR = "Nothing in it comes close to this question."


def _quoted_list(words: Sequence[str]) -> str:
    """‘a’, ‘a’ or ‘b’, ‘a’, ‘b’ or ‘c’."""
    quoted = [f"‘{w}’" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def abstention(result: SearchResult, beyond: BeyondScope | None = None, unfamiliar: Sequence[str] = ()) -> Answer:
    """Not covered, with what is near. `unfamiliar`: the words the toolkit never uses that decided it (the question
    came close enough to be answered had they been the toolkit's), named so the user can tell why and ask again in
    other words ('bother working beyond our borders' is about working across boundaries)."""
    topics = nearby_topics(result)
    text = "The toolkit does not seem to cover this question, so I can't answer it from the toolkit."
    if beyond:
        text = f"{beyond.sentence} {text}"
    if unfamiliar:
        plural = "s" if len(unfamiliar) > 1 else ""
        text += f" It never uses the word{plural} {_quoted_list(unfamiliar)}."
    text += " Nearby topics it does cover: " + "; ".join(topics) + "." if topics else " " + NOTHING_NEAR
    return Answer(text=text, status="not_covered", citations=[], hits=result.hits, nearby_topics=topics)


def _close_enough(result: SearchResult, params: RetrievalParams) -> bool:
    return bool(result.hits) and result.relevance >= params.min_relevance


def _unsure_of_words(result: SearchResult, params: RetrievalParams) -> bool:
    """Close, but not close enough for a question with this many words the toolkit never uses."""
    if result.query.follow_up:
        # Its few words lean on the conversation's subject, which the toolkit covers: one of them it never uses
        # ('what do you have to prove before you can do it?') is the user's wording, not a subject it lacks.
        return False
    return result.relevance < params.uncertain_relevance and result.query.unknown_share >= params.max_unknown_share


def is_covered(result: SearchResult, params: RetrievalParams) -> bool:
    """Whether the toolkit covers the question: close enough, and not about things it never mentions."""
    if result.scoped:  # the user chose the case study: 'what were the results?' is about it
        return bool(result.hits)
    return _close_enough(result, params) and not _unsure_of_words(result, params)


def refused_for_words(result: SearchResult, params: RetrievalParams) -> tuple[str, ...]:
    """The words the toolkit never uses that, and not distance alone, kept a question from being answered."""
    if result.scoped or not _close_enough(result, params) or not _unsure_of_words(result, params):
        return ()
    return result.query.unknown_words


# A partial answer quotes 'the closest it does say': a sentence further than this from the question (cosine) is not
# close, whatever its rank ('£100k per annum through sharing of the Local Plan Team' for a city's bin collection
# spending sat at 0.24); with none this close, the question is not covered. Chosen by reading dev's partial answers.
PARTIAL_MIN_CLOSENESS = 0.35


def _closest_for_the_gap(
    chosen: Sequence[Candidate], understanding: Understanding, beyond: BeyondScope, result: SearchResult, store: PassageStore
) -> list[Candidate]:
    """A partial answer's sentences: for the asks of what one case study does not give, the closest it does say
    (`closest_only`); another ask's own answer stays as chosen ('Who paid for the staff …, and what results did
    they report?' of District Direct lost its 725 bed days, far from the question as a whole, user trial 40)."""
    asks = understanding.asks
    near = near_the_figure(beyond.kind) if beyond.case_study else None
    if not beyond.case_study or len(asks) < 2:
        return closest_only(chosen, result, store, near)
    answered = {i for i, ask in enumerate(asks) if not asks_an_aspect(ask.text)}
    return [kept for c in chosen for kept in ([c] if c.ask in answered else closest_only([c], result, store, near))]


def closest_only(
    chosen: Sequence[Candidate], result: SearchResult, store: PassageStore, near: Callable[[str], bool] | None = None
) -> list[Candidate]:
    """The sentences of a partial answer close enough to the question to be 'the closest it does say', each with the
    sentence it leans on but not the one that goes on about it, which is no closer for following it. `near`: what
    makes a sentence close however far its words are (`aspects.near_the_figure`)."""
    kept = []
    for candidate in chosen:
        if near and near(candidate.render()):
            kept.append(replace(candidate, follow_on=()))
            continue
        stored = store.sentences_of(candidate.hit.passage.id)
        row = next((s.row for s in stored if s.text.endswith(candidate.text)), None)  # its text may be unglued
        if row is None:
            continue
        # Close to the question in its conversation: a follow-up's own words ('is it still running?') are the
        # part the toolkit cannot answer, so what it does say is measured against the subject they lean on.
        if float(store.sentence_vectors([row])[0] @ result.vector) >= PARTIAL_MIN_CLOSENESS:
            kept.append(replace(candidate, follow_on=()))
    return kept


# Passages whose sentences an answer is chosen from: all five a search shows. From the top four, the evidence in the
# fifth was never quoted. Blind dev (142 answerable questions), 4 -> 5 with the selection refitted each way: cited
# evidence 0.704 -> 0.732, answer facts 0.383 -> 0.376; curated dev unchanged (0.861, 0.734).
HITS_CONSIDERED = 5

ENGLISH_ONLY = "The toolkit and this assistant work in English: please ask your question in English."
# What a user who asks what the assistant is, or only says hello, needs: what it answers from, how, and how to ask.
# The examples are questions it answers (tests/assistant/test_answer_status.py asks each one).
HELP_EXAMPLES = (
    "Why should district councils work with their neighbours?",
    "Is there an example of councils sharing a planning team, and what did they save?",
    "What does Teckal mean?",
)
HELP = (
    f"I answer questions about the toolkit ({PUBLISHED}) in its own words, citing the passage and page each sentence "
    "comes from, and I say so when it does not cover something. Ask in your own words, for example: "
    + "; ".join(f"“{q}”" for q in HELP_EXAMPLES)
    + ". A follow-up such as “and how much did they save?” carries on from the answer before."
)
USES_LIMIT = 2  # toolkit sentences quoted beside a glossary definition

# A follow-up asking for the last answer in plainer words ('what does that mean in plain English?', 'can you
# explain that more simply?'), not what it means for the user ('what does that mean for us?').
_PLAINER = re.compile(
    r"\b(plain english|plain words|plainer|simple (terms|words|english)|simpler|more simply|simply put|"
    r"lay(man|person)['’]?s? terms|jargon|i don['’]?t (understand|get it|follow))\b"
    r"|\bwhat does (that|this|it|all that|all this) (all )?mean\W*$|^\W*(explain|translate) (that|this|it)\W*$",
    re.I,
)
PLAIN_WORDS_LIMIT = 4  # terms explained for a plainer answer
NO_PLAINER = (
    "The answer above is in the toolkit's own words, and this assistant's glossary has no plainer words for the terms "
    "in it. Ask about any term on its own ('what does … mean?'), or ask the question another way."
)


# A term of the user's own, quoted or asked about by name: "what does 'platform' mean in plain english?" asks what
# that means, not for the last answer's terms (user trial 8 got the glossary's 'District council' for it).
# So is a term asked after 'what's a …' ('what's a local industrial strategy in simple terms?').
_OWN_TERM = re.compile(
    r"[\"'‘“][^\"'’”]{2,60}[\"'’”]|\bwhat (?:does|do|is|are) (?!(?:that|this|it|all|they|these|those)\b)\w[^?]{0,60}\bmean"
    r"|\bwhat(?:'s|’s|s| is| are) (?:an?|the(?! (?:point|gist|upshot|meaning|bottom line)\b)) \w"
    # A term of its own pointed at ('and what's this collaboration curve thing, in plain english?', user trial 37),
    # not the last answer ('what's this all about?', 'what's that in plain english?').
    r"|\bwhat(?:'s|’s|s| is| are) (?:this|that|these|those) (?!(?:all|mean|means|about|in|then|saying|one|bit|part|stuff|"
    r"thing)\b)[a-z]\w+",
    re.I,
)


# What it means for someone ('what does that mean in plain english for residents?', user trial 32): an ask about
# them, however plainly put, not for the last answer's terms.
_MEANS_FOR = re.compile(r"\bmean\b[^?.!]*?\bfor\s+(?!(?:example|instance|short|now)\b)\w+", re.I)


def asks_for_plainer_words(question: str) -> bool:
    """The question asks for the last answer again in plainer words, not what a term of its own means, nor what the
    last answer means for someone."""
    return bool(_PLAINER.search(question)) and not _OWN_TERM.search(question) and not _MEANS_FOR.search(question)


MAIN_POINT = "The main point, in the toolkit's words:"


def quoted_pieces(quoted: str, glossary: dict[str, str]) -> list[str]:
    """What of an answer's quoted text the toolkit prints word for word: without the acronyms' expansions the
    answer adds, and a list (quoted as its opening and its items run together, 'Districts themselves should:
    develop …; work with …') in its pieces."""
    own = strip_acronym_expansions(quoted.strip(), glossary)
    return [collapse_ws(piece) for piece in re.split(r"[:;]\s", own) if len(piece.split()) >= 2] or [collapse_ws(own)]


def main_point(earlier_answer: str, passages: Iterable[Passage], glossary: dict[str, str]) -> tuple[str, Passage] | None:
    """What an answer quoted first (the sentences before its first marker, after any case study's label or a partial
    answer's opening), and the passage holding it (every piece of a list it quoted, `quoted_pieces`: user trial 46's
    'say that more simply' after a list of Publica's outcomes found none and gave a glossary entry alone); None when
    nothing it quoted stands as printed."""
    first = answer_opening(split_related(earlier_answer)[0])
    quoted = collapse_ws(first.split("\n\n")[-1])
    if len(quoted.split()) < 4:
        return None
    pieces = quoted_pieces(quoted, glossary)
    return next(((quoted, p) for p in passages if all(piece in collapse_ws(p.text) for piece in pieces)), None)


def in_plainer_words(
    earlier_answer: str, earlier_question: str, plain: PlainGlossary, passages: Iterable[Passage], glossary: dict[str, str]
) -> Answer:
    """The last answer's main point again, alone (`main_point`), then the terms of the last answer (and of the
    question it answered) in the glossary's plain words, marked as the assistant's own: the toolkit's sentences
    cannot be reworded, but its jargon can be explained. 'Can you say that more simply, for a new councillor?' had
    three glossary entries and never the answer's own point, that four councils own the company (user trial 42)."""
    terms = plain.terms_in(f"{earlier_question} {earlier_answer}")[:PLAIN_WORDS_LIMIT]
    lines = "\n\n".join(f"{term.term}: {term.definition}" for term in terms)
    text = f"In plain words (this assistant's glossary, not the toolkit's words), the terms in that answer:\n\n{lines}" if terms else NO_PLAINER
    point = main_point(earlier_answer, passages, glossary)
    if point is None:
        return Answer(text=text, status="answered", citations=[], hits=[])
    sentence, passage = point
    hit = Hit(passage, 1.0, 1.0, 0.0)
    return Answer(text=f"{MAIN_POINT} {sentence} [1]\n\n{text}", status="answered", citations=[Citation(1, hit, (sentence,))], hits=[hit])


def _asked_term(question: str, plain: PlainGlossary, corrections: Mapping[str, str]) -> Term | None:
    """The glossary term a 'what does X mean?' question asks about ('what is a LEP and why…' asks about LEP), as
    typed or as the speller corrected it ('whats a combined authorty?')."""
    phrase = defined_phrase(question)
    if not phrase:
        return None
    for typed in dict.fromkeys((phrase, corrected(phrase, corrections))):
        for candidate in (
            typed,
            re.split(r"\s+(?:and|,)\s+", typed)[0],
            re.sub(r"^(this|these|that)\s+|\s+thing$", "", typed),
        ):
            found = plain.lookup(candidate)
            if found:
                return found
    return None


# What follows a term at the head of a sentence that says what the term is: 'Land value capture refers to a set of
# mechanisms …', 'Combined authorities offer place-based partners a statutory vehicle …', 'Boundary spanners are …'.
_SAYS_WHAT = re.compile(
    r"(?:\s*\([^)]{1,40}\))?\s+(?:(?:is|are)\s+(?:a|an|the|one|any|where|when|how|what)\b|(?:refers? to|means?|describes?|"
    r"offers?|provides?|allows?|enables?|gives?|shows?|illustrates?|sets? out)\b)",
    re.I,
)


@lru_cache(maxsize=STORED_FACTS)
def _term_uses_in(forms: tuple[str, ...], sentences: tuple[str, ...]) -> tuple[tuple[str, bool, bool], ...]:
    """A passage's sentences (as quoted) that use the term and may be quoted, each with whether it opens on the term
    and whether it then says what the term is. Once per term and passage: a term the toolkit never defines sends
    each definition of it through every passage (20 ms a question, worked out afresh)."""
    pattern = "|".join(rf"{re.escape(f)}s?" for f in forms)
    uses_term, opens_on_term = re.compile(rf"\b(?:{pattern})\b", re.I), re.compile(rf"^(?:the |an? )?(?:{pattern})\b", re.I)
    # Saying what the term is after a phrase that sets the scene ('Building on the ideas of Turf, Trust and Time
    # outlined in the previous section, the collaboration curve shows how …') is an account of it too.
    after_scene = re.compile(rf"^{SCENE_SETTING}(?:the |an? )?(?:{pattern})\b", re.I)
    found = []
    for sentence in sentences:
        text = without_glued_heading(sentence)
        if not (uses_term.search(text) and quotable(text) and balanced_quotes(text)):
            continue
        head = opens_on_term.match(text) or after_scene.match(text)
        says = head is not None and bool(_SAYS_WHAT.match(text[head.end() :]))
        # After a scene-setting phrase, only an account of the term counts as opening on it.
        opens = head is not None and (says or head.re is opens_on_term)
        found.append((text, opens, says))
    return tuple(found)


def _uses_of(term: Term, result: SearchResult, store: PassageStore) -> list[tuple[Hit, str]]:
    """Toolkit sentences that use the term, from the passages found first, then anywhere in the toolkit; first a
    sentence about the term itself, which opens on it ('Combined authorities offer place-based partners a statutory
    vehicle …'), wherever it is: that is the toolkit's own account of what the term is."""

    def uses_in(passage: Passage) -> tuple[tuple[str, bool, bool], ...]:
        sentences = tuple(s.text for s in store.sentences_of(passage.id) if s.kind == "sentence")
        return _term_uses_in(term.forms, sentences)

    found = {h.passage.id for h in result.hits}
    hits = [*result.hits, *(Hit(p, 0.0, 0.0, 0.0) for p in store.passages() if p.id not in found)]
    uses: list[tuple[Hit, str]] = []
    about: tuple[Hit, str] | None = None  # opens on the term and says what it is
    opening: tuple[Hit, str] | None = None  # opens on the term ('Combined authorities will stand or fall …')
    for hit in hits:
        for text, opens, says_what in uses_in(hit.passage):
            if about is None and says_what:
                about = (hit, text)
            elif opening is None and opens:
                opening = (hit, text)
            elif len(uses) < USES_LIMIT:
                uses.append((hit, text))
        if about is not None and len(uses) >= USES_LIMIT:
            break
    return ([lead for lead in (about, opening) if lead] + uses)[:USES_LIMIT]


NOT_USED = "The toolkit itself does not use the term."


def cited_quotes(quotes: Sequence[tuple[Hit, str]]) -> tuple[str, list[Citation]]:
    """Toolkit sentences quoted in order, each marked [n] for its passage (numbered as first quoted), and the
    citations those markers point to."""
    numbers: dict[str, int] = {}
    for hit, _ in quotes:
        numbers.setdefault(hit.passage.id, len(numbers) + 1)
    text = " ".join(
        f"{without_footnote_markers(sentence, hit.passage.footnotes)} [{numbers[hit.passage.id]}]" for hit, sentence in quotes
    )
    by_passage = {hit.passage.id: hit for hit, _ in quotes}
    citations = [
        Citation(n, by_passage[pid], tuple(s for h, s in quotes if h.passage.id == pid)) for pid, n in numbers.items()
    ]
    return text, citations


def define(term: Term, result: SearchResult, store: PassageStore) -> Answer:
    """The glossary's plain words, marked as ours, and where the toolkit uses the term, cited."""
    uses = _uses_of(term, result, store)
    quoted, citations = cited_quotes(uses)
    text = f"{term.term}, in plain words (this assistant's glossary, not the toolkit's words): {term.definition}"
    if uses:
        text += "\n\nWhere the toolkit uses it:\n\n" + quoted
    else:  # said, so a councillor does not take the definition for what the toolkit argues
        text += "\n\n" + NOT_USED
    return Answer(
        text=text, status="answered", citations=citations, hits=result.hits, definition=Definition(term.term, term.definition)
    )


def compose_answer(
    result: SearchResult,
    store: PassageStore,
    params: RetrievalParams,
    hits_considered: int = HITS_CONSIDERED,
    plain: PlainGlossary | None = None,
    understanding: Understanding | None = None,
    ask_results: Sequence[SearchResult] = (),
    said_before: str = "",
    answered_before: str | None = None,
) -> Answer:
    """An extractive answer from the best sentences of the top passages, a definition, or an abstention.

    `understanding` is the question's asks (one search each, in `ask_results`, for a compound question): each ask
    gets its best sentence, the main ask's first. `said_before`: the answer a follow-up follows, whose sentences are
    not quoted again while an ask has others. `answered_before`: the case study the conversation's last answer
    quoted first, if any.
    """
    question = result.query.original
    if asks_for_help(question):
        return Answer(text=HELP, status="not_covered", citations=[], hits=[])
    if not re.search(r"[^\W_]", question):  # '?!?...' or only emoji: no question to look up
        return Answer(text=f"I could not find a question in that. {HELP}", status="not_covered", citations=[], hits=[])
    if not is_english(result.query):
        return Answer(text=ENGLISH_ONLY, status="not_covered", citations=[], hits=result.hits)
    understanding = understanding or understand(question)
    term = _asked_term(question, plain, result.query.corrections) if plain else None
    if plain and not term and understanding.compound and understanding.asks:
        # 'What is a combined authority and what does South Cambs say about being in one?': too long a phrase for
        # the whole question to read as a definition; its first ask is one.
        term = _asked_term(understanding.asks[0].text, plain, result.query.corrections)
    if term:
        defined = define(term, result, store)
        if not (understanding.compound and is_covered(result, params)):
            return defined
        # 'What is a LEP and why should districts care?': the definition, then the toolkit on the rest.
        rest = replace(understanding, asks=understanding.asks[1:])
        own = ask_results[1:] if len(ask_results) == len(understanding.asks) else ()
        more = _chosen_sentences(rest, result, own, store, params, hits_considered)
        later = beyond_scope(" ".join(ask.text for ask in rest.asks), store.vocabulary(), result.query.corrections)
        if later:
            # 'What is an LEP exactly, and do they still exist now?' (user trial 36) had 'LEPs are here to stay'
            # after the definition, as if said today: the rest is what the toolkit cannot say, then its closest.
            more = closest_only(more, result, store)
            return replace(_with_more(defined, more[: params.answer_sentences - 1], store, later.sentence), status="partial")
        return _with_more(defined, more[: params.answer_sentences - 1], store)
    beyond = beyond_scope(question, store.vocabulary(), result.query.corrections)
    if beyond is None or beyond.kind == "after_publication":  # only then may a case study's gap be said too
        gap = case_study_gap(understanding, result, store, params.described_case_margin, answered_before)
        beyond = _gap_of_each_ask(understanding, beyond, gap, store.vocabulary())
    if not is_covered(result, params):
        return abstention(result, beyond, refused_for_words(result, params))
    chosen = _chosen_sentences(understanding, result, ask_results, store, params, hits_considered, said_before)
    # A numbered list quoted to its passage's end goes on with its items in the passages after.
    chosen = [going for candidate in chosen for going in (candidate, *list_going_on(candidate, store))]
    named = case_studies_named(understanding, store)
    if beyond:
        if not beyond.case_study and result.query.follow_up and result.subject:
            # A gap asked of the case study the conversation is about ('what did it cost and what did they decide
            # in the end?'): what the toolkit does say is that case study's, not another council's '£4 million a year'.
            beyond = replace(beyond, case_study=result.subject)
        elif not beyond.case_study and len(named) == 1:
            # Or of the one case study it names: 'how much has Publica saved in 2023?' had the sector's £644m quoted
            # under 'the closest it does say', read as Publica's (user trial 46).
            beyond = replace(beyond, case_study=next(iter(named)))
        if beyond.case_study:
            # What it does say about that case study: another one's savings quoted under 'gives no money figures for
            # X' read as X's own. Filtered first, so closeness is looked up only for X's sentences.
            chosen = [c for c in chosen if c.hit.passage.case_study == beyond.case_study]
        chosen = _closest_for_the_gap(chosen, understanding, beyond, result, store)
        if beyond.kind == "advice" and asks_about_the_law(question):
            chosen = with_legal_guide(chosen, store, result.vector, params.answer_sentences)
        if beyond.case_study and not chosen:  # nothing of its own close enough: say so, and where the case study is
            return _case_study_gap(result, beyond, store)
    if not chosen:
        return abstention(result, beyond)
    hits = _merged_hits(result, ask_results)
    groups = by_source(chosen)
    # 'Which council was that?' of the case study the conversation is about asks for what only its title may say
    # ('The Council engaged in …'): the subject is known to the conversation, not to the answer.
    names_asked = any(ask.wants in ("name", "place") for ask in understanding.asks)
    subject = [result.subject] if result.subject and not names_asked else []
    labelled = needs_labels(groups, {*named, *subject})
    if labelled:  # each case study's sentences together, under its title, numbered as they are read
        chosen = [c for _, group in groups for c in group]
    numbers: dict[str, int] = {}
    for candidate in chosen:
        numbers.setdefault(candidate.hit.passage.id, len(numbers) + 1)
    body, used = _body(groups if labelled else [(None, chosen)], numbers, store, labelled)
    found = related_case_studies(result, store.case_studies(), min_retrieval=params.fill_retrieval, fit_margin=params.case_fill_margin)
    related = _cited_first(chosen, found, store)
    # A partial answer says first, in its own paragraph, what the toolkit does not give; the cited sentences follow.
    opening = f"{beyond.sentence} The closest it does say:\n\n" if beyond else ""
    glosses = glossed_terms(used)
    text = opening + body + ("\n\n" + glosses if glosses else "") + ("\n\n" + format_related(related) if related else "")
    by_id = {c.hit.passage.id: c.hit for c in chosen}
    citations = [
        Citation(n, by_id[pid], tuple(part for c in chosen if c.hit.passage.id == pid for part in c.parts))
        for pid, n in numbers.items()
    ]
    status: Status = "partial" if beyond else "answered"
    return Answer(text=text, status=status, citations=citations, hits=hits, related=related, glossary=used)


_PARAGRAPH_JOIN = "\u2029"  # Unicode's paragraph separator: never in the toolkit's text


def _body(
    groups: Sequence[tuple[str | None, list[Candidate]]], numbers: Mapping[str, int], store: PassageStore, labelled: bool
) -> tuple[str, dict[str, str]]:
    """The cited sentences, a paragraph per group under its label when labelled; acronyms spelled out at their
    first use in the sentences (never in a label: a case study's title is printed as the toolkit prints it)."""
    paragraphs = [
        " ".join(f"{without_footnote_markers(c.render(), c.hit.passage.footnotes)} [{numbers[c.hit.passage.id]}]" for c in group)
        for _, group in groups
    ]
    # One text, so an acronym is spelled out once in the whole answer; cut back where the paragraphs were joined.
    expanded, used = expand_first_acronyms(_PARAGRAPH_JOIN.join(paragraphs), store.glossary)
    if not labelled:
        return expanded.replace(_PARAGRAPH_JOIN, "\n\n"), used
    by_title = {c.title: c for c in store.case_studies()}
    parts = []
    for i, ((study, _), paragraph) in enumerate(zip(groups, expanded.split(_PARAGRAPH_JOIN), strict=True)):
        label = group_label(study, by_title, first=i == 0)
        parts += [label, paragraph] if label else [paragraph]
    return "\n\n".join(parts), used


def _cited_first(chosen: Sequence[Candidate], related: list[CaseStudy], store: PassageStore) -> list[CaseStudy]:
    """The case studies the answer quotes, in the order it quotes them, then those its search found: a related
    list naming another case study than the one whose figure the answer gives misleads."""
    by_title = {c.title: c for c in store.case_studies()}
    quoted = [by_title[t] for t in dict.fromkeys(c.hit.passage.case_study for c in chosen) if t in by_title]
    return list({c.id: c for c in [*quoted, *related]}.values())[: max(RELATED_LIMIT, len(quoted))]


def answer_sentences(text: str) -> list[str]:
    """An earlier answer's sentences: its text cut at citation markers and sentence ends."""
    return [part for part in re.split(r"\s*\[\d+\]\s*|(?<=[.!?])\s+", text) if part.strip()]


# Kinds of answer a follow-up asks for by name ('how much can someone get?', 'how many agencies?', 'when?'): the
# sentence giving it is the answer even when the user has just read it among others.
_FIGURES = frozenset({"amount", "count", "date"})


def _gives_figure_asked(candidate: Candidate) -> bool:
    return candidate.gives_wanted and candidate.wants in _FIGURES


def _already_said(candidate: Candidate, said: Sequence[str]) -> bool:
    return any(near_same(part, sentence) for part in candidate.parts for sentence in said)


def _said_again(candidate: Candidate, said: Sequence[str]) -> bool:
    """Quoted by the answer before, and not the figure the follow-up asks for by name."""
    return _already_said(candidate, said) and not _gives_figure_asked(candidate)


def _with_more(answer: Answer, chosen: list[Candidate], store: PassageStore, gap: str = "") -> Answer:
    """An answer with more cited sentences in a paragraph of their own, numbered on from its citations; `gap`, what
    the toolkit does not give of the rest, is said before them (as the closest it does say)."""
    said = [s for c in answer.citations for s in c.sentences]
    chosen = [c for c in chosen if not any(near_same(part, s) for part in c.parts for s in said)]
    if gap:
        answer = replace(answer, text=f"{answer.text}\n\n{gap}" + (" The closest it does say:" if chosen else ""))
    if not chosen:
        return answer
    # A case study's sentences under its title, as in any answer: after a definition, 'The councils sought to
    # develop a model …' read as the councils of the sentence before.
    groups = by_source(chosen)
    labelled = any(study for study, _ in groups)
    if labelled:
        chosen = [c for _, group in groups for c in group]
    numbers = {c.hit.passage.id: c.n for c in answer.citations}
    for candidate in chosen:
        numbers.setdefault(candidate.hit.passage.id, len(numbers) + 1)
    body, used = _body(groups if labelled else [(None, chosen)], numbers, store, labelled)
    by_id = {c.hit.passage.id: c.hit for c in chosen} | {c.hit.passage.id: c.hit for c in answer.citations}
    earlier = {c.hit.passage.id: c.sentences for c in answer.citations}
    citations = [
        Citation(
            n,
            by_id[pid],
            (*earlier.get(pid, ()), *(part for c in chosen if c.hit.passage.id == pid for part in c.parts)),
        )
        for pid, n in numbers.items()
    ]
    glosses = glossed_terms({acronym: expansion for acronym, expansion in used.items() if acronym not in answer.glossary})
    more = f"{body}\n\n{glosses}" if glosses else body
    return replace(answer, text=f"{answer.text}\n\n{more}", citations=citations, glossary={**answer.glossary, **used})


def _merged_hits(result: SearchResult, ask_results: Sequence[SearchResult]) -> list[Hit]:
    """The question's hits, then any an ask's own search found besides."""
    seen = {h.passage.id for h in result.hits}
    merged = list(result.hits)
    for own in ask_results:
        for hit in own.hits:
            if hit.passage.id not in seen:
                seen.add(hit.passage.id)
                merged.append(hit)
    return merged


def candidates_per_ask(
    understanding: Understanding,
    result: SearchResult,
    ask_results: Sequence[SearchResult],
    store: PassageStore,
    params: RetrievalParams,
    hits_considered: int = HITS_CONSIDERED,
) -> list[list[Candidate]]:
    """Each ask's candidate sentences, best first, each from the ask's own search where there was one (what
    `evals.fit_selection` fits the sentence scorer on)."""
    asks = understanding.asks
    searched = list(ask_results) if len(ask_results) == len(asks) else [result] * len(asks)
    if len(asks) == 1:
        searched = [result]
    # A short ask that refers back ('and what did they save?') is answered from what the ask before it found.
    searched = [
        replace(own, hits=searched[i - 1].hits) if i and ask.leans_on else own
        for i, (ask, own) in enumerate(zip(asks, searched))
    ]
    weights = load_selection_weights() if params.fitted_selection else None
    per_ask = [
        sentence_candidates(
            ask, i, own, store, hits_considered, understanding.entities, weights, params.example_case_preference,
            params.list_preference, params.reason_toolkit_preference,
        )
        for i, (ask, own) in enumerate(zip(asks, searched))
    ]
    return [c for c in per_ask if c]


def _chosen_sentences(
    understanding: Understanding,
    result: SearchResult,
    ask_results: Sequence[SearchResult],
    store: PassageStore,
    params: RetrievalParams,
    hits_considered: int,
    said_before: str = "",
) -> list[Candidate]:
    """The best sentences for each ask, each from the ask's own search where there was one, what the answer before
    said coming after what is new (or left out while an ask has other sentences, with `follow_up_skips_said`)."""
    per_ask = candidates_per_ask(understanding, result, ask_results, store, params, hits_considered)
    # Scored like every candidate (the fitted weights learned such lines as sentences that hold no fact), never quoted.
    per_ask = [[c for c in found if not states_nothing(c.text, c.hit.passage.text)] for found in per_ask]
    said = answer_sentences(said_before) if said_before else []
    if said and params.follow_up_skips_said:
        # 'And what was the money used for?' searches the subject just answered, so its closest sentences are often
        # the ones the user has just read: a follow-up asks for what was not said.
        per_ask = [[c for c in found if not _said_again(c, said)] or found for found in per_ask]
    elif said and params.said_before_penalty > 0:
        # Quoted again, but after what is new: 'which ones did it?' and 'why did they choose that model?' had opened on
        # the very sentence the answer before them opened on (user trial 22).
        per_ask = [
            sorted(
                (replace(c, score=c.score - params.said_before_penalty) if _said_again(c, said) else c for c in found),
                key=lambda c: -c.score,
            )
            for found in per_ask
        ]
    if not per_ask:
        return []
    named = case_studies_named(understanding, store) | set(result.named)
    titled: Collection[str] = result.named
    compared: list[str] = []
    if result.subject and result.compared:
        # 'How's that different from District Direct?': what the follow-up is about opens it, then each yardstick
        # has its best sentence.
        named, titled, compared = {result.subject}, {result.subject}, [result.subject, *result.compared]
    introduced = [i for i, ask in enumerate(understanding.asks) if asks_only_about(ask.text, named)]
    return select(
        per_ask,
        params.answer_sentences,
        named,
        params.answer_diversity,
        titled,
        introduced,
        params.fill_retrieval,
        compared,
        params.opening_goes_on,
        {i: wanted for i, ask in enumerate(understanding.asks) if (wanted := sought_for(ask, result))},
        unfitting_case_studies(result, params.case_fill_margin),
    )


def unfitting_case_studies(result: SearchResult, margin: float) -> frozenset[str]:
    """The case studies that fit the question as wholes more than `margin` below the best fitting one
    (`SearchResult.fitting`): once an answer quotes a case study, their sentences are padding, however close."""
    return frozenset(title for title, _ in result.fitting) - set(result.fitting_within(margin))
