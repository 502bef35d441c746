"""Which heading-like blocks of a PDF-extracted document open a section, and the section each names.

The extraction makes a 'heading' of any short unpunctuated block. Many of them name no section the document
prints: table rows and headers, infographic cells, column heads run together on one line, and the names
under quotations and signatures. These rules tell them apart from the document's own text and layout alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.lexical import STOP_WORDS
from core.text import collapse_ws, normalise
from ingest.blocks import BULLET


def clean_title(text: str) -> str:
    """A label's title without its trailing footnote number ('…Assessments42' → '…Assessments')."""
    return collapse_ws(re.sub(r"(?<=[A-Za-z)’'])\d{1,3}\s*$", "", collapse_ws(text))).rstrip(" .")


def clean_heading(text: str) -> str:
    """A heading without footnote markers glued to its words ('Five-council partnership63' → '…partnership')."""
    return collapse_ws(re.sub(r"(?<=[a-z)])\d{1,3}\b", "", text))


def line_key(text: str) -> str:
    return normalise(clean_title(text))


def _glued_parts(words: list[str], printed_alone: frozenset[str]) -> bool:
    """Whether the words are two or more lines the document prints on their own, run together."""
    for cut in range(1, len(words)):
        head = line_key(" ".join(words[:cut]))
        if head in printed_alone:
            tail = words[cut:]
            if line_key(" ".join(tail)) in printed_alone or _glued_parts(tail, printed_alone):
                return True
    return False


def _column_heads_run_together(words: list[str]) -> bool:
    """Three or more column heads on one line: names of one kind, one word opening or closing each ('Stage 1:
    Mobilise Stage 2: Change', 'Heart of the South West LEP Worcestershire LEP'), or a capital twice where a
    phrase ends on a word of its own rather than leading into a name ('Transactional partnership Coalition of
    the willing Whole-system…'; 'the Local Government Association' leads into one)."""
    first, last = words[0], words[-1]
    opens = first[:1].isupper() and first.lower() not in STOP_WORDS and words.count(first) >= 2
    ends = [k for k, word in enumerate(words[:-1]) if word == last and words[k + 1][:1].isupper()]
    closes = last[:1].isupper() and last.lower() not in STOP_WORDS and bool(ends)
    restarts = sum(
        1
        for before, after in zip(words, words[1:])
        if before[:1].islower() and before.lower() not in STOP_WORDS and before[-1].isalpha() and after[:1].isupper()
    )
    return opens or closes or restarts >= 2


_FIGURE = re.compile(r"^[£$€]?\d[\d.,]*(?:%|[kmb]n?)?$", re.I)


def is_table_row(text: str) -> bool:
    """A row of a table: figures make a third of its words ('Shire County 79 £76,036,004', 'March 2021')."""
    words = text.split()
    return sum(1 for word in words if _FIGURE.match(word)) * 3 >= len(words)


def heads_a_table(following: str) -> bool:
    """Whether a heading-like block is a table's header or a row's name: the block after it (footnotes aside) is
    a row of figures ('Authority type Partnerships Savings' / 'Shire County 79 £76,036,004')."""
    return sum(1 for word in following.split() if _FIGURE.match(word)) >= 2 and is_table_row(following)


# A second heading's first word after a lower-case word: 'Turf – typical barriers How can these be overcome?'.
_SECOND_HEAD = re.compile(r"(?<=[a-z,]) (How|What|Why|Where|When|Who|Which|The|A|An) (?=\S)|^ (How|What|Why|Where|When|Who|Which|The|A|An) ")


# A box listing what a chapter holds ends on a label pointing at it ('Tools and resources in this section'), extracted
# as a heading over the chapter's opening text, which then read as a section of that name in every citation. A
# question-like heading ('How to use the tools in this section') is a box of text in its own right.
_CONTENTS_LABEL = re.compile(r"^(?!(?:how|what|why|where|when|who|which)\b)[^.?!:]+\bin this (?:section|chapter)$", re.I)


