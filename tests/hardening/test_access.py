"""Access: admin endpoints need the token, /search and /ask are rate limited per client, CORS only for the UI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.http.app import create_app
from assistant.http.ratelimit import RateLimiter, retry_after_header
from assistant.service import Assistant
from assistant.settings import Settings

ADMIN_ROUTES = {
    ("GET", "/feedback"),
    ("GET", "/feedback.csv"),
    ("GET", "/admin/reindex"),
    ("POST", "/admin/reindex"),
    ("GET", "/documents"),
    ("POST", "/documents"),
    ("DELETE", "/documents/{name}"),
    ("GET", "/admin/evaluation"),
    ("POST", "/admin/evaluation"),
    ("GET", "/admin/evaluation/report"),
}


@pytest.fixture()
def make_client(settings: Settings, assistant: Assistant, tmp_path: Path) -> Iterator[object]:
    clients: list[TestClient] = []

    def make(client: tuple[str, int] = ("203.0.113.7", 50000), **overrides: object) -> TestClient:
        app = create_app(settings.model_copy(update={"feedback_db": tmp_path / "feedback.db", **overrides}), assistant)
        test_client = TestClient(app, client=client)
        test_client.__enter__()
        clients.append(test_client)
        return test_client

    yield make
    for test_client in clients:
        test_client.__exit__(None, None, None)


def test_every_admin_endpoint_and_only_those_require_the_token() -> None:
    """Read from the OpenAPI schema: the token schemes are attached to exactly the admin operations."""
    paths = create_app(Settings()).openapi()["paths"]
    secured = {
        (method.upper(), path) for path, ops in paths.items() for method, op in ops.items() if op.get("security")
    }
    assert secured == ADMIN_ROUTES
    assert {path for path in paths if "admin" in path} <= {path for _, path in ADMIN_ROUTES}


@pytest.mark.parametrize(("method", "path"), sorted(ADMIN_ROUTES))
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer "}, 401),
        ({"Authorization": "Basic dGVzdDp0ZXN0"}, 401),
        ({"Authorization": "Bearer wrong"}, 403),
        ({"X-Admin-Token": "wrong"}, 403),
        ({"X-Admin-Token": "test-admin-token-but-longer"}, 403),
        ({"Authorization": "Bearer TEST-ADMIN-TOKEN"}, 403),
    ],
)
def test_admin_endpoints_refuse_a_missing_or_wrong_token(
    make_client,
    method: str,
    path: str,
    headers: dict[str, str],
    status: int,  # type: ignore[no-untyped-def]
) -> None:
    response = make_client().request(method, path, headers=headers)
    assert response.status_code == status and response.json()["detail"]
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), sorted(ADMIN_ROUTES))
def test_admin_endpoints_are_off_without_a_configured_token(make_client, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    response = make_client(admin_token=None).request(method, path, headers={"Authorization": "Bearer anything"})
    assert response.status_code == 403 and "LOCALITIES_ADMIN_TOKEN" in response.json()["detail"]


def test_admin_reads_work_with_the_token(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client()
    assert client.get("/admin/reindex", headers={"X-Admin-Token": "test-admin-token"}).json()["state"] == "idle"
    assert client.get("/feedback", headers={"Authorization": "Bearer test-admin-token"}).json() == []


# --- rate limiting ----------------------------------------------------------------------------------------------


def test_search_and_ask_share_a_per_client_limit_with_a_clear_429(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(rate_limit_per_minute=3)
    assert client.post("/search", json={"query": "shared services"}).status_code == 200
    assert client.post("/ask", json={"question": "What is an LEP?"}).status_code == 200
    assert client.post("/search", json={"query": "leisure trusts"}).status_code == 200
    limited = client.post("/ask", json={"question": "What is an LEP?"})
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/json"
    assert 1 <= int(limited.headers["retry-after"]) <= 20  # one token back every 20 s at 3 a minute
    assert limited.json()["detail"] == (
        f"Too many requests: each client may send 3 searches and questions a minute. "
        f"Try again in {limited.headers['retry-after']} s."
    )
    assert client.post("/search", json={"query": "shared services"}).status_code == 429
    # Other routes are not limited, and another client address has its own allowance.
    assert client.get("/health").status_code == 200
    assert client.get("/case-studies").status_code == 200
    other = TestClient(client.app, client=("198.51.100.9", 40000))
    assert other.post("/search", json={"query": "shared services"}).status_code == 200


def test_the_ui_can_read_retry_after_across_origins(make_client, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = make_client(rate_limit_per_minute=1)
    client.post("/search", json={"query": "shared services"})
    limited = client.post("/search", json={"query": "shared services"}, headers={"Origin": settings.ui_origin})
    assert limited.status_code == 429
    assert limited.headers["access-control-allow-origin"] == settings.ui_origin
    assert "retry-after" in limited.headers["access-control-expose-headers"].lower()


def test_token_bucket_refills_evenly_and_forgets_idle_clients() -> None:
    now = [1000.0]
    limiter = RateLimiter(per_minute=60, clock=lambda: now[0])
    assert all(limiter.take("a") == 0.0 for _ in range(60))  # a full minute's burst
    wait = limiter.take("a")
    assert 0.9 < wait <= 1.0 and retry_after_header(wait) == "1"
    assert limiter.take("b") == 0.0  # keyed by client
    now[0] += 1.0
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0
    now[0] += 3600
    assert limiter.take("c") == 0.0
    assert set(limiter._buckets) == {"c"}  # idle buckets were dropped: memory stays bounded


def test_default_limit_is_generous_enough_for_a_busy_office() -> None:
    """The 32-client load test (test_load.py) runs at the default; a fixed floor keeps it from drifting down."""
    assert Settings().rate_limit_per_minute >= 60_000


# --- CORS -------------------------------------------------------------------------------------------------------


def test_cors_is_limited_to_the_ui_origin_by_default(make_client, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    assert Settings().ui_origin == "http://127.0.0.1:8501"
    client = make_client()
    ours = client.get("/health", headers={"Origin": settings.ui_origin})
    assert ours.headers["access-control-allow-origin"] == settings.ui_origin
    for origin in ("https://evil.example", "http://127.0.0.1:9999", "null", settings.ui_origin + ".evil.example"):
        simple = client.post("/search", json={"query": "shared services"}, headers={"Origin": origin})
        assert simple.status_code == 200 and "access-control-allow-origin" not in simple.headers
        preflight = client.options(
            "/feedback",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert "access-control-allow-origin" not in preflight.headers
