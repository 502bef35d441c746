"""The case studies page under AppTest, against a real `localities serve`: list, filter, read, ask about one."""

from __future__ import annotations

import httpx
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import AppFactory
from tests.ui.reading import answers, button_labels, questions, source_cards

PAGE = "pages/case_studies.py"
CHAT = "pages/chat.py"


def _shown(app: AppTest) -> list[str]:
    """The titles of the case studies listed, in order."""
    return [m.value.strip("*").replace("\\", "") for m in app.markdown if m.value.startswith("**")]


def test_every_case_study_is_listed_with_chapter_page_and_summary(make_app: AppFactory, api_url: str) -> None:
    studies = httpx.get(f"{api_url}/case-studies").json()
    app = make_app(PAGE)
    assert _shown(app) == [s["title"] for s in studies]
    captions = " ".join(c.value.replace("\\", "") for c in app.caption)
    markdown = " ".join(m.value.replace("\\", "") for m in app.markdown)
    for study in studies:
        assert study["chapter"] in captions and study["summary"] in markdown
        assert f"{study['chapter']} · {study['page_label']}" in captions and study["page_label"].startswith(
            "starts on page"
        )


def test_filter_by_theme_and_by_words(make_app: AppFactory, api_url: str) -> None:
    studies = httpx.get(f"{api_url}/case-studies").json()
    app = make_app(PAGE)
    theme = "Collaborating for better lives"
    app.selectbox(key="case-theme").select(theme).run()
    assert _shown(app) == [s["title"] for s in studies if s["chapter"] == theme]
    app.text_input(key="case-words").input("loneliness").run()
    # The case study that names the word comes first; others the search finds about it follow, all in the theme.
    assert _shown(app)[0] == "Tackling loneliness (Craven District Council)"
    assert set(_shown(app)) <= {s["title"] for s in studies if s["chapter"] == theme}
    app.selectbox(key="case-theme").select("All themes").run()
    app.text_input(key="case-words").input("no such words anywhere").run()
    assert _shown(app) == [] and "No case study matches" in app.info[0].value


def test_searching_in_other_words_finds_the_case_study_about_them(make_app: AppFactory, api_url: str) -> None:
    words = "councils pooling their spatial planning"  # no case study's title or summary contains all of these
    studies = httpx.get(f"{api_url}/case-studies").json()
    assert not [
        s for s in studies if all(w in f"{s['title']} {s['summary']} {s['chapter']}".lower() for w in words.split())
    ]
    found = httpx.get(f"{api_url}/case-studies", params={"q": words}).json()
    assert found and found[0]["title"] == "Central Lincolnshire Planning Authority"
    app = make_app(PAGE)
    app.text_input(key="case-words").input(words).run()
    assert _shown(app)[: len(found)] == [s["title"] for s in found]


def test_opening_a_case_study_shows_its_full_text(make_app: AppFactory, api_url: str) -> None:
    full = httpx.get(f"{api_url}/case-studies/publica-group").json()
    app = make_app(PAGE)
    app.button(key="read-publica-group").click().run()
    assert app.header[0].value == "Publica Group"
    shown = " ".join(m.value.replace("\\", "") for m in app.markdown)
    for paragraph in full["text"].split("\n\n"):
        assert " ".join(paragraph.split()) in shown
    # The case study's first page under its title; each passage's own page where the page changes.
    captions = [c.value.replace("\\", "") for c in app.caption]
    assert captions[0] == f"{full['chapter']} · starts on page {full['page']}"
    assert {f"passage on page {p['page']}" for p in full["passages"]} == {
        c.rsplit(" · ", 1)[1] for c in captions if "passage on page" in c
    }
    next(b for b in app.button if b.label == "Back to all case studies").click().run()
    assert len(_shown(app)) == len(httpx.get(f"{api_url}/case-studies").json())


def test_ask_about_a_case_study_scopes_the_chat_to_it(make_app: AppFactory, api_url: str) -> None:
    app = make_app(PAGE)
    app.button(key="ask-publica-group").click().run()
    assert app.title[0].value == "Ask the toolkit"  # the page moved to the chat
    app.switch_page(CHAT)  # AppTest keeps its own page; follow the app's move
    app.run()
    assert "Publica Group" in app.info[0].value
    question = "How did the councils work together?"
    app.chat_input[0].set_value(question).run()
    assert not app.exception and questions(app) == [question]
    cards = source_cards(answers(app)[0])
    scoped = httpx.post(
        f"{api_url}/ask", json={"question": question, "filters": {"case_study": "publica-group"}}
    ).json()
    unscoped = httpx.post(f"{api_url}/ask", json={"question": question}).json()
    assert [(c.n, c.passage_id) for c in cards] == [(c["n"], c["passage_id"]) for c in scoped["citations"]]
    assert scoped["citations"] != unscoped["citations"]  # so matching the scoped answer shows the filter was sent
    assert all("Publica Group" in c.label for c in cards)
    # Clearing the scope: the notice goes and the next question is about the whole toolkit (no filter sent).
    next(b for b in app.button if b.label == "Ask about the whole toolkit instead").click().run()
    assert not app.info
    history = [{"role": t.role, "content": t.content} for t in app.session_state["conversation"].history()]
    other = "How have district councils worked with Local Enterprise Partnerships?"
    app.chat_input[0].set_value(other).run()
    rendered = [(c.n, c.passage_id) for c in source_cards(answers(app)[-1])]
    body = {"question": other, "history": history}
    whole = httpx.post(f"{api_url}/ask", json=body).json()
    narrowed = httpx.post(f"{api_url}/ask", json={**body, "filters": {"case_study": "publica-group"}}).json()
    assert rendered and rendered == [(c["n"], c["passage_id"]) for c in whole["citations"]]
    assert rendered != [(c["n"], c["passage_id"]) for c in narrowed["citations"]]


