"""How a printed page is worded wherever one is shown: the one rule for answers, the API, the UI and the CLI.

Two kinds of page reach a reader and they differ for the same case study: a passage's page is where *those
words* are printed (a source card), a case study's page is where *the case study starts* (every list of case
studies). Both said "p. N", so a card reading 127 next to a list reading 116 looked like a mistake.
"""

from __future__ import annotations


def passage_page_label(page: int | None, earliest: int | None = None, latest: int | None = None) -> str:
    """'passage on page 127': where a passage's words are printed. Where extraction lost the page but the pages
    around it bound it, the span, said as one ('passage on page 70 or 71', 'passage on one of pages 69–71')."""
    if page:
        return f"passage on page {page}"
    if earliest and latest and earliest < latest:
        if latest == earliest + 1:
            return f"passage on page {earliest} or {latest}"
        return f"passage on one of pages {earliest}–{latest}"
    return "page unknown"


def quoted_page_label(quoted: int | None, page: int | None, earliest: int | None = None, latest: int | None = None) -> str:
    """'quoted from page 128 (passage starts on page 127)' where the words a citation quotes are printed on another
    page than their passage starts on; else the passage's own label."""
    if quoted and quoted != page:
        return f"quoted from page {quoted} (passage starts on page {page})" if page else f"quoted from page {quoted}"
    return passage_page_label(page, earliest, latest)


def case_study_page_label(page: int | None) -> str:
    """'starts on page 116': where a case study begins, the page every list of case studies gives."""
    return f"starts on page {page}" if page else "first page unknown"
