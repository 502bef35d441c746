"""Paragraph blocks of one page: joining broken lines and bullets, spotting headings, labels and footnotes."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.pages import Line

FOOTNOTE = re.compile(r"^\s*(?P<n>\d{1,3})\s?\.\s+(?P<body>(?:https?://|www\.|[A-Z‘“]).*)$")
LABEL = re.compile(r"^\s*case study:\s*$", re.IGNORECASE)
BULLET = re.compile(r"^\s*[•▪●]\s*")
_TERMINAL = (".", "!", "?", ":", ";", "”", '"', "’", ")")


@dataclass(frozen=True)
class Block:
    """A paragraph as found on the page, before it is attributed."""

    lines: tuple[Line, ...]
    kind: str  # text | heading | label | footnote
    page_index: int
    # Lines at the top that are a heading printed straight above the paragraph: kept in its text, on a line of their
    # own, so no sentence opens with them (a wrapped heading; one on a single line opens a section instead).
    heading_lines: int = 0

    @property
    def start(self) -> int:
        return self.lines[0].start + (len(self.lines[0].text) - len(self.lines[0].text.lstrip()))

    @property
    def end(self) -> int:
        return self.lines[-1].start + len(self.lines[-1].text.rstrip())

    def heading(self) -> str | None:
        """The heading printed at the paragraph's top, if any: after a question heading, the theme under it."""
        if not self.heading_lines:
            return None
        heading = " ".join(" ".join(line.text.split()) for line in self.lines[: self.heading_lines])
        return heading.rsplit("? ", 1)[-1]

    def text(self, vocabulary: frozenset[str] = frozenset()) -> str:
        raw = [line.text for line in self.lines]
        if self.heading_lines:
            cut = self.heading_lines
            return join_lines(raw[:cut], vocabulary) + "\n" + join_lines(raw[cut:], vocabulary)
        return join_lines(raw, vocabulary)


def join_lines(raw_lines: list[str], vocabulary: frozenset[str] = frozenset()) -> str:
    """Join a paragraph's lines; bullets keep their own line; hyphenated breaks are mended."""
    out = ""
    for raw in raw_lines:
        text = " ".join(raw.split())
        if not text:
            continue
        if not out:
            out = text
        elif BULLET.match(text) or text.startswith("– "):
            out += "\n" + text
        elif out.endswith("-") and re.search(r"[A-Za-z]-$", out) and text[:1].islower():
            head = re.search(r"([A-Za-z]+)-$", out)
            tail = re.match(r"[A-Za-z]+", text)
            joined = (head.group(1) + tail.group(0)).lower() if head and tail else ""
            # Keep the hyphen of compounds (place-based); drop it only where the corpus spells the word whole.
            out = out[:-1] + text if joined in vocabulary else out + text
        else:
            out += " " + text
    return out


def raw_blocks(lines: list[Line], page_index: int) -> list[Block]:
    """Group a page's lines into blocks at blank lines, bullets, labels and footnotes."""
    blocks: list[list[Line]] = []
    kinds: list[str] = []
    in_footnote = False
    for line in lines:
        if line.blank:
            in_footnote = False
            if blocks and blocks[-1]:
                blocks.append([])
                kinds.append("text")
            continue
        if not blocks:
            blocks.append([])
            kinds.append("text")
        starts_new = False
        kind = "text"
        if LABEL.match(line.text):
            starts_new, kind = True, "label"
        elif FOOTNOTE.match(line.text):
            starts_new, kind, in_footnote = True, "footnote", True
        elif BULLET.match(line.text):
            starts_new = not in_footnote
        elif in_footnote:
            kind = "footnote"
        if starts_new and blocks[-1]:
            blocks.append([])
            kinds.append(kind)
        elif not blocks[-1]:
            kinds[-1] = kind
        blocks[-1].append(line)
        if kind == "label":
            blocks.append([])
            kinds.append("text")
    return [Block(tuple(b), k, page_index) for b, k in zip(blocks, kinds) if b]


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(_TERMINAL)


def _starts_continuation(text: str) -> bool:
    stripped = text.lstrip()
    return bool(stripped) and (stripped[0].islower() or stripped.startswith("– "))


# Words no sentence or heading ends on: a block ending on one goes on in the next ('…taking the' / 'LGPS into account').
_DANGLING = frozenset("a an the of to and or for with into in on by from as at".split())


def _dangles(text: str) -> bool:
    words = text.split()
    return bool(words) and words[-1] in _DANGLING


def _unfinished_list(text: str) -> bool:
    """'DFG, Home': a list with a comma and no 'and' yet goes on in the next line ('Adaptations teams, and…')."""
    return "," in text and not re.search(r"\b(?:and|or)\b|&", text)


def _is_reference_tail(block: Block) -> bool:
    """The wrapped end of a footnote's address ('council-contribution-to-public-health-nov15.pdf')."""
    first = block.lines[0].text.strip()
    return len(block.lines) <= 2 and " " not in first and bool(re.search(r"[/.%_]|-\w+-", first))


def merge_continuations(blocks: list[Block]) -> list[Block]:
    """Rejoin text the extraction split with a blank line (a bullet's tail, a sentence's end)."""
    merged: list[Block] = []
    for block in blocks:
        previous = merged[-1] if merged else None
        if previous is not None and previous.kind == "footnote" and block.kind == "text" and _is_reference_tail(block):
            merged[-1] = replace(previous, lines=previous.lines + block.lines)
        elif (
            previous is not None
            and previous.kind == "text"
            and block.kind == "text"
            and (_starts_continuation(block.lines[0].text) or _dangles(previous.lines[-1].text))
            and not _ends_sentence(previous.lines[-1].text)
        ):
            merged[-1] = replace(previous, lines=previous.lines + block.lines)
        else:
            merged.append(block)
    return merged


