"""A real browser: `localities serve` and `localities ui` as processes, driven in headless Debian Chromium."""

from __future__ import annotations

import html
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path

import docx
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

from assistant.http.schemas import MAX_QUESTION_CHARS
from tests.ui.conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"  # Debian's chromium-driver (`make browser`); Playwright's download fails here
README_SCREENSHOT = ROOT / "docs" / "screenshot.png"
RELOAD_SCREENSHOT = ROOT / "docs" / "conversation-after-reload.png"
BRIEFING_SCREENSHOT = ROOT / "docs" / "briefing-note.png"
QUESTION = "How many staff transferred into Publica?"
WAIT_S = 60

CHAT_INPUT = (By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]')
SOURCE_CARD = (By.CSS_SELECTOR, '[data-testid="stChatMessage"] [data-testid="stExpander"] summary')
PASSAGE = (By.CSS_SELECTOR, '[data-testid="stChatMessage"] .source-passage')
MESSAGE = (By.CSS_SELECTOR, '[data-testid="stChatMessage"]')
ALERT = (By.CSS_SELECTOR, '[data-testid="stAlert"]')


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
    # Downloads land in the profile's folder without asking, so a test can open what a user would get.
    downloads = profile.parent / "downloads"
    downloads.mkdir(exist_ok=True)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
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
    if width > 600:  # tall enough for the question, the answer and the open source at once: Streamlit keeps a chat
        # scrolled to its bottom, so in a shorter window the picture shows the source card alone
        browser.set_window_size(width, 2000)
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


def _update_docs(shot: Path, target: Path) -> None:
    """Refresh a picture the README shows, on request (LOCALITIES_UPDATE_SCREENSHOT=1), never in an ordinary run."""
    if os.environ.get("LOCALITIES_UPDATE_SCREENSHOT"):
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(shot.read_bytes())


def _type(driver: WebDriver, text: str) -> None:
    box = _wait(driver, ready.element_to_be_clickable(CHAT_INPUT))
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def _answered(driver: WebDriver, count: int) -> list[WebElement]:
    """The chat messages once `count` answers, each with its source cards, are on screen."""
    _wait(driver, lambda d: len(d.find_elements(*SOURCE_CARD)) and len(d.find_elements(*MESSAGE)) >= 2 * count)
    return driver.find_elements(*MESSAGE)


COUNCILLOR = ("How many staff transferred into Publica?", "How much money have councils saved by sharing services?")


@pytest.mark.parametrize("browser", [(1280, 1600)], ids=["1280px"], indirect=True)
def test_a_reload_keeps_the_questions_and_answers(browser: WebDriver, ui_url: str, tmp_path: Path) -> None:
    browser.get(ui_url)
    for number, question in enumerate(COUNCILLOR, start=1):
        _type(browser, question)
        _answered(browser, number)
        _wait(browser, lambda d, n=number: len(d.find_elements(*MESSAGE)) == 2 * n)
    before = [" ".join(m.text.split()) for m in browser.find_elements(*MESSAGE)]
    browser.refresh()
    # The page comes back with the same questions and answers, sources and all, without asking again.
    _wait(browser, lambda d: len(d.find_elements(*MESSAGE)) == 4)
    after = [" ".join(m.text.split()) for m in _answered(browser, 2)]
    assert after == before
    assert all(question in text for question, text in zip(COUNCILLOR, after[::2], strict=True))
    assert "[1]" in after[1]
    # The picture for the README: the page as the councillor finds it after the reload, from the top.
    title = browser.find_element(By.TAG_NAME, "h1")
    for _ in range(2):  # twice: Streamlit keeps a chat scrolled to the bottom while the page settles
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", title)
        time.sleep(0.5)
    shot = tmp_path / "conversation-after-reload.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    _update_docs(shot, RELOAD_SCREENSHOT)
    # New conversation asks first, and the conversation stays until the user says yes.
    _wait(browser, ready.element_to_be_clickable((By.XPATH, "//button[.//p[text()='New conversation']]"))).click()
    _wait(browser, ready.element_to_be_clickable((By.XPATH, "//button[.//p[text()='Yes, clear it']]"))).click()
    _wait(browser, lambda d: not d.find_elements(*MESSAGE))
    browser.refresh()  # and what was cleared stays cleared
    _wait(browser, ready.element_to_be_clickable(CHAT_INPUT))
    time.sleep(2)  # long enough for a kept copy to come back, were there one
    assert not browser.find_elements(*MESSAGE)


