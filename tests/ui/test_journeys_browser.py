"""What users tripped on when walking the product in headless Chromium (real `localities serve` and `localities ui`):
the content team's tabs after a refused token, a case study opened from far down the list (and the search lost on
the way back), and a case study opened from an answer with no way back to the conversation but the menu."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.common.exceptions import ElementClickInterceptedException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ready

from tests.ui.conftest import ADMIN_TOKEN
from tests.ui.test_browser import _chromium, _wait

pytestmark = pytest.mark.browser

TAB = "//*[@role='tab'][contains(., '{}')]"
TOKEN_FIELD = (By.CSS_SELECTOR, 'input[aria-label="Admin token"]')
SEARCH = (By.CSS_SELECTOR, 'input[aria-label="Search the case studies"]')
MESSAGES = (By.CSS_SELECTOR, '[data-testid="stChatMessage"]')


@pytest.fixture()
def chromium(tmp_path: Path) -> Iterator[WebDriver]:
    driver = _chromium(tmp_path / "profile", 1280, 900)
    try:
        yield driver
    finally:
        driver.quit()


def _click(driver: WebDriver, element: WebElement, attempts: int = 5) -> None:
    """Click as a user would, with the element scrolled clear of the question box pinned to the page's bottom. While
    an answer is still being laid out, the element can sit under another for a moment (CI once found a caption over a
    source card): like a user, click again once the page has settled."""
    for attempt in range(attempts):
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


def _open_card(driver: WebDriver, card: tuple[str, str], inside: tuple[str, str], attempts: int = 3) -> None:
    """Open a source card until what it holds shows. A card clicked while its answer is still being laid out can be
    drawn again closed (CI once waited a minute for a card's button): a user would simply click it again."""
    for attempt in range(attempts):
        summary = _wait(driver, ready.element_to_be_clickable(card))
        if not driver.execute_script("return arguments[0].closest('details').open", summary):
            _click(driver, summary)
        try:
            _wait(driver, ready.element_to_be_clickable(inside), seconds=10)
            return
        except TimeoutException:
            if attempt == attempts - 1:
                raise


def _button_labelled(label: str) -> tuple[str, str]:
    return (By.XPATH, f"//button[.//p[text()='{label}']]")


def _button(driver: WebDriver, label: str) -> None:
    _click(driver, _wait(driver, ready.element_to_be_clickable(_button_labelled(label))))


def _selected_tab(driver: WebDriver) -> str:
    return " ".join(t.text for t in driver.find_elements(By.XPATH, "//*[@role='tab'][@aria-selected='true']"))


def _main_text(driver: WebDriver) -> str:
    return " ".join(driver.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]').text.split())


def _give_token(driver: WebDriver, token: str) -> None:
    field = _wait(driver, ready.element_to_be_clickable(TOKEN_FIELD))
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(token, Keys.ENTER)


def test_a_refused_token_leaves_the_content_team_on_the_tab_they_were_using(chromium: WebDriver, ui_url: str) -> None:
    chromium.get(f"{ui_url}/content_team")
    _give_token(chromium, "not-the-token")
    _wait(chromium, ready.element_to_be_clickable((By.XPATH, TAB.format("Feedback")))).click()
    _button(chromium, "Show feedback")
    _wait(chromium, lambda d: "admin token is not valid" in _main_text(d))
    # The refusal appears above the tabs; the page must not jump back to the first tab ("Evaluation").
    assert _selected_tab(chromium) == "Feedback"
    _give_token(chromium, ADMIN_TOKEN)
    _button(chromium, "Show feedback")
    _wait(chromium, lambda d: "answers rated" in _main_text(d))
    assert _selected_tab(chromium) == "Feedback"


def _settled_text(driver: WebDriver, pause_s: float = 0.5) -> str:
    """The page's text once two readings a moment apart agree: Streamlit draws a page element by element."""
    before = _main_text(driver)
    for _ in range(20):
        time.sleep(pause_s)
        now = _main_text(driver)
        if now == before:
            return now
        before = now
    return before


def test_a_case_study_opened_from_far_down_the_list_is_read_from_its_title_and_back_keeps_the_search(
    chromium: WebDriver, ui_url: str
) -> None:
    chromium.get(f"{ui_url}/case_studies")
    search = _wait(chromium, ready.element_to_be_clickable(SEARCH))
    search.send_keys("sharing a planning team", Keys.ENTER)
    _wait(chromium, lambda d: "filtered by the words" in _main_text(d))
    read = (By.XPATH, "//button[.//p[text()='Read the case study']]")
    last = _wait(chromium, lambda d: len(d.find_elements(*read)) >= 3 and d.find_elements(*read)[-1])
    listed = _settled_text(chromium)
    chromium.execute_script("arguments[0].scrollIntoView({block: 'center'})", last)
    title = last.find_element(By.XPATH, "./ancestor::*[.//strong][1]//strong").text
    last.click()
    heading = _wait(chromium, ready.visibility_of_element_located((By.TAG_NAME, "h2")))
    assert heading.text.strip() == title
    # The title and the way back are on screen, not scrolled away above the case study's middle.
    _wait(chromium, lambda d: d.execute_script("return arguments[0].getBoundingClientRect().top", heading) >= 0)
    back = chromium.find_element(By.XPATH, "//button[.//p[text()='Back to all case studies']]")
    assert chromium.execute_script("return arguments[0].getBoundingClientRect().top", back) >= 0
    back.click()
    _wait(chromium, lambda d: "filtered by the words" in _main_text(d))
    assert chromium.find_element(*SEARCH).get_attribute("value") == "sharing a planning team"
    # Streamlit draws the list over the case study element by element: CI once read the page while the case study's
    # body still stood where the third summary goes. What counts is the list the user is left looking at.
    try:
        _wait(chromium, lambda d: _main_text(d) == listed)
    except TimeoutException:
        assert _main_text(chromium) == listed


def test_a_case_study_opened_from_an_answer_leads_back_to_the_conversation(chromium: WebDriver, ui_url: str) -> None:
    question = "How many staff transferred into Publica?"
    chromium.get(ui_url)
    box = _wait(chromium, ready.element_to_be_clickable((By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]')))
    box.send_keys(question, Keys.ENTER)
    card = (By.CSS_SELECTOR, '[data-testid="stChatMessage"] [data-testid="stExpander"] summary')
    _open_card(chromium, card, _button_labelled("Read the whole case study: Publica Group"))
    _button(chromium, "Read the whole case study: Publica Group")
    _wait(chromium, lambda d: "Publica Group" in [h.text for h in d.find_elements(By.TAG_NAME, "h2")])
    _button(chromium, "Back to your conversation")
    _wait(chromium, lambda d: d.current_url.rstrip("/") == ui_url and len(d.find_elements(*MESSAGES)) == 2)
    assert question in chromium.find_elements(*MESSAGES)[0].text
