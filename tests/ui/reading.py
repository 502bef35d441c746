"""Read what the pages rendered, as a user would see it: answers, source cards, abstentions, messages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

_CARD_NUMBER = re.compile(r"^\\?\[(\d+)\\?\]")
_PASSAGE_ID = re.compile(r'data-passage-id="([^"]+)"')


@dataclass(frozen=True)
class SourceCard:
    n: int
    passage_id: str
    label: str  # as written in the page, markdown-escaped
    html: str


def answers(app: AppTest) -> list[Block]:
    return [m for m in app.chat_message if m.name == "assistant"]


def questions(app: AppTest) -> list[str]:
    return [m.markdown[0].value.replace("\\", "") for m in app.chat_message if m.name == "user"]


def source_cards(message: Block) -> list[SourceCard]:
    """Each expander of an answer that holds a passage: its [n], the passage id it shows, its label."""
    cards = []
    for expander in message.expander:
        html = [h.value for h in expander.get("html")]
        number = _CARD_NUMBER.match(expander.label)
        ids = _PASSAGE_ID.findall(html[0]) if html else []
        if number and ids:
            cards.append(SourceCard(int(number.group(1)), ids[0], expander.label, html[0]))
    return cards


def is_abstention(message: Block) -> bool:
    """Shown as 'not covered': a warning and no source cards."""
    return bool(message.warning) and not source_cards(message)


def button_labels(node: AppTest | Block) -> list[str]:
    return [b.label for b in node.button]


def all_text(app: AppTest) -> str:
    """Every message, markdown and caption on the page, for 'no traceback' checks."""
    parts = [e.value for kind in ("markdown", "caption", "error", "warning", "info") for e in app.get(kind)]
    return "\n".join(str(p) for p in parts)
