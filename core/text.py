"""Pure text helpers shared by the parsers, the chunker and the evaluation."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_WS = re.compile(r"\s+")


def collapse_ws(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) to one space."""
    return _WS.sub(" ", text).strip()


def readable_size(size: int) -> str:
    """12,345,678 → '11.8 MB'; 2,048 → '2 KB'; 900 → '900 bytes'."""
    if size >= 2**20:
        return f"{size / 2**20:.1f}".removesuffix(".0") + " MB"
    if size >= 2**10:
        return f"{size / 2**10:.0f} KB"
    return f"{size:,} bytes"


# Answering a question compares the same few hundred titles and sentences again and again (a title's comparison form
# was a tenth of the Python an /ask holds the GIL for under load).
@lru_cache(maxsize=16384)
def normalise(text: str) -> str:
    """Comparison form: NFKC, straight quotes and dashes, collapsed whitespace, casefolded."""
    return collapse_ws(unicodedata.normalize("NFKC", text).translate(_QUOTES)).casefold()


@lru_cache(maxsize=16384)
def normalised_words(text: str) -> str:
    """Lower-case words joined by single spaces: 'Five-Council partnership' and 'five council partnership' agree."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def slugify(text: str) -> str:
    """URL-safe id from a title."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def stable_id(source: str, text: str) -> str:
    """Same source and text give the same id across runs."""
    return hashlib.sha1(f"{source}\x00{normalise(text)}".encode()).hexdigest()[:16]


def word_count(text: str) -> int:
    return len(text.split())


_OPEN_END = re.compile(r"[^.!?:;”\"’)]$")
_CONTINUES = re.compile(r"^(–\s*)?[a-z]")


def continues_sentence(previous: str, following: str, text: str) -> bool:
    """Whether `following` finishes the sentence `previous` in `text`, across a line break the PDF put there.

    '…research – undertaken in 2017' + '– found that…' is one sentence; a list item, a bullet or the line
    introducing a list (ending in ':') is not continued.
    """
    return (
        bool(_OPEN_END.search(previous) and _CONTINUES.match(following))
        and not previous.startswith(("–", "-"))
        and len(previous.split()) >= 5
        and f"{collapse_ws(previous)} {collapse_ws(following)}" in collapse_ws(text)
    )


# Titles and abbreviations the segmenter does not know end no sentence ('Cllr. John Fuller', 'St. Edmundsbury').
_ABBREVIATION_END = re.compile(r"(?:^|\s)(?:Cllr|Cllrs|St|Rt|Hon|hon|Prof|Revd|Rev|No|approx|cf|e\.g|i\.e|viz)\.$")
# A footnote number glued to a full stop ends the sentence too ('…with the deal.20 The HCA…').
_FOOTNOTED_END = re.compile(r"(?<=[a-z][.!?])(\d{1,3})\s+(?=[A-Z“‘\"])")
# A web address the PDF broke across lines: 'https://www.local.gov.uk/our-support/ shared-services'.
# The half after the break has no capital and either looks like a path or ends the text (a footnote's address).
_BROKEN_URL = re.compile(r"((?:https?://|www\.)\S*[/\-_=?&])\s+(?=[a-z0-9][a-z0-9\-_]*(?:[/\-_.=?&][a-z0-9]|\.?$))")


def rejoin_urls(text: str) -> str:
    """Mend web addresses a line break split in two (the half after the break has no spaces and no capital)."""
    while True:  # an address broken over three lines needs two passes
        mended = _BROKEN_URL.sub(r"\1", text)
        if mended == text:
            return text
        text = mended


def _segment(block: str) -> list[str]:
    from syntok import segmenter

    sentences: list[str] = []
    for paragraph in segmenter.analyze(block):
        for tokens in paragraph:
            sentence = "".join(token.spacing + token.value for token in tokens).strip()
            if sentences and _ABBREVIATION_END.search(sentences[-1]):
                sentences[-1] = f"{sentences[-1]} {sentence}"
            elif sentence:
                sentences.append(sentence)
    return sentences