def test_a_source_card_links_to_its_case_study(make_app: AppFactory) -> None:
    app = make_app()
    app.chat_input[0].set_value("How many staff transferred into Publica?").run()
    link = next(b for b in app.button if b.label.startswith("Read the whole case study: Publica Group"))
    link.click().run()
    app.switch_page(PAGE).run()
    assert app.header[0].value == "Publica Group"
    assert "Ask about this case study" in button_labels(app)


def test_related_case_studies_under_an_answer_open_the_case_study(make_app: AppFactory, api_url: str) -> None:
    question = "How many staff transferred into Publica?"
    related = httpx.post(f"{api_url}/ask", json={"question": question}).json()["related_case_studies"]
    assert related
    app = make_app()
    app.chat_input[0].set_value(question).run()
    [answer] = answers(app)
    assert "Related case studies:" not in answer.markdown[0].value  # shown as buttons instead of plain text
    buttons = [b for b in answer.button if "-related-" in (b.key or "")]
    assert [b.label for b in buttons] == [f"{r['title']} (starts on page {r['page']})" for r in related]
    buttons[0].click().run()
    app.switch_page(PAGE).run()  # AppTest keeps its own page; follow the app's move
    assert not app.exception
    assert app.header[0].value == related[0]["title"]


def test_active_filters_are_named_and_clear_in_one_click(make_app: AppFactory, api_url: str) -> None:
    studies = httpx.get(f"{api_url}/case-studies").json()
    app = make_app(PAGE)
    assert f"Showing all {len(studies)} case studies." in [c.value for c in app.caption]
    assert "Clear filters" not in button_labels(app)
    theme = "Collaborating for better lives"
    app.selectbox(key="case-theme").select(theme).run()
    app.text_input(key="case-words").input("Publica").run()
    # Publica is in another theme: the page says both filters are on, rather than a bare "0 of 31".
    assert _shown(app) == []
    caption = next(c.value for c in app.caption if c.value.startswith("Showing"))
    assert f"filtered by the theme “{theme}” and the words “Publica”" in caption
    assert f"the theme “{theme}”" in app.info[0].value
    app.button(key="clear-filters").click().run()
    assert not app.exception
    assert app.selectbox(key="case-theme").value == "All themes" and app.text_input(key="case-words").value == ""
    assert _shown(app) == [s["title"] for s in studies]


def test_asking_about_a_case_study_asks_before_replacing_a_conversation_with_answers(make_app: AppFactory) -> None:
    app = make_app()
    app.chat_input[0].set_value("How many staff transferred into Publica?").run()
    asked = list(app.session_state["conversation"].messages)
    app.switch_page(PAGE).run()
    app.button(key="ask-publica-group").click().run()
    assert not app.exception
    # Still on the case studies, the conversation untouched, a question asked about it.
    assert app.title[0].value == "Case studies"
    assert app.session_state["conversation"].messages == asked
    assert "answer of your current conversation will be cleared" in app.warning[0].value
    next(b for b in app.button if b.label == "No, keep my conversation").click().run()
    assert not app.warning and app.session_state["conversation"].messages == asked
    app.button(key="ask-publica-group").click().run()
    next(b for b in app.button if b.label == "Yes, start a new conversation").click().run()
    assert app.title[0].value == "Ask the toolkit"  # moved to the chat, scoped, with a fresh conversation
    conversation = app.session_state["conversation"]
    assert not conversation.messages and conversation.scope.id == "publica-group"


def test_back_to_all_case_studies_keeps_the_search_and_the_theme(make_app: AppFactory) -> None:
    app = make_app(PAGE)
    theme, words = "Collaborating for resilience and impact", "shared management"
    app.selectbox(key="case-theme").select(theme).run()
    app.text_input(key="case-words").input(words).run()
    listed = _shown(app)
    assert listed
    next(b for b in app.button if b.key and b.key.startswith("read-")).click().run()
    assert app.header  # the case study, in full
    next(b for b in app.button if b.label == "Back to all case studies").click().run()
    assert app.selectbox(key="case-theme").value == theme
    assert app.text_input(key="case-words").value == words
    assert _shown(app) == listed


def test_only_a_case_study_opened_from_an_answer_offers_the_way_back_to_the_conversation(make_app: AppFactory) -> None:
    app = make_app(PAGE)
    app.button(key="read-publica-group").click().run()
    assert "Back to your conversation" not in button_labels(app)
    chat = make_app()
    chat.chat_input[0].set_value("How many staff transferred into Publica?").run()
    next(b for b in chat.button if b.label.startswith("Read the whole case study: Publica Group")).click().run()
    chat.switch_page(PAGE).run()  # AppTest keeps its own page; follow the app's move
    assert chat.header[0].value == "Publica Group"
    assert "Back to your conversation" in button_labels(chat)
