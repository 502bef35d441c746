"""What a question asks: its asks (a compound question split in its parts), the kind of answer each wants, the
names it mentions and the time it is about. Pure functions over the question text and the toolkit's own words,
shared by answer composition and (later) retrieval."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.what_is import WHAT_IS
from core.lexical import STOP_WORDS, words
from core.text import normalised_words

AnswerType = Literal[
    "amount",
    "count",
    "date",
    "name",
    "place",
    "yes_no",
    "definition",
    "example",
    "reason",
    "how_to",
    "outcome",
    "description",
]

# Words that open a new question inside a sentence ('…, and how did they show it?').
_OPENER = (
    r"(?:what|what's|whats|how|why|who|when|where|which|is|are|does|do|did|can|could|should|would|will|was|were|"
    r"has|have|any|anything)"
)
# A new ask after a comma, ' and ', ' or ', ';' or a dash, when the words that follow open a question.
_JOINT = re.compile(rf"(?:,\s*(?:and|or|but|so)?|\s+(?:and|or|but|so)|;|\s[-–—])\s+(?={_OPENER}\b)", re.I)
_LEADING_JOINT = re.compile(r"^[\s,;–—-]*(?:(?:and|or|but|so)\b)?", re.I)
_SENTENCE_END = re.compile(r"(?<=[?!.])\s+(?=\S)")
# 'When a new road pushes up land prices, can …?', 'Where two councils share staff, …': a clause that sets the
# scene for the ask after it, though it opens with a question word.
_SCENE = re.compile(
    r"^\W*(?:when|where|while|whilst|once|whenever|wherever)\b(?!['’]s\b|\s+(?:did|was|were|will|is|are|does|do|has|have|"
    r"had|would|should|could|can|might|may)\b)",
    re.I,
)
# The scene an ask opens with, up to its comma ('If we merged, could we keep our name?' asks yes or no).
_SCENE_SET = re.compile(rf"^(?:{_SCENE.pattern}|^\W*if\b)[^,?]*,\s*(?=\S)", re.I)
MIN_ASK_WORDS = 2  # content words an ask needs to be searched alone

# 'Is there a way to …', 'are there any tools for …': a means asked, not an example of someone who did it.
_A_WAY = r"(?:(?:simple|easy|good|quick|practical|better|proper)\s+)?(?:ways?|tools?|methods?|models?|frameworks?|approach(?:es)?|process(?:es)?|guides?|templates?|checklists?)\b"

# A precedent asked for by likeness to what the user told ('anything in the toolkit like that?', 'anyone done something
# similar?'): an example, as 'has anyone done this?' is.
LIKE_OURS = r"(?:anything|anyone|anybody|any(?:where| council| district)?)\b[^.?!]{0,25}?\blike (?:that|this|it|ours|us)|(?:something|anything|anyone|anybody) similar"

# In order: the first kind a question matches is the answer it wants.
_WANTS: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (
        "reason",
        re.compile(
            r"\bhow much (?:does|do|did|would|will) .{0,40}\bmatter\b|\bwhy\b|"
            r"\bwhat(?:'s| is)? in it for\b|\bwhat(?:'s| is) the point\b|\bdifference does\b|"
            # A motive weighed, not a sum asked ('was it mostly about savings?', 'was it driven by cost?').
            r"\b(?:(?:mostly|mainly|largely|purely|just|only|all|really) (?:about|for|to do with)|driven by|motivated by)"
            r" (?:the )?(?:saving|savings|money|costs?|cash)\b|"
            # Whether it pays, not a sum ('is it worth sharing a chief exec?', 'was it worth it?').
            r"(?<!\bwhat )\b(?:is|was|were|are) (?:it|this|that|they) (?:\w+ly |really |even |still )?worth\b(?!\s*£)|\bworth it\b",
            re.I,
        ),
    ),
    ("amount", re.compile(r"\bhow much\b|\b(?:save|saved|saving|savings|cost|costs|spend|spent|worth|£)\b", re.I)),
    ("count", re.compile(r"\bhow many\b|\bnumber of\b|\bhow big\b|\bhow large\b|\bpopulation\b", re.I)),
    (
        "date",
        re.compile(
            # Not 'When a new road pushes up land prices, can …?': a scene set, not a date asked.
            r"^\W*when\W*$|^\W*when['’]s\b|\bwhen (?:did|was|were|will|is|are|does|do|has|have|had|would|should|could|can)\b|"
            r",? and when\b|\bwhat (?:year|date)\b|"
            r"\bwhich year\b|\bhow long ago\b",
            re.I,
        ),
    ),
    (
        "outcome",
        re.compile(
            # Not an assessment's name ('can we make developers do a health impact assessment?').
            r"\b(?:achieve|achieved|result|results|outcome|outcomes|impact(?!s?\s+ass?ess?\w*)|came of|paid off|"
            # 'has that worked anywhere?' asks for an example, not how one turned out.
            r"pay off|work out|worked(?! (?:anywhere|elsewhere|for (?:any|other)))|difference|benefits?|happened)\b",
            re.I,
        ),
    ),
    (
        "example",
        re.compile(
            rf"\b(?:examples?|case stud\w*|has any(?:one| \w+)?|have any|is there an?y?(?!\s+{_A_WAY})|"
            rf"are there any(?!\s+{_A_WAY})|"
            r"anyone|any (?:council|district|borough|city|county)|done (?:this|that|it)|tried|"
            r"anywhere|somewhere|precedents?|done something|been done|worked for|seen (?:this|that|it|anything)|"
            r"other (?:districts|councils|areas|authorities|places|countries)|another country|(?:any|some) (?:others|more)|"
            rf"who else|{LIKE_OURS}|"
            r"(?:have|did|do) (?:other )?(?:districts|councils|authorities) (?:done|managed|handled|made|got|dealt))\b",
            re.I,
        ),
    ),
    ("name", re.compile(r"^\W*(?:which|who|whose)\b|\bwhat(?:'s| is) the name\b|\bcalled\b|\bname of\b", re.I)),
    ("place", re.compile(r"^\W*where\b", re.I)),
    # A short 'what is X', however casually put (`WHAT_IS`), 'what does X mean', 'define X'.
    ("definition", re.compile(rf"{WHAT_IS.pattern}|^\W*(?:what does .{{2,40}} mean\b|define\b|meaning of\b)", re.I)),
    (
        "how_to",
        re.compile(
            rf"^\W*(?:so |ok |right |and )?how\b|\bhow (?:do|can|should|would|could|does|did|to)\b|"
            rf"\b(?:is|are) there (?:an?y?|some)\s+{_A_WAY}",
            re.I,
        ),
    ),
    ("yes_no", re.compile(r"^\W*(?:is|are|does|do|did|can|could|should|has|have|was|were|will|would)\b", re.I)),
)

# Said of times after the toolkit was written ('this year', 'since then', 'now').
_RELATIVE_TIME = re.compile(
    r"\b(this year|next year|last year|these days|nowadays|now|currently|at the moment|since then|since|"
    r"in the end|recently|latest|still)\b",
    re.I,
)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


@dataclass(frozen=True)
class Ask:
    """One thing a question asks, and the kind of answer it wants."""

    text: str
    wants: AnswerType
    leans_on: str = ""  # the ask before, for a short one that refers back ('… and what did they save?')

    @property
    def query(self) -> str:
        """What to search for this ask."""
        return f"{self.leans_on} {self.text}".strip()


@dataclass(frozen=True)
class TimeRef:
    """The time a question is about: years it names and words such as 'this year' or 'since'."""

    years: tuple[int, ...] = ()
    relative: tuple[str, ...] = ()


@dataclass(frozen=True)
class Understanding:
    """A question understood: its asks (main ask first), the names it mentions, the time it is about."""

    question: str
    asks: tuple[Ask, ...]
    entities: tuple[str, ...]
    time: TimeRef

    @property
    def main(self) -> Ask:
        return self.asks[0]

    @property
    def compound(self) -> bool:
        return len(self.asks) > 1


# Words of asking, which say nothing about what an ask is about.
_ASKING = STOP_WORDS | frozenset(
    "what what's how why who when where which does did do were can could should would has have had any anyone "
    "anything been our your you we i me my us them they their its those there here just really actually".split()
)


def _content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in _ASKING and len(w) > 2]


# A topic named and then asked about ('the lakes and dales arts thing - what was that'): an ask, not a lead-in.
_ASKED_AFTER_TOPIC = re.compile(rf"\s[-–—:]\s*{_OPENER}\b", re.I)


def _offers_alternative(piece: str) -> bool:
    """Joined by 'or' ('or is that a myth?', 'or was it all back office?'): the ask before it, put another way."""
    return bool(re.match(r"^\W*or\b", piece, re.I))


def _leans(text: str) -> bool:
    """Too few words of its own to be searched alone ('what did they save?', 'has anyone done it')."""
    return len(_content_words(text)) < MIN_ASK_WORDS


def _opens_an_ask(text: str) -> bool:
    """It opens with a question word, or names a topic and then asks of it ('the joint venture - what is it')."""
    return bool(re.match(rf"^\W*{_OPENER}\b", text, re.I) or _ASKED_AFTER_TOPIC.search(text))


def _is_question(text: str) -> bool:
    return text.rstrip().endswith("?") or _opens_an_ask(text)


# Question words as they are mistyped ('wat is a boundary spanner and do we need one?'): read as what they mean, or a
# compound question stays one ask, and 'wat is X' is no definition asked.
_QUESTION_WORD_SLIPS = {
    "wat": "what", "wot": "what", "wht": "what", "waht": "what", "whta": "what", "hw": "how", "hwo": "how",
    "wich": "which", "whcih": "which", "wen": "when", "wher": "where", "whre": "where",
}  # fmt: skip
_SLIPPED = re.compile(rf"\b({'|'.join(_QUESTION_WORD_SLIPS)})\b", re.I)


def question_words_spelled(text: str) -> str:
    """The text with its mistyped question words written out ('wat is' → 'what is'), keeping a capital."""

    def spelled(match: re.Match[str]) -> str:
        word = _QUESTION_WORD_SLIPS[match.group(1).lower()]
        return word.capitalize() if match.group(1)[0].isupper() else word

    return _SLIPPED.sub(spelled, text)


# A subject named before the ask about it, with no verb of its own ('what about the Somerset one - why did they go for
# it?', 'and what about Publica, how did they fund it?'): it says what the ask is about, and asks nothing itself.
_ASKING_VERB = r"\b(?:is|are|was|were|did|does|do|has|have|had|can|could|should|would|will|get|got|make|made)\b"
_TOPIC_ONLY = re.compile(rf"^\W*(?:(?:and|so|ok|okay|right)\W+)*(?:what|how) about\b(?![^?]*{_ASKING_VERB})", re.I)


def asks_of_its_own(text: str) -> bool:
    """Whether words after 'what about' ask something of their own ('Publica - did it work?'), not only name a
    topic ('the Five-Council partnership')."""
    return bool(re.search(_ASKING_VERB, text, re.I))


def split_asks(question: str) -> list[str]:
    """The parts of a compound question, in order; statements of context go with the ask they precede.

    'What is X, and how do we Y?' → ['What is X', 'how do we Y?']; 'We merged. Did it save?' → one ask.
    """
    question = question_words_spelled(question)
    pieces: list[str] = []
    context: list[str] = []
    for sentence in _SENTENCE_END.split(question.strip()):
        if not _is_question(sentence):
            context.append(sentence)  # 'Our devolution bid went nowhere.' sets the scene for the ask after it
            continue
        cuts = [0, *(m.start() for m in _JOINT.finditer(sentence)), len(sentence)]
        spans: list[tuple[int, int]] = []
        for start, end in zip(cuts, cuts[1:]):
            piece = sentence[start:end]
            # Judged without its joining word: ' and who owns it?' wants a name, as 'who owns it?' does.
            if spans and _leans(piece) and _offers_alternative(piece) and answer_type(_LEADING_JOINT.sub("", piece)) in ("yes_no", "description"):
                spans[-1] = (spans[-1][0], end)  # asks nothing of its own: 'or is that a myth?'
            else:
                spans.append((start, end))
        for number, (start, end) in enumerate(spans):
            part = _LEADING_JOINT.sub("", sentence[start:end]).strip(" ,;-–—")
            leads_in = not _opens_an_ask(part) or bool(_SCENE.match(part) or _TOPIC_ONLY.match(part))
            if part and number < len(spans) - 1 and leads_in:
                context.append(f"{part},")  # 'Different subject - what is X?', 'If we merged, what would …': a lead-in
                continue
            if part:
                pieces.append(" ".join([*context, part]) if context else part)
                context = []
    if context:  # no question mark anywhere: the whole text is the ask
        pieces = [*pieces[:-1], " ".join([pieces[-1], *context])] if pieces else [" ".join(context)]
    return pieces or [question.strip()]


def corrected(text: str, corrections: Mapping[str, str]) -> str:
    """The text with the speller's corrections of its words (keyed by the word as typed)."""
    if not corrections:
        return text
    return re.sub(r"[A-Za-z][A-Za-z'’]*", lambda m: corrections.get(m.group(0), m.group(0)), text)