def _alpha_words(text: str) -> int:
    return len(re.findall(r"[A-Za-z]{2,}", text))


def _quotes_its_own_term(text: str) -> bool:
    """Whether a line ending on a closing quotation mark opened that quotation itself ('The MHCLG “evidential
    tests”'), rather than ending one begun above it. Single marks are left alone: ’ is an apostrophe too, and the
    toolkit's ‘…’ lines are mostly a diagram's cells ('Explore ‘the art of the possible’')."""
    return text.count("“") == text.count("”")


def is_heading_text(text: str, max_words: int = 10) -> bool:
    """A short, unpunctuated line that names what follows."""
    words = text.split()
    if not words or len(words) > max_words or _alpha_words(text) < 1:
        return False
    if text[0].islower() or BULLET.match(text) or text[0] in "“\"‘'(–-" or text[0].isdigit():
        return False
    if text.rstrip().endswith((".", ",", ";", ":", '"', "’")):
        return False
    if text.rstrip().endswith("”") and not _quotes_its_own_term(text):
        return False  # the end of a quotation
    return _alpha_words(text) >= len(words) / 2


WRAPPED_HEADING_TAIL = 4  # words at most on the second line of a heading the page wrapped ('…make sure it’s' / 'worth it')


def split_glued_heading(block: Block) -> list[Block]:
    """'Understanding place' printed directly above its paragraph with no blank line between, on one line or
    wrapped onto a short second one ('Shared strategic roles with localised' / 'operational delivery')."""
    if block.kind != "text" or len(block.lines) < 2:
        return [block]
    first, second = block.lines[0].text.strip(), block.lines[1].text.strip()
    if (
        len(first.split()) <= 8
        and len(first) <= 60
        and is_heading_text(first)
        and not _dangles(first)
        and not _unfinished_list(first)
        and second[:1].isupper()
        and len(first) < 0.6 * len(second)
    ):
        return [replace(block, lines=block.lines[:1], kind="heading"), replace(block, lines=block.lines[1:])]
    if len(block.lines) >= 3 and _wrapped_heading(first, second, block.lines[2].text.strip()):
        # Kept with its paragraph (a section of its own would move the chunks around it), on a line of its own.
        return [replace(block, heading_lines=2)]
    stacked = _stacked_heading_lines([line.text.strip() for line in block.lines])
    return [replace(block, heading_lines=stacked)] if stacked else [block]


SHORT_OF_BODY = 0.6  # a heading's line is at most this share of the body line under it
MAX_STACKED = 4


def _stacked_heading_lines(lines: list[str]) -> int:
    """How many short lines at a paragraph's top are a heading set in a narrow column above it ('Delivering
    devolution and' / 'public sector reform'): each line well short of the full-width line under it, together a
    heading, none ending a sentence unless with a question mark (a question heading above its theme's: 'What is the
    right approach … ambitions?' / 'Collaborating for better lives'). Such a heading may break after 'and' or
    'from', which `_wrapped_heading` takes for a sentence running on; the width of the line under it tells them
    apart. 0 when there is none."""
    for count in range(min(MAX_STACKED, len(lines) - 2), 0, -1):
        heading, body = lines[:count], lines[count]
        text = " ".join(heading)
        if (
            len(body) >= 45
            and body[:1].isupper()
            and not BULLET.match(body)
            and all(len(line) <= SHORT_OF_BODY * len(body) for line in heading)
            and not any(_ends_sentence(line) and not line.endswith("?") for line in heading)
            and is_heading_text(text, max_words=16)
            and not _dangles(text)
            and not _unfinished_list(text)
        ):
            return count
    return 0


def _wrapped_heading(first: str, second: str, third: str) -> bool:
    """Two lines that are one heading: neither ends a sentence or dangles, the second is a short tail, and the
    paragraph under it opens with a capital. A sentence broken before a name ('…with' / 'South Norfolk' /
    'Council') dangles on its first line or ends its second on the name; one that ends there ends with a full
    stop."""
    heading = f"{first} {second}"
    return (
        len(second.split()) <= WRAPPED_HEADING_TAIL
        and is_heading_text(heading, max_words=12)
        and not first.rstrip().endswith((",", ";", "."))
        and not heading.endswith("?")
        and not _dangles(first)
        and not _dangles(second)
        and not second.split()[-1][:1].isupper()  # a name running on ('…include the Disabled' / 'Facilities Grant')
        and not _unfinished_list(heading)
        and third[:1].isupper()
        and not BULLET.match(third)
    )


def classify(block: Block) -> Block:
    """Mark short unpunctuated blocks as headings."""
    if block.kind != "text" or len(block.lines) > 2:
        return block
    text = " ".join(line.text.strip() for line in block.lines)
    return replace(block, kind="heading") if is_heading_text(text) else block


def page_blocks(lines: list[Line], page_index: int) -> list[Block]:
    """All blocks of one page, merged and classified."""
    blocks = merge_continuations(raw_blocks(lines, page_index))
    out: list[Block] = []
    for block in blocks:
        for part in split_glued_heading(block):
            out.append(classify(part))
    return out
