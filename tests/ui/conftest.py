"""Fixtures for the page tests: a real `localities serve` over the session index, and the app under AppTest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.settings import get_settings
from tests.ui.processes import free_port, localities, running

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "ui" / "app.py"
ADMIN_TOKEN = "ui-test-admin-token"
# Generous: the first run imports pandas and the schemas, and this 2-core machine may be busy.
RUN_TIMEOUT_S = 60

AppFactory = Callable[..., AppTest]


@pytest.fixture(scope="session")
def api_url(built_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server (`localities serve`) over the session index, with its own feedback database."""
    workdir = tmp_path_factory.mktemp("api")
    port = free_port()
    env = {
        "LOCALITIES_INDEX_DIR": str(built_index),
        "LOCALITIES_DATA_DIR": str(workdir / "data"),
        "LOCALITIES_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    url = f"http://127.0.0.1:{port}"
    with running(
        "serve", [*localities(), "serve", "--host", "127.0.0.1", "--port", str(port)], env, f"{url}/health", workdir
    ):
        yield url


@pytest.fixture(scope="module")
def ui_url(api_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`localities ui` (Streamlit, headless) on a free port, talking to the session's real API server."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [*localities(), "ui", "--port", str(port), "--api-url", api_url]
    with running("ui", command, {}, f"{url}/_stcore/health", tmp_path_factory.mktemp("ui")):
        yield url


@pytest.fixture()
def point_app_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Point the app's Settings at a service address (and optionally a timeout), as LOCALITIES_* variables would."""

    def point(url: str, timeout_s: float | None = None) -> None:
        monkeypatch.setenv("LOCALITIES_API_URL", url)
        if timeout_s is not None:
            monkeypatch.setenv("LOCALITIES_REQUEST_TIMEOUT_S", str(timeout_s))
        get_settings.cache_clear()

    yield point
    get_settings.cache_clear()


@pytest.fixture()
def make_app(api_url: str, point_app_at: Callable[..., None]) -> AppFactory:
    """A started AppTest of ui/app.py on one page, talking to the real server unless told otherwise."""
    point_app_at(api_url)

    def make(page: str | None = None, **state: object) -> AppTest:
        app = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT_S)
        for key, value in state.items():
            app.session_state[key] = value
        app.run()
        if page:
            app.switch_page(page).run()
        assert not app.exception, app.exception
        return app

    return make


@pytest.fixture()
def chat(make_app: AppFactory) -> AppTest:
    """The chat page on a first visit."""
    return make_app()
