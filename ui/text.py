"""Pure text helpers for the pages: escaping, source labels, highlighting quoted sentences, topic questions."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from core.text import words_in_order

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#$~|])")


def escape_markdown(text: str) -> str:
    """Toolkit text shown through st.markdown as written: no stray italics, links, LaTeX ($) or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def place(chapter: str, section: str | None) -> str:
    """'Chapter › Section': where a passage sits in the toolkit."""
    return " › ".join(part for part in (chapter, section) if part)


def source_label(n: int, chapter: str, section: str | None, case_study: str | None, page_label: str) -> str:
    """The one-line title of a source card: '[2] Publica Group — Chapter › Section, passage on page 117'."""
    where = place(chapter, section)
    head = f"[{n}] {case_study} — {where}" if case_study else f"[{n}] {where}"
    return f"{head}, {page_label}"


def related_label(title: str, page_label: str) -> str:
    """A related case study in a list: 'Publica Group (starts on page 116)'."""
    return f"{title} ({page_label})"


def quoted_spans(text: str, sentences: Sequence[str]) -> tuple[list[tuple[int, int]], list[str]]:
    """Where each quoted sentence sits in `text` (merged, in order), and the sentences that could not be found."""
    spans: list[tuple[int, int]] = []
    missing: list[str] = []
    for sentence in sentences:
        if not sentence.strip():
            continue
        match = words_in_order(sentence).search(text)
        if match:
            spans.append(match.span())
        else:
            missing.append(sentence)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged, missing


# Sentinels survive html.escape and never occur in the toolkit text.
_OPEN, _CLOSE = "\x02", "\x03"
# Inline styles: st.html keeps them. Dark text on pale yellow is about 15:1, and bold marks the quote without colour.
MARK_OPEN = '<mark class="quoted" style="background:#fff1a8;color:#1a1a1a;font-weight:600;padding:0 .1em">'


def _paragraph_html(paragraph: str) -> str:
    # A line break stays only before a bullet; elsewhere it is the PDF's column width, not the author's.
    escaped = html.escape(paragraph.strip(), quote=False)
    joined = re.sub(r"\s*\n\s*", " ", re.sub(r"\n(?=\s*[•·▪◦])", "<br>", escaped))
    return "<p>" + joined.replace(_OPEN, MARK_OPEN).replace(_CLOSE, "</mark>") + "</p>"


def highlight_html(text: str, sentences: Sequence[str], passage_id: str = "") -> tuple[str, list[str]]:
    """The passage as HTML paragraphs with the quoted sentences in <mark>, and the sentences not found in it."""
    spans, missing = quoted_spans(text, sentences)
    marked, last = [], 0
    for start, end in spans:
        marked += [text[last:start], _OPEN, text[start:end], _CLOSE]
        last = end
    marked.append(text[last:])
    paragraphs, inside = [], False
    for paragraph in re.split(r"\n\s*\n", "".join(marked).strip()):
        # A quote running over a paragraph break closes and reopens, so the HTML nests properly.
        opened = (_OPEN if inside else "") + paragraph
        for char in paragraph:
            inside = True if char == _OPEN else False if char == _CLOSE else inside
        paragraphs.append(_paragraph_html(opened + (_CLOSE if inside else "")))
    attribute = f' data-passage-id="{html.escape(passage_id)}"' if passage_id else ""
    return f'<div class="source-passage"{attribute}>{"".join(paragraphs)}</div>', missing


def topic_question(topic: str) -> str:
    return f"What does the toolkit say about {topic}?"


def shorten(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


_RELATED = re.compile(r"\s*Related case studies:[^\n]*\s*$")


def without_related(answer: str) -> str:
    """The answer without its closing 'Related case studies: …' line (the page shows those as links)."""
    return _RELATED.sub("", answer).strip()
