"""The content team's documents: what the assistant answers from, adding one, removing one, the re-index after.

Every change is followed by a re-index on the service; its progress is shown until the new list is served.
"""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]
import streamlit as st

from assistant.http.schemas import DocumentsOut, ReindexOut
from ingest.loaders import SUPPORTED
from ui.client import ApiClient, Conflict, NotAllowed, ServiceError
from ui.components.admin import accepted, refuse, token

LOADED = "documents-loaded"  # session key: the last DocumentsOut
FOLLOWING = "documents-reindexing"  # session key: a change was made; the re-index is being followed
NOTICE = "documents-notice"  # session key: (kind, message) of the last change or problem
UPLOADS = "documents-upload-round"  # session key: bumped to give the file picker a fresh, empty key
REPLACING = "documents-replace"  # session key: (name, bytes) of an upload whose name is already taken
REMOVING = "documents-remove"  # session key: the document whose removal awaits confirmation
TOOLKIT = "documents-remove-toolkit"  # session key: (name, why) when the document to remove is the toolkit
STAGES = {"parse": "Reading the documents", "embed": "Embedding new passages", "write": "Writing the index"}
POLL_S = 1.0


def _notice(kind: str, message: str) -> None:
    st.session_state[NOTICE] = (kind, message)


def _call(action: str, client: ApiClient, *args: object) -> object | None:
    """In a callback: one admin call; a refused token asks for it again, any other problem becomes the notice."""
    accepted()
    try:
        return getattr(client, action)(token(), *args)
    except NotAllowed as exc:
        refuse(exc)
    except Conflict:
        raise
    except ServiceError as exc:
        _notice("error", str(exc))
    return None


def _load(client: ApiClient) -> None:
    st.session_state.pop(NOTICE, None)
    listed = _call("documents", client)
    if listed is not None:
        st.session_state[LOADED] = listed


def _changed(message: str) -> None:
    _notice("info", message)
    st.session_state[FOLLOWING] = True


def _upload(client: ApiClient, key: str, replace: bool = False) -> None:
    state = st.session_state
    chosen = state.get(key)
    if chosen is None:
        _notice("warning", "Choose a file first.")
        return
    _send(client, chosen.name, chosen.getvalue(), replace)


def _send(client: ApiClient, name: str, data: bytes, replace: bool) -> None:
    state = st.session_state
    state.pop(REPLACING, None)
    try:
        changed = _call("upload_document", client, name, data, replace)
    except Conflict as exc:
        state[REPLACING] = (name, data)
        _notice("warning", str(exc))
        return
    if changed is not None:
        state[UPLOADS] = state.get(UPLOADS, 0) + 1  # an empty picker, so the same file is not sent twice
        _changed(changed.message)  # type: ignore[attr-defined]


def _replace(client: ApiClient) -> None:
    name, data = st.session_state.pop(REPLACING)
    _send(client, name, data, True)


def _ask_to_remove(name: str) -> None:
    st.session_state[REMOVING] = name
    st.session_state.pop(TOOLKIT, None)


def _cancel() -> None:
    for key in (REMOVING, TOOLKIT, REPLACING):
        st.session_state.pop(key, None)
    st.session_state.pop(NOTICE, None)


def _remove(client: ApiClient, name: str, confirm: bool) -> None:
    state = st.session_state
    state.pop(REMOVING, None)
    state.pop(TOOLKIT, None)
    try:
        changed = _call("remove_document", client, name, confirm)
    except Conflict as exc:  # the toolkit itself: the service says what removing it would take away
        state[TOOLKIT] = (name, str(exc))
        return
    if changed is not None:
        _changed(changed.message)  # type: ignore[attr-defined]


def _progress(status: ReindexOut) -> None:
    stage = STAGES.get(status.stage or "", "Starting")
    fraction = status.done / status.total if status.total else 0.0
    counted = f" ({status.done} of {status.total})" if status.total else ""
    why = f" after “{status.reason}”" if status.reason and status.reason != "requested" else ""
    st.progress(min(fraction, 1.0), text=f"Re-indexing the corpus{why}: {stage.lower()}{counted}…")


