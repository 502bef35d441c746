"""GET /passages: the toolkit's passages in reading order, by chapter and by case study."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_all_passages_in_reading_order(client: TestClient) -> None:
    passages = client.get("/passages").json()
    assert len(passages) == client.get("/health").json()["passages"]
    chapters = list(dict.fromkeys(p["chapter"] for p in passages))
    assert chapters[0] == "Foreword and executive summary"
    # Each chapter's passages sit together: reading order, not ranked or sorted by name.
    assert len(chapters) == len({p["chapter"] for p in passages})


def test_one_chapter_and_one_case_study(client: TestClient) -> None:
    chapter = client.get("/passages", params={"chapter": "collaborating for resilience and impact"}).json()
    assert chapter and {p["chapter"] for p in chapter} == {"Collaborating for resilience and impact"}
    study = client.get("/passages", params={"case_study": "publica-group"}).json()
    assert study and {p["case_study"] for p in study} == {"Publica Group"}
    assert [p["id"] for p in study] == [p["id"] for p in client.get("/case-studies/publica-group").json()["passages"]]


def test_an_unknown_filter_is_a_422_naming_the_valid_values(client: TestClient) -> None:
    response = client.get("/passages", params={"chapter": "Chapter 99"})
    assert response.status_code == 422
    assert "Unknown chapter 'Chapter 99'" in response.json()["detail"]
    assert "Collaborating for better lives" in response.json()["detail"]