_ASKING_WORD = re.compile(r"\b(?:what|what's|whats|how|why|who|when|where|which)\b", re.I)


def asked_clause(ask: str) -> str:
    """The words of an ask that ask it, without the scene set before them: the sentences that tell ('We share a chief
    exec. Is there an example …?'), a clause setting the scene ('If we merged, could we …?') and one telling the
    user's own situation before the question it leads to ('we're looking at a company owned by several councils,
    what's Publica?', user trial 43, was asked no definition)."""
    ask = question_words_spelled(ask)
    own = [s for s in _SENTENCE_END.split(ask.strip()) if _is_question(s)] or [ask]
    text = _SCENE_SET.sub("", " ".join(own), count=1)
    if not _opens_an_ask(text):
        # Only past a clause that asks nothing itself: 'Roughly how many municipalities …, what replaced …?' asks a count.
        cut = next((m for m in _JOINT.finditer(text) if _opens_an_ask(text[m.end() :])), None)
        if cut and not _ASKING_WORD.search(text[: cut.start()]):
            return text[cut.end() :]
    return text


def answer_type(ask: str) -> AnswerType:
    """The kind of answer an ask wants ('how much did they save?' → amount; 'why should we?' → reason)."""
    text = asked_clause(ask)
    for kind, pattern in _WANTS:
        if pattern.search(text):
            return kind
    return "description"


