"""Load: 32 concurrent clients for 60 s on /search and /ask against `localities serve` at its default settings.

Loopback only. Any non-200 counts as an error, 429 included, so the default rate limit must let this through.
The server's log is checked too: at the default settings it never contains a question.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.processes import served_process

CLIENTS = 32
DURATION_S = 60
QUESTIONS = [
    "How have district councils worked with Local Enterprise Partnerships?",
    "How much did Central Lincolnshire save by sharing services?",
    "What is a leisure trust?",
    "Which councils share a chief executive?",
    "How can districts tackle loneliness?",
    "What governance models suit a combined authority?",
    "How did Publica Group start?",
    "What makes a collaboration last?",
]
TOPICS = [
    "in rural areas",
    "for housing",
    "with the NHS",
    "in two-tier areas",
    "for young people",
    "in coastal towns",
    "with the police",
    "for waste and recycling",
    "with town councils",
    "for planning",
    "with the voluntary sector",
    "for economic growth",
    "with county councils",
    "for digital services",
    "in market towns",
    "for public health",
    "with housing associations",
    "for leisure",
    "with universities",
    "for skills and employment",
]
logger = logging.getLogger(__name__)


@pytest.mark.slow
def test_32_clients_for_a_minute_get_no_errors(built_index: Path, tmp_path: Path) -> None:
    env = {"LOCALITIES_INDEX_DIR": str(built_index), "LOCALITIES_DATA_DIR": str(tmp_path / "data")}
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    log = tmp_path / "server.log"

    with served_process([], env, tmp_path, log) as url:
        start = time.monotonic()

        def client(n: int) -> None:
            with httpx.Client(base_url=url, timeout=60) as http:
                i = n
                while time.monotonic() - start < DURATION_S:
                    # Mostly new wording, as real users write: the query-embedding cache helps only so much.
                    question = f"{QUESTIONS[i % len(QUESTIONS)]} {TOPICS[(i * 7 + n) % len(TOPICS)]}"
                    sent = time.monotonic()
                    try:
                        if i % 2:
                            response = http.post("/ask", json={"question": question})
                        else:
                            response = http.post("/search", json={"query": question, "k": 5})
                        outcome = str(response.status_code)
                    except httpx.HTTPError as exc:
                        outcome = type(exc).__name__
                    with lock:
                        statuses[outcome] += 1
                        latencies.append(time.monotonic() - sent)
                    i += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=DURATION_S + 120)

    total = sum(statuses.values())
    quantiles = statistics.quantiles(latencies, n=20)
    logger.info(
        "%d requests in %d s (%.1f/s), p50 %.2f s, p95 %.2f s: %s",
        total,
        DURATION_S,
        total / DURATION_S,
        quantiles[9],
        quantiles[18],
        dict(statuses),
    )
    assert statuses == Counter({"200": total}), statuses
    assert total >= 2 * CLIENTS  # every client got through more than once
    server_log = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in server_log and " 429 " not in server_log
    assert "search k=5 passages=5" in server_log  # the request lines are there...
    assert not any(question in server_log for question in QUESTIONS + TOPICS)  # ...without the questions
