"""Questions about the toolkit's case studies as a collection: how many there are, which are in a chapter or about
something, and the page one starts on. The answer is the index's own list of case studies (the contents page's
titles and pages), not sentences quoted from passages: no passage says 'there are 31 case studies'."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from assistant.question import answer_opening, split_related
from core.models import BACK_MATTER, CaseStudy, Passage
from core.page_labels import case_study_page_label
from core.text import normalise

CatalogueKind = Literal["count", "list", "page", "on_page", "full_text", "chapter", "chapters", "sources"]

_CASE_STUDIES = r"case[- ]?stud(?:ies|ys)"
_COUNT = re.compile(rf"\bhow many\b[^?]{{0,40}}\b{_CASE_STUDIES}\b", re.I)
_CHAPTERS = re.compile(r"\bhow many chapters\b|\b(?:list|name|what are) (?:all )?(?:the |its )?chapters\b", re.I)
# 'Which case studies are in the chapter on better lives?', 'list all the case studies'. Plural only: 'which case
# study fits our situation …?' is a look-up, answered from the passages that fit.
_LIST = re.compile(
    rf"\b(?:which|what|list|name|show(?: me)?|give(?: me)?)\b(?: [\w'’-]+){{0,4}} {_CASE_STUDIES}\b|\ball (?:the |of the )?{_CASE_STUDIES}\b"
    r"|\b(?:list|name|show|give)\b[^?]{0,20}\b(?:every|each|all(?: the| of the)?) case[- ]?study\b",
    re.I,
)
# A page asked for on its own, as someone holding the printed toolkit does ('page 116', "what's on page 60?").
_ON_PAGE = re.compile(r"^\W*(?:(?:what(?:'s|’s| is)|show me|go to|open|read)\s+)?(?:on\s+)?page\s+(\d{1,3})\W*$", re.I)
# What a chapter holds ("what's in the chapter on better lives?", 'what is chapter 2 about?', 'what does the
# economies chapter cover?'); not what a chapter says about something ('what does chapter 1 say about defining
# places?' asks for its words).
_CHAPTER_CONTENTS = re.compile(
    r"\bwhat(?:'s|’s|s| is)\s+in\s+[^?]{0,30}\bchapter\b"
    r"|\bwhat(?:'s|’s|s| is)\s+[^?]{0,30}\bchapter\b[^?]{0,25}\babout\s*(?:\?|$|,|and\b)"
    r"|\bchapter\b[^?]{0,40}\b(?:cover|covers|contain|contains|include|includes)\b"
    # Its tools or sections listed ('List the tools in chapter 2.', user trial 34; 'what sections are in chapter 3?').
    r"|\b(?:list|name|show|give|what|which)\b(?: (?:me|all|are|the|its))*\s+(?:tools|sections|headings|topics|contents)"
    r"\s+(?:are\s+)?(?:in|of)\s+(?:the\s+)?[^?]{0,25}\bchapter\b",
    re.I,
)
# The whole of a case study asked for ('can I have the full text of the Publica case study?', 'show me the whole
# case study').
_FULL_TEXT = re.compile(
    r"\b(?:full|whole|complete|entire)\s+(?:text|case[- ]?study|write[- ]?up|thing|story)\b|\bin full\b|\bread (?:the|that|this) (?:whole )?case[- ]?study\b",
    re.I,
)
# Words beyond the request for a full text that describe what it should be about ('… the one about sharing a chief
# executive'); fewer ('can I see the whole case study please?') describe nothing to find one by.
DESCRIBED_WORDS = 6
_PAGE = re.compile(r"\b(?:what|which) page\b|\bpage (?:number|no\.?)\b|\bon (?:what|which) page\b", re.I)
# Where the last answer's words are in the toolkit, asked as the whole message ('where does it say that?', 'what's
# your source?'); 'where does the toolkit say districts should lead?' asks for its words, and is searched.
_SOURCES = re.compile(
    r"^\W*(?:(?:and|so|ok|okay|but|sorry|right)\W+)?(?:"
    r"where (?:does|did|do) (?:it|the toolkit|they|you) (?:say|get|find) (?:that|this|so|it)"
    r"|where(?:'s|’s| is| was) (?:that|this) (?:from|in the toolkit|said)"
    r"|where did (?:you|that|this) (?:get (?:that|this|it) )?(?:come )?from"
    r"|what(?:'s|’s| is| are) (?:the|your) sources?(?: for (?:that|this))?"
    r"|(?:can you |could you )?(?:cite|reference|source) (?:that|this|it)"
    r"|which (?:part|section|page)s? (?:of the toolkit )?(?:says?|said) (?:that|this|so)"
    r")\W*$",
    re.I,
)
# A list of case studies by what they are about ('which case studies deal with health?'), not by chapter.
_ABOUT = re.compile(r"\b(?:about|on|cover|covers|covering|deal with|deals with|show|shows|involve|involving|for)\b", re.I)
# What follows 'which case studies' without naming a topic ('… are there in total?', '… does the toolkit have?'):
# any other word names one ('… use a Teckal company?', '… used one?'), and the list is of those about it.
_NOT_A_TOPIC = frozenset(
    "are is there the toolkit does do it has have in of total altogether all included include includes listed "
    "available a an any its".split()
)
# Words of a chapter's title that do not say which chapter it is.
_CHAPTER_FILLER = frozenset("collaborating collaborate collaboration for and the of with whom why to from a an on in".split())


@dataclass(frozen=True)
class CatalogueQuestion:
    """What a question about the case studies as a collection asks."""

    kind: CatalogueKind
    chapter: str | None = None  # the one chapter it names, for a list or a count
    case_study: str | None = None  # the one case study it names, for a page
    by_topic: bool = False  # a list of those about what the question says, found by retrieval
    page: int | None = None  # the printed page asked for on its own
    # About what the conversation's last answer quoted: its page ('what page is that on?'), or every passage it
    # quoted ('where does it say that?').
    earlier: bool = False


# Front matter is not a numbered chapter: 'chapter 1' of the toolkit is the first after its foreword.
_FRONT_MATTER = re.compile(r"\b(?:foreword|preface|introduction|executive summary|contents)\b", re.I)
_CHAPTER_NUMBER = re.compile(r"\bchapter\s+(\d{1,2})\b", re.I)


def numbered(chapters: Sequence[str]) -> list[str]:
    """The chapters a reader numbers, in reading order: the front matter before the first is not one, nor the back
    cover after the last."""
    body = [chapter for chapter in chapters if chapter != BACK_MATTER]
    return body[1:] if body and _FRONT_MATTER.search(body[0]) else body


def _chapter_named(question: str, chapters: Sequence[str]) -> str | None:
    """The one chapter the question names: by number ('chapter 4') or by its distinctive words ('better lives' →
    'Collaborating for better lives')."""
    number = _CHAPTER_NUMBER.search(question)
    if number:
        counted = numbered(chapters)
        at = int(number.group(1))
        return counted[at - 1] if 1 <= at <= len(counted) else None
    asked = set(normalise(question).split())
    scores = {}
    for chapter in chapters:
        if chapter == BACK_MATTER:  # no chapter: 'which case studies are about loneliness?' names no part of it
            continue
        distinctive = [w for w in normalise(chapter).split() if w not in _CHAPTER_FILLER]
        if distinctive:
            scores[chapter] = sum(w in asked for w in distinctive) / len(distinctive)
    best = max(scores.values(), default=0.0)
    winners = [c for c, s in scores.items() if s == best]
    return winners[0] if best >= 0.5 and len(winners) == 1 else None


def _first_named(text: str, case_studies: Sequence[CaseStudy]) -> list[str]:
    """The title of the case study a text names first, if any."""
    mentioned = {c.title: text.find(c.title) for c in case_studies if c.title in text}
    return sorted(mentioned, key=mentioned.__getitem__)[:1]


def _closest_title(question: str, titles: Sequence[str]) -> str | None:
    """Of the titles a question's names match ('Kent' is in two), the one sharing the most words with it, if one."""
    if len(titles) <= 1:
        return next(iter(titles), None)
    asked = set(normalise(question).split())
    shared = {t: len(asked & set(normalise(t).split())) for t in titles}
    best = max(shared.values())
    winners = [t for t, n in shared.items() if n == best]
    return winners[0] if len(winners) == 1 else None