def named_entities(question: str, proper: Collection[str], titles: Sequence[str] = ()) -> tuple[str, ...]:
    """Names the question mentions that the toolkit uses as names (councils, places, programmes, case studies).

    `proper` holds the words the toolkit nearly always capitalises; runs of them are one name ('suffolk coastal').
    """
    # A possessive names its owner ('Wycombe's scheme' names Wycombe; user trial 45's 'what did Wycombe's healthy homes
    # on prescription scheme cost?' named nothing and was answered with the scheme's savings as its cost).
    tokens = [re.sub(r"['’]s$", "", token) for token in re.findall(r"[A-Za-z][A-Za-z'’-]*", question)]
    names: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if token and token.lower() in proper:
            run.append(token)
            continue
        if run:
            names.append(" ".join(run))
        run = []
    # However the title is punctuated ('the five council partnership' names the Five-Council partnership), and by its
    # name alone, without the council or the theme its title adds after a bracket, a colon or a dash ('healthy homes
    # on prescription' names 'Healthy Homes on Prescription (Wycombe District Council)').
    words_of_question = f" {normalised_words(question)} "
    names += [title for title in titles if any(f" {normalised_words(form)} " in words_of_question for form in title_forms(title))]
    return tuple(dict.fromkeys(names))


def title_forms(title: str) -> tuple[str, ...]:
    """A case study's title, and its name before a bracket, a colon or a dash when that name has two words or more."""
    name = re.split(r"\s*(?:[(:]|\s[–-]\s)", title, maxsplit=1)[0]
    return (title, name) if name != title and len(name.split()) >= 2 else (title,)


def time_of(question: str) -> TimeRef:
    """The years a question names and its words for 'after the toolkit' ('this year', 'since')."""
    years = tuple(int(y) for y in _YEAR.findall(question))
    relative = tuple(m.group(1).lower() for m in _RELATIVE_TIME.finditer(question))
    return TimeRef(years, relative)


def understand(question: str, proper: Collection[str] = (), titles: Sequence[str] = ()) -> Understanding:
    """A question's asks, the answer each wants, the names it mentions and its time."""
    texts = split_asks(question)
    asks = tuple(
        Ask(text, answer_type(text), texts[i - 1] if i and _leans(text) else "") for i, text in enumerate(texts)
    )
    return Understanding(question, asks, named_entities(question, proper, titles), time_of(question))
