"""The chat page under AppTest, against a real `localities serve`: answers, sources, history, abstentions, failures."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from streamlit.testing.v1 import AppTest

from assistant.http.schemas import MAX_QUESTION_CHARS
from core.page_labels import passage_page_label
from tests.ui.conftest import AppFactory
from tests.ui.processes import free_port, silent_server
from tests.ui.reading import all_text, answers, button_labels, is_abstention, questions, source_cards
from ui.state import Conversation

# Not covered, but near a case study the toolkit has (written for these tests).
# Written for these tests: near enough to name nearby topics, outside what the toolkit covers.
OUT_OF_SCOPE = "What grants are there for fixing a village hall roof?"


def _ask(app: AppTest, question: str) -> AppTest:
    app.chat_input[0].set_value(question).run()
    assert not app.exception, app.exception
    return app


def test_first_visit_explains_what_it_can_and_cannot_do_and_offers_starters(chat: AppTest) -> None:
    text = all_text(chat)
    for promise in ("only the toolkit's own words", "2018", "not legal advice", "can be wrong", "check the sources"):
        assert promise in text
    starters = [b for b in chat.button if b.key and b.key.startswith("starter-")]
    assert 3 <= len(starters) <= 4
    assert not chat.chat_message


def test_a_starter_question_gets_an_answer_with_source_cards(chat: AppTest, api_url: str) -> None:
    starter = chat.button(key="starter-0")
    starter.click().run()
    assert not chat.exception
    assert questions(chat) == [starter.label]
    [answer] = answers(chat)
    cards = source_cards(answer)
    expected = httpx.post(f"{api_url}/ask", json={"question": starter.label}, timeout=30).json()
    assert expected["answered"] and cards
    assert [(c.n, c.passage_id) for c in cards] == [(c["n"], c["passage_id"]) for c in expected["citations"]]
    for card, citation in zip(cards, expected["citations"], strict=False):
        # The page as the API words it: its page, the pages it lies between, or 'page unknown'.
        assert card.label.endswith(passage_page_label(citation["page"], citation["earliest_page"], citation["latest_page"]))
        assert citation["chapter"] in card.label
        assert "<mark" in card.html  # the quoted sentences are highlighted in the passage
    # Collapsed until the user opens one.
    assert all(not e.proto.expanded for e in answer.expander)
    assert not [b for b in chat.button if b.key and b.key.startswith("starter-")]


def test_a_follow_up_sends_the_conversation_so_far(chat: AppTest, api_url: str) -> None:
    first = "tell me about the garden communities in north essex"
    follow_up = "how many homes could they end up building?"
    _ask(chat, first)
    _ask(chat, follow_up)
    assert questions(chat) == [first, follow_up]
    conversation: Conversation = chat.session_state["conversation"]
    history = [{"role": t.role, "content": t.content} for t in conversation.history()[:2]]
    assert history[0] == {"role": "user", "content": first} and history[1]["role"] == "assistant"
    with_history = httpx.post(f"{api_url}/ask", json={"question": follow_up, "history": history}, timeout=30).json()
    alone = httpx.post(f"{api_url}/ask", json={"question": follow_up}, timeout=30).json()
    rendered = [(c.n, c.passage_id) for c in source_cards(answers(chat)[-1])]
    assert rendered == [(c["n"], c["passage_id"]) for c in with_history["citations"]]
    # The history matters for this question, so the page must have sent it.
    assert rendered != [(c["n"], c["passage_id"]) for c in alone["citations"]]
    assert "40,000" in answers(chat)[-1].markdown[0].value


def test_new_conversation_asks_before_clearing_answers_then_starts_again(chat: AppTest) -> None:
    _ask(chat, "How do district councils share services?")
    before = chat.session_state["conversation"].id
    next(b for b in chat.button if b.label == "New conversation").click().run()
    # One click only asks: the answer is still there, with a way back.
    assert "The 1 answer below will be cleared" in chat.warning[0].value
    assert questions(chat) == ["How do district councils share services?"]
    chat.button(key="keep-conversation").click().run()
    assert not chat.warning and len(answers(chat)) == 1
    assert chat.session_state["conversation"].id == before
    next(b for b in chat.button if b.label == "New conversation").click().run()
    chat.button(key="confirm-new").click().run()
    assert not chat.exception and not chat.chat_message
    assert chat.session_state["conversation"].id != before
    assert chat.session_state["conversation"].history() == []
    assert any(b.key == "starter-0" for b in chat.button)


def test_an_abstention_says_so_and_offers_nearby_topics_to_ask_about(chat: AppTest, api_url: str) -> None:
    expected = httpx.post(f"{api_url}/ask", json={"question": OUT_OF_SCOPE}, timeout=30).json()
    assert not expected["answered"]
    _ask(chat, OUT_OF_SCOPE)
    [answer] = answers(chat)
    assert is_abstention(answer)
    assert "does not seem to cover" in answer.warning[0].value
    topics = [b for b in answer.button if "-topic-" in (b.key or "")]
    assert [t.label for t in topics] == expected["nearby_topics"] and topics
    assert all(t.label in expected["answer"] for t in topics)  # the answer's text still names them
    topics[0].click().run()
    assert not chat.exception
    assert questions(chat)[-1] == f"What does the toolkit say about {topics[0].label}?"
    assert len(answers(chat)) == 2


def test_service_down_gives_a_friendly_message_and_try_again(
    make_app: AppFactory, point_app_at: Callable[..., None], api_url: str
) -> None:
    chat = make_app()
    point_app_at(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    _ask(chat, "How do district councils share services?")
    assert not chat.exception
    assert [e.value for e in chat.error] and "isn't answering" in chat.error[0].value
    assert "Traceback" not in all_text(chat) and "httpx" not in all_text(chat)
    assert "Try again" in button_labels(chat)
    assert questions(chat) == ["How do district councils share services?"]  # still on screen, ready to retry
    # The service comes back: "Try again" asks the same question and the answer appears.
    point_app_at(api_url)
    next(b for b in chat.button if b.label == "Try again").click().run()
    assert not chat.exception and not chat.error
    assert questions(chat) == ["How do district councils share services?"]
    assert source_cards(answers(chat)[0])


def test_a_slow_service_times_out_with_a_friendly_message(
    make_app: AppFactory, point_app_at: Callable[..., None]
) -> None:
    chat = make_app()
    with silent_server() as url:
        point_app_at(url, timeout_s=1)
        _ask(chat, "How do district councils share services?")
    assert "took longer than 1 second" in chat.error[0].value
    assert "Try again" in button_labels(chat)


def test_an_over_long_question_is_kept_back_with_a_message_naming_the_limit(chat: AppTest, api_url: str) -> None:
    limit = MAX_QUESTION_CHARS
    too_long = "How do district councils share services? " * (limit // 40 + 5)
    _ask(chat, too_long)
    # Nothing was asked (the service would refuse it), and the message says why and by how much.
    assert not chat.chat_message
    [message] = [e.value for e in chat.error]
    assert f"up to {limit:,} characters" in message and f"{len(too_long.strip()):,} characters long" in message
    assert f"by at least {len(too_long.strip()) - limit:,}" in message
    refused = httpx.post(f"{api_url}/ask", json={"question": too_long}, timeout=30)
    assert refused.status_code == 422  # the limit named is the service's own
    # Shortened to the limit, it is asked as usual.
    _ask(chat, too_long.strip()[:limit])
    assert not chat.error and len(answers(chat)) == 1


def test_a_partial_answer_shows_what_the_toolkit_does_not_give_then_the_closest_with_sources(
    chat: AppTest, api_url: str
) -> None:
    question = "How much has the Publica Group company saved its councils since 2023?"
    expected = httpx.post(f"{api_url}/ask", json={"question": question}, timeout=30).json()
    assert expected["status"] == "partial" and expected["citations"]
    _ask(chat, question)
    [answer] = answers(chat)
    assert answer.info[0].value.startswith("The toolkit (2018) does not")
    assert not answer.warning
    assert [(c.n, c.passage_id) for c in source_cards(answer)] == [
        (c["n"], c["passage_id"]) for c in expected["citations"]
    ]


def test_a_definition_from_the_assistants_glossary_is_set_apart_from_the_toolkits_words(
    chat: AppTest, api_url: str
) -> None:
    question = "what does LEP mean?"
    expected = httpx.post(f"{api_url}/ask", json={"question": question}, timeout=30).json()
    assert expected["answered"] and expected["definition"]
    definition = expected["definition"]["definition"]
    _ask(chat, question)
    [answer] = answers(chat)
    # The assistant's own words in a box of their own that says whose words they are ...
    [box] = answer.info
    boxed = box.value.replace("\\", "")
    assert definition in boxed and "not the toolkit's words" in boxed
    # ... and not in the running text, where they read like a quotation from the toolkit.
    running = " ".join(m.value.replace("\\", "") for m in answer.markdown)
    assert definition not in running
    assert "Where the toolkit uses it" in running and "[1]" in running and source_cards(answer)


def test_an_abstention_with_nothing_near_offers_a_way_on(chat: AppTest, api_url: str) -> None:
    question = "what about the weather"
    expected = httpx.post(f"{api_url}/ask", json={"question": question}, timeout=30).json()
    assert not expected["answered"] and expected["nearby_topics"] == []
    _ask(chat, question)
    [answer] = answers(chat)
    assert is_abstention(answer)
    assert any("Try asking in other words" in m.value for m in answer.markdown)
    [link] = answer.get("page_link")
    assert link.proto.label == "Browse the case studies" and link.proto.page.endswith("case_studies")