# A heading the extraction ran into the long quotation under it ('LEPs are here to stay and their influence is
# growing “We want to ensure …'): the paragraph opens with words and no sentence end, then a quotation of a sentence or
# more. Not when the words lead into the quotation ('… is that “', '… told us “', '… approved “Future Dorset”
# proposals'): they end on a word that takes an object or introduces speech, or the quotation is a name that closes.
_HEADING_BEFORE_QUOTATION = re.compile(r"^(?P<heading>[^.!?:;“”\"]{3,160}?[A-Za-z0-9)’])\s+(?=“[A-Z])")
_LEADS_INTO_QUOTATION = frozenset(
    "a an the and or of to in on at by for from with into as than that is are was were be been its their our his her "
    "this these those us them him me said says say told tells stated states noted notes added adds wrote writes "
    "explained explains concluded concludes commented comments described describes called titled entitled named "
    "approved approves".split()
)
QUOTATION_WORDS = 6  # a quotation this long before it closes (or left open) is a sentence, not a name


def heading_before_quotation(block: str) -> tuple[str, str] | None:
    """(heading, rest) when a paragraph opens with a heading run into a quotation; None otherwise."""
    match = _HEADING_BEFORE_QUOTATION.match(block)
    if match is None:
        return None
    heading, rest = match.group("heading"), block[match.end() :]
    if heading.split()[-1].lower().strip("’") in _LEADS_INTO_QUOTATION:
        return None
    closes = rest.find("”")
    if len((rest[:closes] if closes > 0 else rest).split()) < QUOTATION_WORDS:
        return None
    return heading, rest


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences (syntok, the one rule everywhere); bullets count as sentences of their own.

    Quoted speech of several sentences is split into them; abbreviations stay whole. A sentence is always a
    substring of its passage (answers are checked against the passage they cite), so a web address the PDF
    broke stays broken here; footnotes carry it whole.
    """
    sentences: list[str] = []
    for block in re.split(r"\n+|\s*•\s+", text):
        block = collapse_ws(block)
        glued = heading_before_quotation(block)
        if glued:
            sentences.append(glued[0])
            block = glued[1]
        if block:
            for part in _FOOTNOTED_END.sub(r"\1\n", block).split("\n"):
                sentences.extend(_segment(part))
    return sentences


_CELL_FIGURE = re.compile(r"^[£$€]?[\d.,]+(?:%|[kmb]n?|m)?$", re.I)


def sentence_kind(sentence: str) -> str:
    """'sentence', or 'cell' for a table or infographic cell the extraction ran together
    ('Metropolitan District 27 £47,625,968', 'Breckland & South Holland Cherwell & South Northants').

    A cell has no verb-bearing punctuation of prose: it ends without a full stop and is mostly figures, or is
    a short run of capitalised names with no lower-case word between them.
    """
    text = sentence.strip().lstrip("•▪● ").strip()
    if not text or text.endswith((".", "!", "?", ":", ";", "”", '"', "’", ")")):
        return "sentence"
    words = text.split()
    figures = sum(1 for word in words if _CELL_FIGURE.match(word.strip(",;()")))
    if figures and figures * 3 >= len(words):
        return "cell"
    lower = [w for w in words if w[:1].islower() and w not in {"and", "of", "the", "for", "in", "on", "&", "to"}]
    return "cell" if len(words) >= 4 and not lower else "sentence"


PARAGRAPH_BREAK = "\n\n"  # between a passage's paragraphs: ingest/chunk.py joins them with it


def words_in_order(text: str) -> re.Pattern[str]:
    """`text`'s words in order, any run of whitespace between them: the PDF's line breaks fall anywhere inside a
    sentence, and an answer rejoins the lines of what it quotes."""
    return re.compile(r"\s+".join(re.escape(word) for word in text.split()))


CELL_WORDS = 12  # words at most in a paragraph of a diagram's or table's run of cells
CELL_RUN = 3  # short paragraphs in a row that make a run of cells


def cell_paragraphs(passage_text: str) -> frozenset[str]:
    """The paragraphs of a passage that are a diagram's or a table's cells, whitespace collapsed: three or more short
    unbulleted paragraphs in a row ('Explore ‘the art of the possible’', 'Shared language and narrative', 'Stage at
    which relationships are tested. They either fail or survive.'). A cell that reads as a sentence is still a label."""
    paragraphs = [collapse_ws(p) for p in passage_text.split(PARAGRAPH_BREAK)]
    short = [0 < len(p.split()) <= CELL_WORDS and not p.startswith(("•", "–", "-")) for p in paragraphs]
    cells: set[str] = set()
    start = 0
    while start < len(paragraphs):
        end = start
        while end < len(paragraphs) and short[end]:
            end += 1
        if end - start >= CELL_RUN:
            cells.update(paragraphs[start:end])
        start = max(end, start + 1)
    return frozenset(cells)


MIN_LOWER_WORDS = 2  # a heading or a signature has fewer lower-case words that are not function words
_FUNCTION_WORDS = frozenset("and the for with from into of to in on at by or nor".split())


def balanced_quotes(text: str) -> bool:
    """No quotation opened and left open (or closed and never opened)."""
    return text.count("“") == text.count("”") and text.count('"') % 2 == 0


# A sentence that opens on what the one before it named ('It is the principal mechanism …', 'The exceptions are …',
# 'His focus …'): alone in an answer, nobody knows what it is about. Not an 'it' that stands for what follows ('It is
# important that …', 'It may be difficult to …').
_NOT_LEANING = (
    r"(?!\s+(?:is|was|will be|would be|may be|can be|might be|could be)\s+"
    r"(?:important|clear|essential|key|vital|worth|likely|unlikely|possible|impossible|difficult|hard|necessary|"
    r"crucial|recommended|expected|helpful|useful|right|fair|true|interesting|notable|evident|apparent|easy|too|for)\b)"
)
# A phrase that sets the scene before a sentence's subject ('In 2018/19, it is proposed to account for 70% …', 'Based
# on the latest figures, they range in size …'); not a clause with a subject of its own, which a pronoun after it may
# name ('When councils merge, they …', 'If a council shares staff, it …').
SCENE_SETTING = (
    r"(?!(?:When|Whenever|If|Because|Although|Though|While|Whilst|Once|Where|Since|After|Before|Until|Unless|As|So)\b)"
    r"[A-Z][^.;:?!“”\"]{1,150}?,\s+"
)
_LEANS_BACK = re.compile(
    rf"^(?:(?:It|They|He|She)\b{_NOT_LEANING}|{SCENE_SETTING}(?:it|they|he|she)\b{_NOT_LEANING}"
    r"|(?:Its|Their|His|Her|This|That|These|Those|Such|Both)\b|The (?:exceptions?|latter|former)\b(?!\s+[A-Z])"
    # 'There is also formal county council involvement …': also what, the sentence before says (user trial 45 had an
    # answer open on it).
    r"|There (?:is|are|was|were|will be|has been|have been) also\b"
    # Going on from the sentence before ('And, by increasing uptake …, nearby Chiltern … estimates …'); not 'Also
    # known as …' or 'As a result of the evaluation …', which say their own subject.
    r"|(?:And|But|Also|Subsequently|Therefore|Thus|Hence|Furthermore|Additionally|Consequently|As a result|Indeed|"
    r"Instead|Conversely|Equally|Likewise|Similarly|Nonetheless|Nevertheless|Meanwhile|Otherwise)\b(?!\s+(?:known|of)\b)"
    # 'The Councils estimate …', 'The two councils continue …': which councils, the sentence before says.
    r"|The (?:two |three |four |five |six |seven |partner |constituent )?(?:[Cc]ouncils|authorities|districts)\b"
    r"(?!\s+(?:of|in|across|within|that|which|who)\b)"
    # What is left of a set the sentence before counted ('For the remaining 22 LEPs on average a third …').
    r"|(?:(?:For|Of|Among|In|Across) the|The) (?:remaining|rest|others)\b|(?:For|Of|Among|In|Across) (?:these|those|them)\b)"
)


def leans_back(sentence: str) -> bool:
    """Opens on something the sentence before it named ('It is the principal mechanism …')."""
    return bool(_LEANS_BACK.match(sentence.strip()))


def quotable(sentence: str) -> bool:
    """A whole statement: not a question the toolkit asks its reader, not a fragment or a list item's tail, not a
    heading, a signature or a table header (hardly a lower-case word). The real fix for cells is at ingest.
    The one test of a sentence fit to quote: in an answer, and as a case study's summary."""
    text = sentence.strip()
    if len(text.split()) < 5 or text.endswith("?") or text[0] in "–-;,)%&/:.]" or text[0].islower():
        return False
    lower = [w for w in re.findall(r"\b[a-z][a-z’'-]{2,}", text) if w not in _FUNCTION_WORDS]
    return len(lower) >= MIN_LOWER_WORDS