@pytest.mark.parametrize("browser", [(1280, 900)], ids=["1280px"], indirect=True)
def test_an_over_long_question_says_the_limit_and_keeps_the_text(browser: WebDriver, ui_url: str) -> None:
    browser.get(ui_url)
    words = "How do district councils share services with their neighbours? "
    question = (words * (MAX_QUESTION_CHARS // len(words) + 2)).strip()
    assert len(question) > MAX_QUESTION_CHARS
    _type(browser, question)
    alert = _wait(browser, ready.visibility_of_element_located(ALERT))
    assert f"up to {MAX_QUESTION_CHARS:,} characters" in alert.text
    assert f"{len(question):,} characters long" in alert.text
    # Nothing typed is lost: the whole question is back in the box, and nothing was asked.
    assert browser.find_element(*CHAT_INPUT).get_attribute("value") == question
    assert not browser.find_elements(*MESSAGE)


def _docx_html(data: bytes) -> str:
    """The Word document's paragraphs as plain HTML, styled by their Word style, to take a picture of it."""
    tags = {"Title": "h1", "Heading 1": "h2", "Heading 2": "h3", "Quote": "blockquote"}
    parts = []
    for paragraph in docx.Document(io.BytesIO(data)).paragraphs:
        tag = tags.get(paragraph.style.name if paragraph.style else "", "p")
        parts.append(f"<{tag}>{html.escape(paragraph.text)}</{tag}>")
    body = "".join(parts)
    style = (
        "body{font-family:serif;max-width:46em;margin:2em auto;line-height:1.45;color:#1a1a1a}"
        "blockquote{font-style:italic;border-left:3px solid #1d4f91;padding-left:1em;margin-left:1em}"
        "h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.4em}h3{font-size:1.05em}"
    )
    return f"<!doctype html><meta charset='utf-8'><style>{style}</style><body>{body}</body>"


@pytest.mark.parametrize("browser", [(1280, 1000)], ids=["1280px"], indirect=True)
def test_the_briefing_note_downloads_with_the_question_its_markers_and_pages(
    browser: WebDriver, ui_url: str, api_url: str, tmp_path: Path
) -> None:
    question = COUNCILLOR[0]
    _ask(browser, ui_url, question)
    button = (By.XPATH, "//button[.//p[text()='Download briefing note']]")
    _wait(browser, ready.element_to_be_clickable(button)).click()
    downloads = tmp_path / "downloads"
    found = _wait(browser, lambda d: [f for f in downloads.glob("*.docx") if f.stat().st_size > 0])
    data = found[0].read_bytes()
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    first = httpx.post(f"{api_url}/ask", json={"question": question}, timeout=30).json()["citations"][0]
    assert "Transformation in localities toolkit (2018)" in text
    assert question in text and "[1]" in text
    assert f"[1] {first['case_study']} — {first['chapter']}" in text
    assert f"passage on page {first['page']}" in text
    assert f"“{' '.join(first['sentences'][0].split())}”" in text
    page = tmp_path / "briefing.html"
    page.write_text(_docx_html(data), encoding="utf-8")
    browser.get(page.as_uri())
    shot = tmp_path / "briefing-note.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    _update_docs(shot, BRIEFING_SCREENSHOT)


def _content_width(driver: WebDriver) -> float:
    script = "return document.querySelector('[data-testid=\"stMainBlockContainer\"]').getBoundingClientRect().width"
    return float(driver.execute_script(script))


@pytest.mark.parametrize("browser", [(1280, 1000)], ids=["1280px"], indirect=True)
def test_the_content_team_page_stays_wide_after_a_search(browser: WebDriver, ui_url: str) -> None:
    browser.get(ui_url)
    _wait(browser, ready.element_to_be_clickable(CHAT_INPUT))
    chat_width = _content_width(browser)
    link = (By.XPATH, "//*[@data-testid='stSidebarNav']//a[contains(., 'Content team')]")
    _wait(browser, ready.element_to_be_clickable(link)).click()
    _wait(browser, ready.element_to_be_clickable((By.XPATH, "//*[text()='Search tester']"))).click()
    wide = _content_width(browser)
    assert wide > chat_width + 150  # the tables get the width the chat does without
    query = _wait(browser, ready.element_to_be_clickable((By.CSS_SELECTOR, 'input[aria-label="Search query"]')))
    query.send_keys("shared chief executive")
    browser.find_element(By.XPATH, "//button[.//p[text()='Search']]").click()
    # Any shown table: with evaluation reports on disk the hidden Evaluation tab holds one too.
    _wait(browser, ready.visibility_of_any_elements_located((By.CSS_SELECTOR, '[data-testid="stDataFrame"]')))
    time.sleep(1)  # the run that drew the table is the one that used to narrow the page
    assert _content_width(browser) > chat_width + 150


@pytest.mark.parametrize("browser", [(420, 900)], ids=["420px"], indirect=True)
def test_on_a_phone_the_menu_says_what_it_is_and_opens_the_pages(browser: WebDriver, ui_url: str) -> None:
    browser.get(ui_url)
    menu = _wait(browser, ready.element_to_be_clickable((By.CSS_SELECTOR, '[data-testid="stExpandSidebarButton"]')))
    script = "return getComputedStyle(arguments[0], '::after').content"
    # A visible word beside the bare » icon (the style arrives with the page's first run, just after the button).
    _wait(browser, lambda d: d.execute_script(script, menu) == '"Menu"', seconds=20)
    menu.click()
    # The page names, once the sidebar has slid in far enough for all of them to be on screen.
    shown = "return [...document.querySelectorAll('[data-testid=\"stSidebarNav\"] a')].map(a => a.innerText)"
    _wait(
        browser, lambda d: all(any(p in t for t in d.execute_script(shown)) for p in ("Case studies", "Content team"))
    )
    links = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNav"] a')
    _wait(browser, lambda d: all(a.is_displayed() for a in links))