def asks_for_a_page(question: str) -> bool:
    """'What page is the collaboration curve on?', 'which page covers stakeholder mapping?'."""
    return bool(_PAGE.search(question))


# The page asked for after another ask, in a word or two: 'what prompted that, and what page?'.
_TRAILING_PAGE = re.compile(
    r"^(?P<rest>.*?\w.*?)\W*\b(?:and|&|plus)\s+(?:on\s+)?(?:what|which) page(?:\s+(?:is|was)\s+(?:it|that|this|that one)(?:\s+on)?)?\W*$",
    re.I,
)


_BARE_PAGE = re.compile(r"^\W*(?:and\s+)?(?:on\s+)?(?:what|which) page(?:\s+(?:is|was)\s+(?:it|that|this|that one)(?:\s+on)?)?\W*$", re.I)


def page_and_rest(question: str, asks: Sequence[str]) -> tuple[str | None, str] | None:
    """A question asking for a page and for something else ('which page is the Wycombe one on and how did
    referrals work?'): the page ask and the rest, each to be answered; None unless it is both. A page asked for in
    a word or two after the rest ('what prompted that, and what page?') is the page of the rest's own answer (None)."""
    if len(asks) > 1:
        pages = [a for a in asks if asks_for_a_page(a)]
        rest = [a for a in asks if not asks_for_a_page(a)]
        if not (pages and rest):
            return None
        if all(_BARE_PAGE.match(a) for a in pages) and asks.index(pages[0]) > asks.index(rest[0]):
            # 'Is there a case study of …? Which page?': the page of what the rest finds, not of the last answer.
            return None, " ".join(rest)
        return " ".join(pages), " ".join(rest)
    trailing = _TRAILING_PAGE.match(question.strip())
    return (None, trailing.group("rest").strip() + "?") if trailing else None


