"""A real browser: `localities serve` and `localities ui` as processes, driven in headless Debian Chromium."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from tests.ui.conftest import ROOT
from tests.ui.processes import free_port, localities, running

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"  # Debian's chromium-driver (`make browser`); Playwright's download fails here
README_SCREENSHOT = ROOT / "docs" / "screenshot.png"
QUESTION = "How many staff transferred into Publica?"
WAIT_S = 60

CHAT_INPUT = (By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]')
SOURCE_CARD = (By.CSS_SELECTOR, '[data-testid="stChatMessage"] [data-testid="stExpander"] summary')
PASSAGE = (By.CSS_SELECTOR, '[data-testid="stChatMessage"] .source-passage')


@pytest.fixture(scope="module")
def ui_url(api_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`localities ui` (Streamlit, headless) on a free port, talking to the real API server."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [*localities(), "ui", "--port", str(port), "--api-url", api_url]
    with running("ui", command, {}, f"{url}/_stcore/health", tmp_path_factory.mktemp("ui")):
        yield url


def _chromium(profile: Path, width: int, height: int) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_window_size(width, height)
    return driver


@pytest.fixture()
def browser(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WebDriver]:
    width, height = request.param
    driver = _chromium(tmp_path / "profile", width, height)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: WebDriver, condition: object, seconds: float = WAIT_S) -> WebElement:
    return WebDriverWait(driver, seconds).until(condition)  # type: ignore[arg-type,no-any-return]


def _ask(driver: WebDriver, ui_url: str, question: str) -> WebElement:
    """Open the app, type a question and press Enter; return the first source card of the answer."""
    driver.get(ui_url)
    box = _wait(driver, ready.element_to_be_clickable(CHAT_INPUT))
    box.send_keys(question)
    box.send_keys(Keys.ENTER)
    return _wait(driver, ready.element_to_be_clickable(SOURCE_CARD))


def _no_sideways_scrolling(driver: WebDriver) -> None:
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the window"


@pytest.mark.parametrize("browser", [(1280, 1400), (420, 900)], ids=["1280px", "420px"], indirect=True)
def test_an_answer_with_a_source_card_that_opens(browser: WebDriver, ui_url: str, api_url: str, tmp_path: Path) -> None:
    width = browser.get_window_size()["width"]
    card = _ask(browser, ui_url, QUESTION)
    assert "Publica" in card.text or "[1]" in card.text
    assert not browser.find_elements(*PASSAGE) or not browser.find_element(*PASSAGE).is_displayed()  # collapsed
    if width > 600:
        card.click()
    else:  # the narrow run opens it from the keyboard, as someone without a mouse would
        card.send_keys(Keys.ENTER)
    passage = _wait(browser, ready.visibility_of_element_located(PASSAGE))
    # The card shows source [1] of the service's own answer, with the sentence the answer quotes marked.
    first = httpx.post(f"{api_url}/ask", json={"question": QUESTION}, timeout=30).json()["citations"][0]
    quoted = " ".join(first["sentences"][0].split())
    marked = _wait(browser, lambda d: [m for m in passage.find_elements(By.TAG_NAME, "mark") if m.is_displayed()])
    # Selenium reads only what is on screen, so this also waits for the card to finish opening.
    _wait(browser, lambda d: quoted in " ".join(passage.text.split()))
    assert quoted in " ".join(" ".join(m.text for m in marked).split())
    # The whole passage is there (paragraph breaks aside: textContent runs <p>s together).
    assert "".join(passage.get_attribute("textContent").split()) == "".join(first["text"].split())
    _no_sideways_scrolling(browser)
    # The question at the top, so the screenshot shows it, the answer and the open source together. Twice: Streamlit
    # keeps a chat scrolled to the bottom while the card's opening animation still changes the page's height.
    question = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')[0]
    for _ in range(2):
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", question)
        time.sleep(0.5)
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    shot = artifacts / f"answer-{width}px.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    if width > 600 and os.environ.get("LOCALITIES_UPDATE_SCREENSHOT"):  # refresh the README's picture on request
        README_SCREENSHOT.parent.mkdir(exist_ok=True)
        README_SCREENSHOT.write_bytes(shot.read_bytes())


@pytest.mark.parametrize("browser", [(1280, 900)], ids=["1280px"], indirect=True)
def test_starters_and_the_question_box_are_reachable_by_keyboard(browser: WebDriver, ui_url: str) -> None:
    browser.get(ui_url)
    _wait(browser, ready.element_to_be_clickable(CHAT_INPUT))
    reached: list[str] = []
    for _ in range(40):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        focused = browser.switch_to.active_element
        reached.append(focused.get_attribute("data-testid") or focused.text or focused.tag_name)
    assert any("Local Enterprise Partnerships" in r for r in reached), reached
    assert "stChatInputTextArea" in reached, reached
