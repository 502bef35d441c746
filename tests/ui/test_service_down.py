"""Every page with the service down: a friendly sentence and "Try again", never a traceback."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.ui.conftest import AppFactory
from tests.ui.processes import free_port
from tests.ui.reading import all_text, button_labels


@pytest.mark.parametrize("page", ["pages/case_studies.py", "pages/content_team.py"])
def test_a_page_explains_and_offers_to_try_again(
    page: str, make_app: AppFactory, point_app_at: Callable[..., None]
) -> None:
    point_app_at(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    app = make_app(page)
    assert not app.exception
    assert any("isn't answering" in e.value for e in app.error)
    assert "Try again" in button_labels(app)
    assert "Traceback" not in all_text(app) and "Error" not in all_text(app)


def test_a_case_study_that_does_not_exist_is_explained(make_app: AppFactory) -> None:
    app = make_app("pages/case_studies.py", open_case="no-such-case-study")
    assert not app.exception
    assert "no such case study" in app.warning[0].value
    assert "GET" not in all_text(app)  # the service's message names its routes; the page must not
    assert "Back to all case studies" in button_labels(app)
