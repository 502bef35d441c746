"""The admin token the content team's page asks for once, for documents, evaluations and feedback."""

from __future__ import annotations

import streamlit as st

from ui.client import NotAllowed

TOKEN = "admin-token"  # the token field's key
REFUSED = "admin-refused"  # session key: why the service refused the token


def token_field() -> None:
    """The token field, and why the last token was refused (the field is then empty, asking for it again)."""
    st.text_input(
        "Admin token",
        type="password",
        key=TOKEN,
        help="The token the assistant service was started with (LOCALITIES_ADMIN_TOKEN). Ask the team that runs it. "
        "Needed to see and change the documents, run an evaluation and read the feedback.",
    )
    # Always a slot, empty or not: a message that comes and goes would move the page's tabs below it, and
    # Streamlit redraws moved tabs on their first one, so a user refused on "Feedback" was thrown to "Evaluation".
    slot = st.container()
    if refused := st.session_state.get(REFUSED):
        slot.error(refused, icon=":material/key_off:")


def token() -> str:
    return str(st.session_state.get(TOKEN) or "")


def accepted() -> None:
    """A call with the token is about to be made: forget an earlier refusal."""
    st.session_state.pop(REFUSED, None)


def refuse(exc: NotAllowed) -> None:
    """In a callback: sending the same token again can only fail, so empty the field to ask for the right one."""
    st.session_state[TOKEN] = ""
    st.session_state[REFUSED] = f"{exc} Please enter the admin token again."
