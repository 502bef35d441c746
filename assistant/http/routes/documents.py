"""The corpus's documents for the content team (admin token): what each holds, upload one, remove one.

Every change to the folder starts a re-index in the background (GET /admin/reindex follows it); the documents
listed are those of the index being served, so a new one appears once the re-index has been swapped in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, UploadFile, status

from assistant.http.dependencies import AdminDep, AssistantDep, ReindexerDep, ResponsesDoc, SettingsDep
from assistant.http.documents import (
    DocumentProblem,
    remove_document,
    save_document,
    skipped_documents,
    summarise_documents,
)
from assistant.http.errors import ADMIN_RESPONSES
from assistant.http.schemas import DocumentChanged, DocumentOut, DocumentsOut, ErrorOut, ReindexOut, SkippedOut
from ingest.loaders import CorpusMeta

router = APIRouter(tags=["documents"], dependencies=[AdminDep])

_REFUSALS: ResponsesDoc = {code: {"model": ErrorOut} for code in (400, 404, 409, 413, 415, 422)}


def _refused(problem: DocumentProblem) -> HTTPException:
    return HTTPException(problem.status, str(problem))


@router.get("/documents", responses=ADMIN_RESPONSES)
def list_documents(assistant: AssistantDep, settings: SettingsDep) -> DocumentsOut:
    """Each document of the index being served (passages, sections, pages), and the files the last ingest skipped."""
    store = assistant.store
    reviewed = CorpusMeta.read(settings.corpus_dir) if settings.corpus_dir.is_dir() else None
    summaries = summarise_documents(store.passages(), store.manifest, store.case_studies(), reviewed)
    return DocumentsOut(
        documents=[DocumentOut.from_summary(d) for d in summaries],
        skipped=[SkippedOut(source=name, reason=why) for name, why in skipped_documents(store.manifest)],
    )


@router.post("/documents", status_code=status.HTTP_201_CREATED, responses={**ADMIN_RESPONSES, **{c: _REFUSALS[c] for c in (400, 409, 413, 415, 422)}})
async def upload_document(
    file: UploadFile,
    settings: SettingsDep,
    reindexer: ReindexerDep,
    replace: Annotated[
        bool, Query(description="Put the file in place of a document of the same name (kept aside, not deleted).")
    ] = False,
) -> DocumentChanged:
    """Add a document (.txt, .md, .pdf, .docx; at most LOCALITIES_MAX_DOCUMENT_MB) to the corpus and re-index.

    A document of the same name is never overwritten silently: 409, unless `replace` is set.
    """
    name = file.filename or ""
    data = await file.read(settings.max_document_bytes + 1)
    try:
        previous = save_document(
            settings.corpus_dir,
            name,
            data,
            limit=settings.max_document_bytes,
            replace=replace,
            removed_dir=settings.removed_documents_dir,
        )
    except DocumentProblem as problem:
        raise _refused(problem) from None
    reindexer.follow_change(f"{'replaced' if previous else 'added'} {name}")
    done = f"Replaced '{name}' (the earlier copy is kept aside)" if previous else f"Added '{name}'"
    return DocumentChanged(
        source=name,
        message=f"{done}; re-indexing the corpus in the background.",
        kept_aside=str(previous) if previous else None,
        reindex=ReindexOut.from_status(reindexer.status),
    )


@router.delete("/documents/{name}", responses={**ADMIN_RESPONSES, **{c: _REFUSALS[c] for c in (400, 404, 409)}})
def delete_document(
    name: Annotated[str, Path(description="The document's file name, as GET /documents lists it.")],
    settings: SettingsDep,
    reindexer: ReindexerDep,
    confirm: Annotated[
        bool, Query(description="Required to remove the toolkit the assistant ships with (its reviewed document).")
    ] = False,
) -> DocumentChanged:
    """Remove a document from the corpus (moved aside on the server, not deleted) and re-index without it."""
    try:
        moved = remove_document(settings.corpus_dir, name, removed_dir=settings.removed_documents_dir, confirm=confirm)
    except DocumentProblem as problem:
        raise _refused(problem) from None
    reindexer.follow_change(f"removed {name}")
    return DocumentChanged(
        source=name,
        message=f"Removed '{name}' from the corpus; re-indexing without it in the background.",
        kept_aside=str(moved),
        reindex=ReindexOut.from_status(reindexer.status),
    )
