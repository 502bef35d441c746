"""The command line reads its settings from the environment: each test gets its own."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated(isolated_settings: None) -> None:
    """Every setting the CLI reads points under the test's tmp_path."""
