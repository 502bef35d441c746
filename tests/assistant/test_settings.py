"""One Settings object: checked when built, with messages that name the variable."""

from __future__ import annotations

import pytest

from assistant.settings import Settings, load_settings
from core.errors import InvalidSettings


def test_a_postgresql_url_is_the_only_database_url() -> None:
    assert load_settings(database_url="postgresql+psycopg://u:p@db/localities").database_url
    with pytest.raises(InvalidSettings, match="LOCALITIES_DATABASE_URL must be a PostgreSQL URL"):
        load_settings(database_url="sqlite:///feedback.db")


def test_an_unknown_llm_provider_says_which_ones_exist() -> None:
    assert load_settings(llm_provider="ollama").llm_provider == "ollama"
    with pytest.raises(InvalidSettings, match="LOCALITIES_LLM_PROVIDER 'olama' is not a provider"):
        load_settings(llm_provider="olama")


def test_blank_means_unset() -> None:
    assert Settings(llm_provider="", database_url="").llm_provider is None
