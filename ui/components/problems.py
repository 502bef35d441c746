"""A failure shown as a sentence and a "Try again" button, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.client import ServiceError


def show_problem(
    error: ServiceError | str, *, key: str, on_retry: Callable[..., None] | None = None, args: tuple[Any, ...] = ()
) -> None:
    """The error's message and a "Try again" button (a rerun repeats the failed call; `on_retry` can queue it)."""
    st.error(str(error), icon=":material/cloud_off:")
    st.button("Try again", key=key, on_click=on_retry, args=args, icon=":material/refresh:")