@st.fragment(run_every=POLL_S)
def _follow_reindex(client: ApiClient) -> None:
    """While the service re-indexes: its progress; then the new list, served."""
    state = st.session_state
    try:
        status = client.reindex_status(token())
        if status.state == "running":
            _progress(status)
            return
        state[LOADED] = client.documents(token())
    except ServiceError as exc:
        state.pop(FOLLOWING, None)
        _notice("error", str(exc))
        st.rerun(scope="app")
        return
    state.pop(FOLLOWING, None)
    kind = "success" if status.state == "succeeded" else "error"
    _notice(kind, f"Re-index finished: {status.message}" if status.message else "Re-index finished.")
    st.rerun(scope="app")


def _table(listed: DocumentsOut) -> None:
    rows = [
        {"title": d.title, "file": d.source, "passages": d.passages, "sections": d.sections, "pages": d.pages}
        for d in listed.documents
    ]
    total = sum(d.passages for d in listed.documents)
    count = len(listed.documents)
    st.markdown(
        f"**{count}** document{'s' if count != 1 else ''}, **{total}** passage{'s' if total != 1 else ''} "
        "in the index being served."
    )
    if rows:  # a plain table: a handful of rows, every word readable (and selectable) on the page
        st.table(pd.DataFrame(rows).set_index("title"))
    if listed.skipped:
        lines = "\n".join(f"- **{s.source}**: {s.reason}" for s in listed.skipped)
        st.warning(f"The last re-index could not read these files, so they are not searched:\n\n{lines}")


def _upload_form(client: ApiClient) -> None:
    st.subheader("Add a document")
    key = f"document-upload-{st.session_state.get(UPLOADS, 0)}"
    st.file_uploader(
        "Choose a file",
        type=[suffix.lstrip(".") for suffix in SUPPORTED],
        key=key,
        help="Text, Markdown, PDF or Word. It joins the corpus and is searched once the re-index finishes.",
    )
    st.button("Add to the corpus", on_click=_upload, args=(client, key), icon=":material/upload_file:", key="upload")
    if replacing := st.session_state.get(REPLACING):
        yes, no = st.columns(2)
        yes.button(
            f"Replace {replacing[0]}", on_click=_replace, args=(client,), icon=":material/swap_horiz:", key="replace"
        )
        no.button("Keep the one there", on_click=_cancel, key="keep-existing")


def _remove_form(client: ApiClient, listed: DocumentsOut) -> None:
    st.subheader("Remove a document")
    names = [d.source for d in listed.documents]
    if not names:
        st.caption("There is nothing to remove.")
        return
    chosen = st.selectbox("Document", names, key="remove-choice")
    pending, toolkit = st.session_state.get(REMOVING), st.session_state.get(TOOLKIT)
    if toolkit:
        name, why = toolkit
        st.error(why, icon=":material/warning:")
        yes, no = st.columns(2)
        yes.button(f"Yes, remove {name}", on_click=_remove, args=(client, name, True), key="remove-toolkit")
        no.button("No, keep it", on_click=_cancel, key="keep-toolkit")
    elif pending:
        document = next((d for d in listed.documents if d.source == pending), None)
        held = f" Its {document.passages} passages will no longer be searched or cited." if document else ""
        st.warning(
            f"Remove **{pending}** from the corpus?{held} The file is moved aside on the server, not deleted.",
            icon=":material/delete:",
        )
        yes, no = st.columns(2)
        yes.button("Yes, remove it", on_click=_remove, args=(client, pending, False), key="confirm-remove")
        no.button("No, keep it", on_click=_cancel, key="cancel-remove")
    else:
        st.button("Remove…", on_click=_ask_to_remove, args=(chosen,), icon=":material/delete:", key="remove")


def render_documents(client: ApiClient) -> None:
    """The documents of the index being served; add or remove one; the re-index that follows."""
    st.markdown(
        "The documents the assistant answers from. Adding or removing one re-indexes the corpus in the background; "
        "questions are answered from the current index until the new one is ready."
    )
    state = st.session_state
    st.button("Show documents", on_click=_load, args=(client,), icon=":material/lock_open:", key="show-documents")
    if notice := state.get(NOTICE):
        kind, message = notice
        getattr(st, kind)(message)
    if state.get(FOLLOWING):
        _follow_reindex(client)
        return
    listed = state.get(LOADED)
    if listed is None:
        return
    _table(listed)
    left, right = st.columns(2)
    with left:
        _upload_form(client)
    with right:
        _remove_form(client, listed)
