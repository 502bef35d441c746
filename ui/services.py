"""The pages' way to the service: one client from Settings, and short-lived caches for lists that rarely change."""

from __future__ import annotations

import streamlit as st

from assistant.http.schemas import CaseStudySummary, PassageOut
from assistant.settings import get_settings
from ui.client import ApiClient, ServiceError

# Lists change only when the index is rebuilt; a few minutes' staleness saves a request on every rerun.
LIST_TTL_S = 300


def api() -> ApiClient:
    """A client for the service named by LOCALITIES_API_URL, with Settings.request_timeout_s."""
    return ApiClient.from_settings(get_settings())


@st.cache_data(ttl=LIST_TTL_S, show_spinner=False)
def case_studies(client: ApiClient) -> list[CaseStudySummary]:
    """Every case study (cached per service URL; failures are not cached, so "Try again" really retries)."""
    return client.case_studies()


@st.cache_data(ttl=LIST_TTL_S, show_spinner=False)
def case_studies_about(client: ApiClient, words: str) -> list[CaseStudySummary]:
    """The case studies about some words, as the chat's retrieval finds them ('shared planning')."""
    return client.case_studies(about=words)


@st.cache_data(ttl=LIST_TTL_S, show_spinner=False)
def passages(client: ApiClient, chapter: str | None = None, case_study: str | None = None) -> list[PassageOut]:
    return client.passages(chapter, case_study)


def case_study_id(client: ApiClient, title: str) -> str | None:
    """The id of the case study with this title, to link a source card to it; None if it can't be had."""
    try:
        return next((c.id for c in case_studies(client) if c.title == title), None)
    except ServiceError:
        return None