def section_heading(lines: list[str], printed_alone: frozenset[str], current: str | None) -> str | None:
    """The section a heading-like block (its printed lines) opens: itself, when it is a heading the toolkit prints.

    A table row the extraction made look like a heading ('Metropolitan District 27 £47,625,968') or a
    source line opens nothing: the current section goes on. Of two headings printed one under the other
    ('Creating the infrastructure for collaboration' / 'The Collaboration Curve') the lower one is the
    section. Column heads run together on one line name no merged section: two names each printed alone
    elsewhere ('Breckland & South Holland Cherwell & South Northants'), or names of one kind sharing a word
    ('Heart of the South West LEP Worcestershire LEP'), name none, so what follows has no section; a row's
    head and its question ('Turf – typical barriers How can these be overcome?') give the first. A contents box's
    closing label ('Tools and resources in this section') names none either.
    """
    lines = [clean_heading(line) for line in lines if line.strip()]
    heading = clean_heading(" ".join(lines))
    if is_table_row(heading) or heading.lower().startswith("source:"):
        return current
    if _CONTENTS_LABEL.match(heading):
        return None  # what follows is the chapter's own text, under no section
    if len(lines) >= 2 and line_key(lines[-1]) in printed_alone and (
        _SECOND_HEAD.match(" " + lines[-1]) or _glued_parts(" ".join(lines[:-1]).split(), printed_alone)
        or line_key(" ".join(lines[:-1])) in printed_alone
    ):
        return lines[-1]
    # Words glued where the extraction dropped a line break ('Brexit Planning FrameworkPlanning for…') are two
    # headings too.
    glued = re.sub(r"(?<=[a-z]{3})(?=[A-Z][a-z])", " ", heading)
    words = glued.split()
    if len(words) >= 3 and (glued != heading or _glued_parts(words, printed_alone)):
        return None
    if len(words) >= 3 and _column_heads_run_together(words):
        return current  # a table's or a figure's heads: the text around it stays in its section
    second = _SECOND_HEAD.search(heading)
    # 'Turf – typical barriers How can these be overcome?': the first column's head names the row.
    return heading[: second.start()] if second and len(words) >= 3 else heading


# A box of questions for the reader to put to themselves ends on its label, which the extraction prints after the
# questions: 'Key questions', 'Key questions – is a merger appropriate for your local partnership?'.
_QUESTIONS_BOX_LABEL = re.compile(r"^Key questions\b", re.I)


def asks_the_reader(text: str) -> bool:
    """A bulleted question: '• Do your partners share the same expectations and ambitions for the partnership?'."""
    return bool(BULLET.match(text)) and text.rstrip().endswith("?")


def labels_box_above(heading: str, before: str, after: str) -> bool:
    """Whether a heading-like block is the label of the box of questions printed above it (`before`, the paragraph
    just above) rather than a section over what follows (`after`, the next block): the questions were cited under
    the section before the box, and the text after the label, which the box does not hold, as 'Key questions'. A
    label the questions follow ('Some questions to consider include: / Key questions / • Is there agreement …?')
    heads them as any section does."""
    return bool(_QUESTIONS_BOX_LABEL.match(heading)) and asks_the_reader(before) and not asks_the_reader(after)


# A quotation's close, with any footnote number after it: '…much more impactful.”', '…public health grant.”8'.
CLOSES_QUOTE = re.compile(r"[”\"]\s*\d{0,3}\s*$")
_TITLED_NAME = re.compile(r"^(?:Cllr|Rt\.? Hon|Sir|Dame|Lord|Baroness|Dr|Prof|Professor|Mr|Mrs|Ms)\.?\s+[A-Z][a-z]")
_JOB_TITLE = re.compile(r"^(?:Head|Director|Leader|Chair|Chairman|Chairwoman|Minister|Secretary) of\b|^Chief Executive\b")
# Who a speaker is: a role or a body. A heading under a quotation without one ('Benefits to the district') is a
# heading that happens to follow a paragraph ending in a quotation.
_SPEAKER = re.compile(
    r"\b(?:interviewee|officer|councillor|cllr|leader|member|executive|chair|chairman|chairwoman|director|head|"
    r"manager|minister|mayor|mp|secretary|fund|confederation|association|network|institute|council|dc|llp)\b",
    re.I,
)


def _proper_name(text: str) -> bool:
    """Two to six words, each capitalised but for the small words between ('Transport for London'): a body's name,
    where the toolkit's headings are written in sentence case ('Land value capture')."""
    words = text.rstrip(" .").split()
    return 2 <= len(words) <= 6 and all(w[:1].isupper() for w in words if w.lower() not in STOP_WORDS)


def speakers_and_signatories(kinds: Sequence[str], texts: Sequence[str]) -> set[int]:
    """The heading-like blocks that say who said or signed the words above them: never a section.

    A block right under a closing quotation mark that names a role or a body is its speaker ('District
    interviewee', 'King’s Fund');
    a name with a title ('Cllr. John Fuller') or a job title ('Head of Local Government / Grant Thornton UK
    LLP') signs a foreword, and so does the short name printed just above that job title ('Paul Dossett').
    """
    found: set[int] = set()
    for i, (kind, text) in enumerate(zip(kinds, texts, strict=True)):
        if kind != "heading":
            continue
        after_quote = i > 0 and kinds[i - 1] == "text" and bool(CLOSES_QUOTE.search(texts[i - 1]))
        after_quote = after_quote and (bool(_SPEAKER.search(text)) or _proper_name(text))
        job = bool(_JOB_TITLE.match(text))
        if after_quote or job or _TITLED_NAME.match(text):
            found.add(i)
        if job and i > 0 and kinds[i - 1] == "heading" and len(texts[i - 1].split()) <= 4:
            found.add(i - 1)
    return found
