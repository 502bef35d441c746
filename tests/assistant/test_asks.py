"""Question understanding: the asks of a compound question, the answer each wants, the names and the time.

Questions are written for these tests in our own words; none is taken from an evaluation set or the issue."""

from __future__ import annotations

import pytest

from assistant.asks import answer_type, named_entities, split_asks, time_of, understand
from assistant.what_is import defined_term, definition_searched


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("What is a shared service, and how did the councils in Norfolk set theirs up?",
         ["What is a shared service", "how did the councils in Norfolk set theirs up?"]),
        ("what's a combined authority and should a small district join one?",
         ["what's a combined authority", "should a small district join one?"]),
        ("Why do councils merge? What did the merged council save?",
         ["Why do councils merge?", "What did the merged council save?"]),
        ("Is there a best size for a council, or is that a myth?", ["Is there a best size for a council, or is that a myth?"]),
        # Few words of its own, but it wants a name or a date of its own, as it would asked alone.
        ("what is the shared venture and who owns it", ["what is the shared venture", "who owns it"]),
        ("what is the hub and where is it?", ["what is the hub", "where is it?"]),
        ("We share a chief executive with our neighbour. Has any pair gone on to merge fully?",
         ["We share a chief executive with our neighbour. Has any pair gone on to merge fully?"]),
        ("How do district councils work with health partners on prevention?",
         ["How do district councils work with health partners on prevention?"]),
        ("tell me about parish councils taking on assets", ["tell me about parish councils taking on assets"]),
        # A clause opening with a question word can set the scene for the ask after it.
        ("When a county sells land for housing, can the district keep some of the receipts?",
         ["When a county sells land for housing, can the district keep some of the receipts?"]),
        ("If two councils share a depot, who pays for repairs?", ["If two councils share a depot, who pays for repairs?"]),
        ("When did the councils merge, and what did it cost?", ["When did the councils merge", "what did it cost?"]),
        ("Where's the hub, when did it open?", ["Where's the hub", "when did it open?"]),
        # A mistyped question word still opens an ask.
        ("wat is a joint committee and do we need one?", ["what is a joint committee", "do we need one?"]),
        # A subject named before the ask about it asks nothing itself (curated q131 had opened on the mergers' list).
        ("what about the Somerset one - why did they go for it?", ["what about the Somerset one, why did they go for it?"]),
        ("And what about Publica, how was it funded?", ["what about Publica, how was it funded?"]),
        ("What about how they did it, and what did it save?", ["What about how they did it", "what did it save?"]),
        # A thing named and then asked about asks of it, and the ask after is its own (user trial 40's 'who funded
        # it' was read as the scene of one ask).
        ("the shared depot idea - what was that and who paid for it", ["the shared depot idea, what was that", "who paid for it"]),
        ("the joint venture - what is it and who owns it?", ["the joint venture, what is it", "who owns it?"]),
        # 'And did it …?' asks something new; 'or is it …?' asks the same thing another way.
        ("who ran the hub and did it actually work?", ["who ran the hub", "did it actually work?"]),
        ("Did the merger save money, or was that just talk?", ["Did the merger save money, or was that just talk?"]),
    ],
)
def test_a_compound_question_is_split_in_its_asks(question: str, asks: list[str]) -> None:
    assert split_asks(question) == asks


@pytest.mark.parametrize(
    ("ask", "wanted"),
    [
        ("How much did the joint waste service save each year?", "amount"),
        ("how many councils signed up to the pilot?", "count"),
        ("When did the two councils become one?", "date"),
        ("when's the hub opening?", "date"),
        ("wat is a trading company?", "definition"),
        ("hw do we get partners to trust us?", "how_to"),
        # The scene it sets is not what it asks.
        ("When a county sells land for housing, can the district keep some of the receipts?", "yes_no"),
        ("Where two councils share staff, who employs them?", "name"),
        ("If we merged, would we keep both town halls?", "yes_no"),
        ("Which county's councils pooled their business rates?", "name"),
        ("Where was the hub based?", "place"),
        ("Is a merger allowed without a vote of the Secretary of State?", "yes_no"),
        ("What is a trading company?", "definition"),
        ("what does the precept mean?", "definition"),
        # Put casually, as councillors type it.
        ("whats a precept", "definition"),
        ("what exactly is a trading company?", "definition"),
        ("what's this Teckal thing everyone keeps going on about?", "definition"),
        ("what is the Lightbulb project all about?", "definition"),
        ("Has anyone shared a building with the jobcentre?", "example"),
        ("Any example of a district setting up a town council?", "example"),
        ("Why should districts bother with health?", "reason"),
        ("How much does it matter that residents agree?", "reason"),
        # A motive weighed, whatever money word it names.
        ("was the shared waste team mainly about saving money?", "reason"),
        ("Was the merger driven by cost?", "reason"),
        ("How much did the shared legal team cost to set up?", "amount"),
        # Whether something pays is weighed, not a sum; what a thing is worth is a sum.
        ("is it really worth merging our planning teams?", "reason"),
        ("did the members think the shared waste team was worth it?", "reason"),
        ("what was the leisure contract worth?", "amount"),
        ("How do we get partners to trust us?", "how_to"),
        ("What did the hospital scheme achieve?", "outcome"),
        # An assessment's name is no outcome asked (follow-up probe f13's first turn).
        ("should we ask developers for an equality impact assesment?", "yes_no"),
        ("did the scheme have much impact on rough sleeping?", "outcome"),
        ("tell me about the toolkit's chapters", "description"),
        ("We are a small council. Has another district done this?", "example"),
        # Whether it has been done somewhere is a case study asked for; whether it worked, how it turned out.
        ("We want one chief executive for two councils far apart. Has that worked anywhere?", "example"),
        ("Any precedent for pooling parking enforcement?", "example"),
        ("Has the shared legal team worked?", "outcome"),
        # A means asked is a how-to, not an example of someone who used one.
        ("is there a simple way to rank the organisations we deal with?", "how_to"),
        ("are there any tools for mapping our stakeholders?", "how_to"),
        ("is there a council that has mapped its stakeholders?", "example"),
        # Likeness to the user's own case asks for a precedent; 'what is it like' asks no example.
        ("We share a few services already. Anything in the toolkit like that?", "example"),
        ("has any council like ours done it?", "example"),
        ("what is it like for a district inside a combined authority?", "description"),
        # The user's own situation told before the question, in the same sentence (user trial 43).
        ("we run a shared legal team with the county, what's a Teckal company?", "definition"),
        ("our chief exec went part-time last year, who covers the statutory roles?", "name"),
        ("our members are split on it, can two districts undo a merger?", "yes_no"),
        # A question before the comma is what is asked, whatever follows.
        ("Roughly how many councils took part, what did they get?", "count"),
    ],
)
def test_each_ask_wants_a_kind_of_answer(ask: str, wanted: str) -> None:
    assert answer_type(ask) == wanted


