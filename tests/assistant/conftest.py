"""Fixtures for the API, CLI and feedback tests: a fresh feedback database and a live TestClient per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.http.app import create_app
from assistant.service import Assistant
from assistant.settings import Settings

ClientFactory = Callable[..., TestClient]


@pytest.fixture(autouse=True)
def _isolated(isolated_settings: None) -> None:
    """Every test here reads settings from its own tmp_path (tests/conftest.py)."""


@pytest.fixture()
def api_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The session settings with a feedback database of this test's own."""
    return settings.model_copy(update={"feedback_db": tmp_path / "feedback" / "feedback.db"})


@pytest.fixture()
def client_factory(api_settings: Settings, assistant: Assistant) -> Iterator[ClientFactory]:
    """Make started TestClients over the session assistant, with settings overrides; all closed afterwards."""
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        client = TestClient(create_app(api_settings.model_copy(update=overrides), assistant))
        client.__enter__()  # runs the lifespan: opens the feedback store
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture()
def client(client_factory: ClientFactory) -> TestClient:
    return client_factory()


@pytest.fixture()
def admin_headers(api_settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_settings.admin_token}"}