def may_be_about_the_collection(question: str) -> bool:
    """Whether the question has the words of one about the case studies or chapters as a collection: a cheap test
    every /ask makes before the names in the question are looked up."""
    return any(
        pattern.search(question)
        for pattern in (_CHAPTERS, _ON_PAGE, _COUNT, _CHAPTER_CONTENTS, _FULL_TEXT, _PAGE, _LIST, _SOURCES)
    )


def catalogue_question(
    question: str,
    case_studies: Sequence[CaseStudy],
    named: Sequence[str] = (),
    earlier_answer: str = "",
    all_chapters: Sequence[str] = (),
) -> CatalogueQuestion | None:
    """The question as one about the case studies as a collection, if it is one.

    `named`: the case studies the question names (typos and all), for 'what page is the Kent pilot on?';
    `earlier_answer`: the conversation's last answer, whose first case study 'what page is that on?' asks about.
    `all_chapters`: every chapter in reading order (front matter first), where not every one has a case study.
    """
    chapters = list(all_chapters) or list(dict.fromkeys(c.chapter for c in case_studies))
    if _CHAPTERS.search(question):
        return CatalogueQuestion("chapters")
    on_page = _ON_PAGE.match(question)
    if on_page:
        return CatalogueQuestion("on_page", page=int(on_page.group(1)))
    if _COUNT.search(question):
        return CatalogueQuestion("count", _chapter_named(question, chapters))
    if _CHAPTER_CONTENTS.search(question) and not _LIST.search(question):
        named_chapter = _chapter_named(question, chapters)
        if named_chapter:
            return CatalogueQuestion("chapter", named_chapter)
    said, related = split_related(earlier_answer)
    if _SOURCES.match(question):
        return CatalogueQuestion("sources", earlier=True) if said else None
    if _FULL_TEXT.search(question):
        # The case study the last answer was about: named in its words, else the first of its related case
        # studies, which lists those it quotes first.
        study = _closest_title(question, named or _first_named(said, case_studies) or _first_named(related, case_studies))
        if study:
            return CatalogueQuestion("full_text", case_study=study)
        # No case study named nor talked about, but a situation described ('we share a management team with our
        # neighbour and want to become one council: show me the whole case study'): the one retrieval finds for it.
        described = len(_FULL_TEXT.sub(" ", question).split()) >= DESCRIBED_WORDS
        return CatalogueQuestion("full_text", by_topic=True) if described else None
    if _PAGE.search(question):
        # The answer's own words, not its closing list of related case studies: 'what page is that on?' after an
        # answer about a tool is not about the first case study it happened to relate. Nor a case study it quoted
        # after its opening quotation: the seven ways to engage with a LEP were sent to a LEP case study's page
        # (user trial 45); the pages of all it quoted are told instead, that one's among them.
        study = _closest_title(question, named or _first_named(answer_opening(said), case_studies))
        if study:
            return CatalogueQuestion("page", case_study=study)
        return CatalogueQuestion("page", earlier=True) if said else None
    match = _LIST.search(question)
    if match:
        chapter = _chapter_named(question, chapters)
        if chapter is None and _CHAPTER_NUMBER.search(question):
            return None  # a chapter number the toolkit does not have: not a list of every case study
        rest = question[match.end() :]
        about = bool(_ABOUT.search(rest)) or any(w not in _NOT_A_TOPIC for w in re.findall(r"[a-z]+", rest.lower()))
        return CatalogueQuestion("list", chapter, by_topic=chapter is None and about and len(rest.split()) >= 2)
    return None


