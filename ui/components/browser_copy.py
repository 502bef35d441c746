"""The conversation kept in the browser tab (sessionStorage), so a reload or a slip of the F5 key loses nothing.

Why sessionStorage: it stays on the user's device, belongs to one tab, and is gone when the tab is closed, so a
shared council PC does not show the next person what the last one asked; the server keeps nothing.

How: a Streamlit custom component (st.components.v2, Streamlit's own, no build step) runs a few lines of
JavaScript in the page. The first run of a session sends no copy; the script reports what the tab holds, and
`restore_from_tab` puts it back before the page is drawn again. Every run after that sends the current conversation
for the tab to keep. If the browser refuses storage, the script reports nothing and the page works as before.
"""

from __future__ import annotations

import streamlit as st

from ui.state import KEY as CONVERSATION
from ui.state import State, conversation, restored, saved

KEY = "browser-copy"  # the component's widget key; its state holds what the tab reported
REPORTED = "browser-copy-reported"  # session key: the tab has said what it held, so its copy may be overwritten
STORAGE_NAME = "localities-conversation"

_SCRIPT = """
export default function ({ data, setStateValue }) {
  let storage;
  try { storage = window.sessionStorage; storage.length; } catch (e) { return; }  // blocked: keep nothing
  if (data.save === null) {  // a new session: say what this tab kept before it writes anything
    setStateValue("kept", storage.getItem(data.name) ?? "");
    return;
  }
  try {
    if (data.save === "") storage.removeItem(data.name); else storage.setItem(data.name, data.save);
  } catch (e) {
    storage.removeItem(data.name);  // over quota: better no copy than an out-of-date one
  }
}
"""

_component = st.components.v2.component("localities.browser_copy", js=_SCRIPT)


def restore_from_tab(state: State) -> None:
    """Callback: take the conversation the tab reported, unless this session has already started another one."""
    if state.get(REPORTED):
        return
    state[REPORTED] = True
    kept = (state.get(KEY) or {}).get("kept") or ""
    found = restored(kept) if kept else None
    if found is not None and conversation(state).untouched():
        state[CONVERSATION] = found


def keep_in_tab(state: State) -> None:
    """Mount the component: ask the tab for its copy on a session's first run, then hand it each new version."""
    conv = conversation(state)
    copy = saved(conv) if conv.messages or conv.pending or conv.scope else ""
    _component(
        key=KEY,
        data={"name": STORAGE_NAME, "save": copy if state.get(REPORTED) else None},
        default={"kept": None},
        on_kept_change=lambda: restore_from_tab(st.session_state),
        height=0,
    )
