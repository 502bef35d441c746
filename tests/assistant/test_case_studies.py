"""Case studies as the Case studies page lists them: each with a summary a reader can take as the toolkit's own."""

from __future__ import annotations

import re

from core.text import quotable


def test_every_summary_is_a_whole_statement_of_the_toolkit_about_its_case_study(assistant) -> None:  # type: ignore[no-untyped-def]
    """Not a quotation left open ('… get buy-in.”'), an attribution line ('Marcus Jones MP, …'), a sentence pointing
    elsewhere ('The case study below illustrates …') or leaning on the one before ('It demonstrates …')."""
    listed = assistant.case_studies()
    assert len(listed) == len(assistant.store.case_studies())
    for study, summary in listed:
        assert quotable(summary), (study.title, summary)
        assert not re.search(r"[“”\"]|\b(below|above)\b|:$", summary), (study.title, summary)
        assert not re.match(r"(It|This|These|They)\b", summary), (study.title, summary)
        assert len(summary.split()) >= 8 and summary[0].isupper() and summary.endswith((".", "!", "…")), (study.title, summary)


def test_every_summary_is_a_whole_sentence_a_list_of_case_studies_can_quote(assistant) -> None:  # type: ignore[no-untyped-def]
    """User trial 30: a list of case studies showed District Direct as a bare title, its summary cut short at 200
    characters and so not quotable; 13 of 31 were. Every summary is now whole and cited to its passage."""
    from assistant.catalogue_answers import summaries_cited

    studies = [study for study, _ in assistant.case_studies()]
    summaries = {study.id: summary for study, summary in assistant.case_studies()}
    assert not [s for s in summaries.values() if s.endswith("…")]
    assert len(summaries_cited(studies, assistant.store, summaries)) == len(studies)


def test_a_summary_names_its_case_study_where_a_sentence_of_it_does(assistant) -> None:  # type: ignore[no-untyped-def]
    named = [
        summary
        for study, summary in assistant.case_studies()
        if any(word in summary.lower() for word in re.findall(r"[a-z]{4,}", study.title.lower()) if word not in {"council", "councils", "district", "with", "partnership"})
    ]
    assert len(named) >= len(assistant.case_studies()) - 2


def test_a_situation_in_users_words_fits_its_case_study_better_with_the_case_studys_own_words(assistant) -> None:  # type: ignore[no-untyped-def]
    """The follow-up probes' first turns (written from the topic sheet alone) each describe one case study's situation
    in a user's words. Measured: the case study whose whole text fits best is the probe's for 83 of 117 by the
    vectors alone, 93 with the question's subject words matched against each case study's text as well."""
    from assistant.case_studies import CaseStudyIndex
    from assistant.question import english_words, subject_words
    from core.lexical import lexical_tokens
    from evals.follow_ups import PROBES_DIR, load_conversations

    index = CaseStudyIndex(assistant.store, english_words())
    share = assistant.params.case_lexical_share
    conversations = [c for path in sorted(PROBES_DIR.glob("follow_ups_*.jsonl")) for c in load_conversations(path)]
    alone = with_words = 0
    for conversation in conversations:
        question = conversation.turns[0]
        vector = assistant.retriever.encode(question)
        wanted = index.titles.index(conversation.case_study)
        alone += int(index.fit(vector).argmax()) == wanted
        with_words += int(index.fit(vector, lexical_tokens(subject_words(question)), share).argmax()) == wanted
    assert len(conversations) >= 117
    assert with_words >= 93 and with_words > alone + 5, (alone, with_words)


def test_an_answer_quoting_a_case_study_is_not_filled_from_one_that_fits_far_worse(assistant) -> None:  # type: ignore[no-untyped-def]
    """User trial 29's lonely estate got Craven's project, then Wyre Forest's litter picking and Lincolnshire's 'we
    can't up and leave'. Over the follow-up probes' first turns (written from the topic sheet alone), once an answer
    quotes a case study no other sentence is of one fitting the question as a whole far below the best
    (`RetrievalParams.case_fill_margin`); unless every sentence may come from anywhere, some did."""
    from assistant.answer import unfitting_case_studies
    from evals.follow_ups import PROBES_DIR, load_conversations

    conversations = [c for path in sorted(PROBES_DIR.glob("follow_ups_*.jsonl")) for c in load_conversations(path)]
    loose = assistant.params.model_copy(update={"case_fill_margin": 1000.0})
    margin = assistant.params.case_fill_margin
    padded = padded_loosely = 0
    for conversation in conversations:
        question = conversation.turns[0]
        unfitting = unfitting_case_studies(assistant.search(question), margin)
        for params, counted in ((assistant.params, "served"), (loose, "loose")):
            studies = [c.hit.passage.case_study for c in assistant.ask(question, params=params).citations]
            first = next((s for s in studies if s), None)
            later = {s for s in studies if s and s != first and s in unfitting}
            if counted == "served":
                padded += bool(later)
            else:
                padded_loosely += bool(later)
    assert padded == 0 and padded_loosely > 5, (padded, padded_loosely)