def test_names_are_the_words_the_toolkit_uses_as_names_in_runs() -> None:
    proper = {"suffolk", "coastal", "waveney", "kent", "publica"}
    names = named_entities("did suffolk coastal and Waveney save more than Kent?", proper, ["Publica Group"])
    assert names == ("suffolk coastal", "Waveney", "Kent")
    assert named_entities("what did the Publica Group company do?", proper, ["Publica Group"]) == ("Publica", "Publica Group")
    # A title typed otherwise punctuated still names it.
    assert named_entities("who is in the five council partnership?", set(), ["Five-Council partnership"]) == ("Five-Council partnership",)
    assert named_entities("how do councils share staff?", proper) == ()
    # A title by its name alone, without what it adds after a bracket, a colon or a dash; not by one word of it.
    titles = ["Healthy Homes on Prescription (Wycombe District Council)", "Early Help Hub – South Norfolk and partners", "Horizon 2050: a vision"]
    assert named_entities("what did the healthy homes on prescription scheme cost?", set(), titles) == (titles[0],)
    assert named_entities("who set up the early help hub?", set(), titles) == (titles[1],)
    assert named_entities("is horizon 2050 still going?", set(), titles) == (titles[2],)
    assert named_entities("how do homes on prescription work?", set(), titles) == ()
    # A possessive names its owner, with either apostrophe.
    assert named_entities("what was Publica's budget, and Kent’s?", proper) == ("Publica", "Kent")
    assert named_entities("what did suffolk coastal's merger save?", proper) == ("suffolk coastal",)


def test_the_time_is_the_years_and_the_words_for_after_the_toolkit() -> None:
    assert time_of("What did they save in 2023, and is it still running now?").years == (2023,)
    assert time_of("What did they save in 2023, and is it still running now?").relative == ("still", "now")
    assert time_of("How do councils share staff?") == time_of("")


def test_an_understood_question_puts_its_main_ask_first() -> None:
    understood = understand("Why did the councils merge, and how much did they save?", {"councils"})
    assert understood.compound and understood.main.wants == "reason"
    assert [a.wants for a in understood.asks] == ["reason", "amount"]


def test_a_short_ask_that_wants_something_of_its_own_stands_and_leans_on_the_ask_before() -> None:
    understood = understand("Is there an example of councils pooling their waste teams, and what did they save?")
    assert [a.wants for a in understood.asks] == ["example", "amount"]
    assert understood.asks[1].leans_on == understood.asks[0].text
    assert understood.asks[1].query.endswith("what did they save?")


@pytest.mark.parametrize(
    ("ask", "term", "searched"),
    [
        ("what is a trading company?", "trading company", None),
        ("whats a precept", "precept", None),
        ("what exactly is Teckal?", "Teckal", None),
        ("what's this Teckal thing everyone keeps going on about?", "Teckal", "what is Teckal?"),
        ("whats this shared prosperity fund business", "shared prosperity fund", "what is shared prosperity fund?"),
        ("what is the Lightbulb project all about?", "Lightbulb project", "what is Lightbulb project?"),
        # Pointing back, or asking more than a term: no term.
        ("what is it all about?", None, None),
        ("what's this thing?", None, None),
        ("what are districts hoping to get from the county in return?", None, None),
    ],
)
def test_a_what_is_question_however_casual_names_its_term(ask: str, term: str | None, searched: str | None) -> None:
    """Written for this test: the term is what is defined, and a question put with words that say nothing of it is
    searched as the plain 'what is' question."""
    assert defined_term(ask) == term
    assert definition_searched(ask) == searched