def chapter_sections(passages: Sequence[Passage], chapter: str | None) -> list[str]:
    """A chapter's headings in reading order, as its passages name them: not a case study's own, not one printed in
    other chapters too ('Key questions', 'Lessons learnt'), not a lone word ('Note', 'Planning') unless an acronym."""
    chapters_of: dict[str, set[str]] = {}
    for p in passages:
        if p.enclosing_section:
            chapters_of.setdefault(p.enclosing_section, set()).add(p.chapter)
    return list(
        dict.fromkeys(
            p.section
            for p in passages
            if p.chapter == chapter
            and p.section
            and not p.case_study
            and len(chapters_of[p.section]) == 1
            and (len(p.section.split()) > 1 or re.search(r"[A-Z]{2}", p.section))
        )
    )


def _listed(studies: Sequence[CaseStudy]) -> str:
    return "; ".join(f"{c.title} ({case_study_page_label(c.page)})" if c.page else c.title for c in studies)


def catalogue_text(
    asked: CatalogueQuestion,
    case_studies: Sequence[CaseStudy],
    found: Sequence[CaseStudy] = (),
    quoted: Mapping[str, str] = MappingProxyType({}),
    places: Sequence[str] = (),
    sections: Sequence[str] = (),
    all_chapters: Sequence[str] = (),
) -> str | None:
    """The answer's text, from the index's case studies (in contents order); `found`: those a by-topic list found.
    None when there is nothing to list (a by-topic list that found none is answered from the passages instead).

    `quoted`: for a by-topic list or a page, a cited sentence of each case study's own ('… [1]'), in a paragraph
    of its own under its title, so an officer reads what each is before opening it. `places`: for a page asked on
    its own, where in the toolkit the passages printed on it are ('chapter › section'). `sections`: a chapter's
    sections in reading order, for what a chapter holds.
    """
    by_title = {c.title: c for c in case_studies}
    if asked.kind == "on_page":
        starting = [c for c in case_studies if c.page == asked.page]
        if not starting and not places:
            return None
        parts = [f"Page {asked.page} of the toolkit."]
        if starting:
            names = " and ".join(f"“{c.title}”" for c in starting)
            parts.append(f"The case {'study' if len(starting) == 1 else 'studies'} {names} start{'s' if len(starting) == 1 else ''} there.")
        if places:
            parts.append("Its text is under " + "; ".join(places) + ".")
        return " ".join(parts)
    if asked.kind == "chapters":
        counted = numbered(all_chapters)
        if not counted:
            return None
        before = f", after its “{all_chapters[0]}”" if _FRONT_MATTER.search(all_chapters[0]) else ""
        names = "; ".join(f"{n}. {chapter}" for n, chapter in enumerate(counted, 1))
        return f"The toolkit has {len(counted)} chapters{before}: {names}."
    if asked.kind == "chapter":
        members = [c for c in case_studies if c.chapter == asked.chapter]
        text = f"The chapter “{asked.chapter}”"
        text += f" has these headings, in order: {'; '.join(sections)}." if sections else "."
        if members:
            text += f" Its {len(members)} case studies: {_listed(members)}."
        return text
    if asked.kind == "full_text":
        return None  # the service answers it: it holds the passages
    if asked.earlier:
        return None  # the service answers it: it reads the passage the last answer quoted
    if asked.kind == "page":
        study = by_title.get(asked.case_study or "")
        if study is None:
            return None
        where = case_study_page_label(study.page) if study.page else "has no printed page the index could read"
        text = f"The case study “{study.title}” {where}, in the chapter “{study.chapter}”."
        return text + (f"\n\n{quoted[study.title]}" if study.title in quoted else "")
    chosen = [c for c in case_studies if asked.chapter in (None, c.chapter)]
    if asked.by_topic:
        if not found:
            return None
        items = [_listed([c]) + (f"\n\n{quoted[c.title]}" if c.title in quoted else "") for c in found]
        return "The case studies closest to what you asked, closest first:\n\n" + "\n\n".join(items)
    if asked.chapter:
        return f"The chapter “{asked.chapter}” has {len(chosen)} case studies: {_listed(chosen)}."

    chapters = list(dict.fromkeys(c.chapter for c in case_studies))
    by_chapter = " ".join(
        f"In “{chapter}”: {_listed([c for c in case_studies if c.chapter == chapter])}." for chapter in chapters
    )
    return f"This assistant lists {len(case_studies)} case studies from the toolkit, by chapter. {by_chapter}"
