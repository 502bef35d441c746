"""The toolkit parser on the real corpus: case studies, furniture, spans, attribution and pages."""

from __future__ import annotations

import json
import re

import pytest

from core.models import BACK_MATTER, ParsedDocument, Passage
from core.text import normalise
from ingest.chunk import chunk_paragraphs
from ingest.layout import is_back_cover
from ingest.loaders import CorpusMeta, load_document
from ingest.pages import Line, Page
from tests.conftest import CORPUS_DIR, TOOLKIT


@pytest.fixture(scope="module")
def document() -> ParsedDocument:
    return load_document(TOOLKIT, CorpusMeta.read(CORPUS_DIR))


@pytest.fixture(scope="module")
def chunks(document: ParsedDocument) -> list[Passage]:
    return chunk_paragraphs(document.paragraphs, document.source)


def _contents_titles(text: str) -> list[tuple[str, int]]:
    """Case-study entries of the contents page, read independently of the parser."""
    start = text.index(" Collaborating for \nstronger economies")
    block = text[start : text.index("What’s in the toolkit?")]
    block = block.replace("Peterborough \n 142", "Peterborough 142")
    return [(m.group(1).strip(), int(m.group(2))) for m in re.finditer(r"^\s*(\S.*?\S)\s+(\d{2,3})\s*$", block, re.M)]


def test_every_contents_case_study_is_found_with_its_title_and_page(document: ParsedDocument, toolkit_text: str) -> None:
    expected = _contents_titles(toolkit_text)
    assert len(expected) == 26
    found = {c.title: c.page for c in document.case_studies}
    for title, page in expected:
        assert found.get(title) == page, title


def test_case_studies_without_a_contents_entry_are_kept_by_their_label(document: ParsedDocument) -> None:
    titles = {c.title for c in document.case_studies}
    for title in ("Future Dorset proposals", "Local government reorganisation in Denmark", "Horizon 2050: a place-based vision for Basingstoke and Deane"):
        assert title in titles
    assert len(titles) == 31


def test_six_chapters_in_order_then_the_back_cover(document: ParsedDocument) -> None:
    meta = json.loads((CORPUS_DIR / "toolkit.meta.json").read_text(encoding="utf-8"))[TOOLKIT.name]
    seen: list[str] = []
    for paragraph in document.paragraphs:
        if paragraph.chapter not in seen:
            seen.append(paragraph.chapter)
    assert seen == [meta["front_matter_title"], *meta["chapters"], BACK_MATTER]


def test_the_back_cover_is_read_as_the_publishers_own_words_under_no_heading(chunks: list[Passage]) -> None:
    # It had been cited as the last chapter's, under 'Key learning points', the last heading printed before it.
    back = [p for p in chunks if p.chapter == BACK_MATTER]
    assert back and all(p.section is None and p.case_study is None for p in back)
    said = " ".join(p.text for p in back)
    assert "Grant Thornton UK LLP part of one of the world" in said
    assert "deliver 86 out of 137 essential local government services" in said
    # Nothing of the last chapter's own text is taken with it: its last case study ends where the back cover starts.
    assert not any("Wyre Forest" in p.text for p in back)
    assert chunks[-len(back) - 1].chapter == "Collaborating for devolution and structural reform"


def test_a_last_page_not_naming_every_publisher_is_no_back_cover() -> None:
    page = Page(0, tuple(Line(i, text, 0, 0) for i, text in enumerate(["Grant Thornton UK LLP advises councils.", ""])))
    assert is_back_cover(page, ("Grant Thornton UK LLP", "District Councils' Network")) is False
    assert is_back_cover(page, ("Grant Thornton UK LLP",)) is True
    assert is_back_cover(page, ()) is False


FURNITURE = [
    r"Transformation in localities toolkit\s+\d+",
    r"\d+\s+Transformation in localities toolkit",
    r"(^|\n)\s*Moving from\s*(\n|$)",
    r"(^|\n)\s*intention to action\s*(\n|$)",
    r"(^|\n)\s*Collaborating for\s*(\n|$)",
    r"(^|\n)\s*Why collaborate\s*(\n|$)",
    r"(^|\n)\s*Case study:\s*(\n|$)",
    r"\bCollaborating for\s*$",
]


def test_no_passage_carries_page_furniture(chunks: list[Passage]) -> None:
    for passage in chunks:
        for pattern in FURNITURE:
            assert not re.search(pattern, passage.text), (pattern, passage.text[:200])
        assert not passage.text.endswith(("Why collaborate", "intention to action", "and with whom", "structural reform"))


def test_footnotes_are_references_not_text(chunks: list[Passage]) -> None:
    assert not any(re.search(r"(^|\n)\d{1,2}\.\s+https?://", p.text) for p in chunks)
    with_notes = [p for p in chunks if p.footnotes]
    assert len(with_notes) >= 30
    assert any("local.gov.uk/topics/european-and-international" in n for p in with_notes for n in p.footnotes)


def _subsequence(words: list[str], source: list[str]) -> bool:
    position = 0
    for word in words:
        try:
            position = source.index(word, position) + 1
        except ValueError:
            return False
    return True


def test_each_passage_text_is_found_at_its_span(chunks: list[Passage], toolkit_text: str) -> None:
    """Start and end words are the span's; between them only furniture and footnotes were left out."""
    for passage in chunks:
        span = toolkit_text[passage.start : passage.end]
        # Hyphens (and a line break after one) are dropped on both sides: 'end-\nto-end' was joined.
        text_words = re.findall(r"\w+", re.sub(r"-\s*", "", passage.text))
        source_words = re.findall(r"\w+", re.sub(r"-\s*", "", span))
        assert text_words[0] == source_words[0] and text_words[-1] == source_words[-1], passage.id
        assert _subsequence(text_words, source_words), passage.id


def test_passage_sizes_and_boundaries(document: ParsedDocument, chunks: list[Passage]) -> None:
    # A quotation's speaker line rides along with it, outside the size that decides where passages are cut.
    speakers = [p.said_by for p in document.paragraphs if p.said_by]
    words = [len(p.text.split()) - sum(len(s.split()) for s in speakers if f"\n{s}" in p.text) for p in chunks]
    assert max(words) <= 250
    assert sorted(words)[len(words) // 2] >= 80
    assert len({p.id for p in chunks}) == len(chunks)


def test_ids_are_stable_across_runs(document: ParsedDocument, chunks: list[Passage]) -> None:
    again = chunk_paragraphs(load_document(TOOLKIT, CorpusMeta.read(CORPUS_DIR)).paragraphs, document.source)
    assert [p.id for p in again] == [p.id for p in chunks]


DISTINCTIVE_FACTS = [
    ("each saved over £100k per annum", "Central Lincolnshire Planning Authority", 60),
    ("at least 40,000 new homes", "North Essex Garden Communities", 61),
    ("initial partnership agreement is for a 10-year period", "North Worcestershire Partnership", 62),
    ("A partnership of 15 principal authorities", "Kent business rates retention pilot", 68),
    ("successfully bid for the provision of the Lincolnshire Wellbeing Service", "Lincolnshire Wellbeing Service", 87),
    ("save 725 bed days", "Getting home with District Direct: housing as part of integrated hospital discharge", 93),
    ("Health Impact Assessment (HIA) Supplementary Planning Document", "Health impact assessments (South Cambridgeshire District Council)", 93),
    ("Citizens Advice and the local Jobcentre Plus", "Pathfinder House (Huntingdonshire District Council)", 104),
    ("Long Stratton", "Early Help Hub – South Norfolk and partners", 108),
    ("separated by a distance of sixty miles", "Breckland and South Holland District Councils", 116),
    ("Publica Group is a Joint Venture Teckal company", "Publica Group", 117),
    ("55 elected members", "Suffolk Coastal and Waveney district merger", 146),
    ("Kidderminster Town Council", "Working with local councils in Wyre Forest", 161),
    ("In 2007 the Danes completed", "Local government reorganisation in Denmark", None),
]


@pytest.mark.parametrize(("fact", "case_study", "page"), DISTINCTIVE_FACTS)
def test_distinctive_facts_land_in_the_right_case_study_and_page(chunks: list[Passage], fact: str, case_study: str, page: int | None) -> None:
    holders = [p for p in chunks if normalise(fact) in normalise(p.text)]
    assert holders, fact
    assert holders[0].case_study == case_study
    if page is not None:
        assert holders[0].page == page


def test_two_bodies_before_two_titles_are_split_between_them(chunks: list[Passage]) -> None:
    hia = [p for p in chunks if p.case_study and p.case_study.startswith("Health impact assessments")]
    direct = [p for p in chunks if p.case_study and p.case_study.startswith("Getting home with District Direct")]
    assert any("Cambourne" in p.text for p in hia) and not any("Cambourne" in p.text for p in direct)
    assert any("Norfolk and Norwich University Hospital" in p.text for p in direct)


def test_shared_services_columns_are_attributed_to_their_partnership(chunks: list[Passage]) -> None:
    by_case: dict[str, str] = {}
    for passage in chunks:
        if passage.case_study:
            by_case[passage.case_study] = by_case.get(passage.case_study, "") + passage.text
    assert "Cherwell" in by_case["Cherwell and South Northamptonshire District Councils"]
    assert "South Oxfordshire" in by_case["Five-Council partnership"]
    assert "Breckland" not in by_case["Publica Group"]
    # A paragraph naming only 'The company' is Publica's, though it follows the Five-council column on its page.
    assert "governed by a Board" in by_case["Publica Group"] and "governed by a Board" not in by_case["Five-Council partnership"]


def test_quotes_keep_their_attribution(chunks: list[Passage]) -> None:
    assert any("Writing your own rules is much harder" in p.text and "District interviewee" in p.text for p in chunks)
    assert any("King’s Fund" in p.text or "King's Fund" in p.text for p in chunks)


def test_no_passage_mixes_two_case_studies(chunks: list[Passage]) -> None:
    titles = {p.case_study for p in chunks if p.case_study}
    for passage in chunks:
        if passage.case_study:
            others = [t for t in titles if t != passage.case_study and t in passage.text]
            assert not others or passage.case_study in ("Publica Group",), (passage.case_study, others)


def test_broken_bullets_are_rejoined(chunks: list[Passage]) -> None:
    joined = "built on the powerful tools that districts have always had at their disposal"
    assert any(joined in " ".join(p.text.split()) for p in chunks)


def test_printed_pages_only_grow_and_most_passages_have_one(chunks: list[Passage]) -> None:
    pages = [p.page for p in sorted(chunks, key=lambda p: p.start) if p.page is not None]
    assert pages == sorted(pages)
    assert len(pages) >= 0.6 * len(chunks)
    assert 5 <= pages[0] and pages[-1] <= 165


def test_a_tool_page_from_the_contents_table(chunks: list[Passage]) -> None:
    holder = next(p for p in chunks if "75 per cent of the resident economically active population" in " ".join(p.text.split()))
    assert holder.page == 24  # 'Defining places', page 24 in the contents table


def test_pages_are_counted_past_stray_one_line_pages_and_stay_unknown_where_breaks_were_lost() -> None:
    from ingest.pages import printed_page_numbers

    # Index 3 is a footnote a stray break cut off page 2: without it the anchors (1 → 10, 5 → 13) agree.
    assert printed_page_numbers(6, {1: 10, 5: 13}, frozenset({3})) == [None, 10, 11, 11, 12, 13]
    # A lost break (three page breaks for a printed gap of four) leaves the pages between unknown.
    assert printed_page_numbers(6, {1: 10, 4: 14}) == [None, 10, None, None, 14, None]


def test_a_page_lost_between_two_known_pages_is_bounded_by_them() -> None:
    from ingest.pages import printed_page_bounds, printed_page_numbers

    # Three page breaks for a printed gap of four (1 → 10, 4 → 14): one break was lost, so each page between
    # is one of two.
    numbers = printed_page_numbers(6, {1: 10, 4: 14})
    assert printed_page_bounds(numbers, {1: 10, 4: 14}) == [None, None, (11, 12), (12, 13), None, None]
    # Two breaks lost: three pages possible.
    numbers = printed_page_numbers(4, {0: 10, 3: 15})
    assert printed_page_bounds(numbers, {0: 10, 3: 15}) == [None, (11, 13), (12, 14), None]
    # More breaks than printed pages (an invented break): nothing bounds the page beyond the anchors; unknown.
    numbers = printed_page_numbers(6, {1: 10, 5: 12})
    assert printed_page_bounds(numbers, {1: 10, 5: 12}) == [None] * 6
    # A tiny page may or may not be a printed page of its own: the span covers both readings.
    numbers = printed_page_numbers(6, {0: 10, 5: 16}, frozenset({2}))
    assert numbers[1:5] == [None] * 4
    assert printed_page_bounds(numbers, {0: 10, 5: 16}, frozenset({2})) == [None, (11, 13), (11, 13), (12, 14), (13, 15), None]


def test_a_passage_without_a_known_page_lies_between_its_neighbours_pages(chunks: list[Passage]) -> None:
    # 52 of the 58 passages without a page get the pages around them (the 6 others precede the first printed
    # page number or follow the last); each span lies between the known pages of the passages before and after.
    unknown = [p for p in chunks if p.page is None]
    bounded = [p for p in unknown if p.earliest_page is not None]
    assert len(bounded) >= 0.85 * len(unknown)
    for i, passage in enumerate(chunks):
        if passage.page is not None:
            assert passage.earliest_page is None and passage.latest_page is None
            continue
        if passage.earliest_page is None:
            continue
        assert passage.latest_page is not None and 0 < passage.latest_page - passage.earliest_page <= 3
        before = [p.page for p in chunks[:i] if p.page is not None and p.source == passage.source]
        after = [p.page for p in chunks[i + 1 :] if p.page is not None and p.source == passage.source]
        assert not before or before[-1] <= passage.earliest_page, passage.text[:60]
        assert not after or passage.latest_page <= after[0], passage.text[:60]


def test_most_passages_carry_their_printed_page(chunks: list[Passage]) -> None:
    # 231 of 289 (80%); 198 of 294 before pages were counted past stray breaks, 232 of 293 before fewer false
    # section names let more short paragraphs join their neighbours.
    assert sum(p.page is not None for p in chunks) >= 0.79 * len(chunks)


def test_section_names_are_headings_not_table_rows_or_merged_column_heads(chunks: list[Passage]) -> None:
    sections = {p.section or p.surrounding_section for p in chunks} - {None}
    for section in sections:
        figures = [w for w in section.split() if re.fullmatch(r"[£$]?\d[\d.,]*%?", w)]
        assert len(figures) * 3 < len(section.split()), section
        assert not section.lower().startswith("source:"), section
    for merged in ("Breckland & South Holland Cherwell & South Northants", "Five-council partnership Publica Group",
                   "Creating the infrastructure for collaboration The Collaboration Curve",
                   "Heart of the South West LEP Worcestershire LEP", "Working with town and parish councils Resources"):
        assert merged not in sections
    # Table headers, infographic cells, speakers under quotations and a foreword's signatures name no section.
    for not_a_section in ("Authority type Partnerships Savings", "DFG, Home", "District interviewee", "King’s Fund",
                          "Cllr. John Fuller", "Head of Local Government Grant Thornton UK LLP", "LGPS into account"):
        assert not_a_section not in sections
    assert {"The Collaboration Curve", "Breckland & South Holland", "Key learning points", "Foreword",
            "Housing authority tools", "DFG, Home Adaptations teams, and Handyperson service"} <= sections


@pytest.mark.parametrize(
    ("words", "section"),
    [
        ("Land value capture refers to a set of mechanisms", "Land value capture"),
        ("The former Secretary of state was explicit about the evaluation criteria", "The MHCLG “evidential tests”"),
        ("The Collaboration Curve model can be used as a tool for reflection", "How to use the Collaboration Curve model?"),
        ("There is no single template for LEP governance", "Representation on LEP boards"),
        ("In discussion with the national LEP network, we would suggest",
         "Seven ways to engage with your Local Enterprise Partnership"),
        # A tool's title the contents table puts on this page, printed above the page's diagram, after its text
        # (user trial 32: page 55's governance text was cited under the culture tool's question).
        ("To begin with, the governance of many collaborative efforts", "Appraising governance models"),
        ("Moving quickly and developing a shared vision is essential", "Building a shared vision for your place"),
    ],
)
def test_a_page_title_printed_after_the_page_names_the_page(document: ParsedDocument, words: str, section: str) -> None:
    # The extraction prints such a page's title under its text, as if it opened the next page.
    paragraph = next(p for p in document.paragraphs if p.text.startswith(words))
    assert (paragraph.page_title or paragraph.section) == section


def test_a_heading_printed_below_the_paragraph_opening_with_its_words_names_that_paragraph(chunks: list[Passage]) -> None:
    """Page 52 prints 'Aligning organisational cultures' beside its text; the extraction puts it after that text,
    which opens with the heading's words, so the text had been cited (and searched) under the culture tool's
    question above it, 'What activities or actions “go without saying” here?'."""
    passage = _passage_saying(chunks, "one of the biggest challenges described by our case study areas")
    assert passage.section == "Aligning organisational cultures"


def test_a_passage_opening_a_page_is_cited_under_the_pages_title(chunks: list[Passage]) -> None:
    assert _passage_saying(chunks, "Since public transport generates significant").section == "Land value capture"
    assert _passage_saying(chunks, "explicit about the evaluation criteria").section == "The MHCLG “evidential tests”"


def test_a_body_named_under_a_quotation_is_its_speaker_not_a_section(document: ParsedDocument) -> None:
    sections = {p.section for p in document.paragraphs}
    assert "Transport for London" not in sections


def _passage_saying(chunks: list[Passage], words: str) -> Passage:
    return next(p for p in chunks if normalise(words) in normalise(p.text))


def test_a_case_studys_box_names_only_the_sections_it_prints(chunks: list[Passage]) -> None:
    # A box runs on from the text printed before it: that text's section is the box's surroundings, searched by
    # (the header keeps it) but never its own, so a citation does not put the Kent pilot under the Housing
    # Infrastructure Fund or the Wyre Forest box under the chapter's key learning points.
    kent = [p for p in chunks if p.case_study == "Kent business rates retention pilot"]
    assert kent and all(p.section is None for p in kent)
    assert {p.surrounding_section for p in kent} == {"Housing Infrastructure Fund awards to district councils"}
    assert all("Housing Infrastructure Fund awards" in p.header() for p in kent)
    for case_study in ("Selby", "Wyre Forest", "Denmark", "Future Dorset"):
        assert all(p.section is None for p in chunks if p.case_study and case_study in p.case_study), case_study
    # Headings the box prints stay its sections, on a page comparing partnerships too.
    assert _passage_saying(chunks, "robust delivery of public services in the post-Carillion era").section == "A transparent governance model"
    assert _passage_saying(chunks, "recognised they should start with the big things").section == "Incremental alignment"
    for p in chunks:
        assert not (p.section and p.surrounding_section), p.id
        assert p.surrounding_section is None or p.case_study, p.id


def test_a_wrapped_heading_is_a_line_of_its_own_not_glued_to_the_sentence_under_it(chunks: list[Passage]) -> None:
    from core.text import split_sentences

    sentences = [s for p in chunks for s in split_sentences(p.text)]
    assert any(s.startswith("Publica managers warned that the decision") for s in sentences)
    assert "Setting up a company can be costly: make sure it’s worth it" in sentences
    assert not any("worth it Publica managers" in s or "operational delivery The shared management" in s for s in sentences)
    # Kept with its paragraph, so in its case study
    (heading,) = [p for p in chunks if "Shared strategic roles with localised operational delivery" in p.text]
    assert heading.case_study == "Breckland and South Holland District Councils"


def test_a_question_printed_as_a_heading_above_its_paragraph_opens_its_section(chunks: list[Passage]) -> None:
    # The executive summary's 'Why collaborate, and with whom?' and the shared-services journey's 'Where do we
    # start?' are printed straight above their text: their passages were cited under the heading before them.
    assert _passage_saying(chunks, "Speaking with a single voice on funding and fiscal devolution").section == "Why collaborate, and with whom?"
    assert _passage_saying(chunks, "Making the first step is always the most difficult part").section == "Where do we start?"
    assert not any(p.section == "How to use this toolkit" and p.page != 6 for p in chunks)


def test_a_box_of_questions_is_cited_under_its_label_and_the_text_after_it_is_not(chunks: list[Passage]) -> None:
    # The extraction prints 'Key questions' under the questions of its box: they were cited under the section before
    # the box ('Time', 'Using data to unlock collaboration'), and the text after the label as 'Key questions'.
    for question in ("Where would you place your relationships with your key partners?",
                     "Do your partners share the same expectations and ambitions for the partnership?",
                     "Is my district using the DFG grant to link up to STP priorities"):
        assert _passage_saying(chunks, question).section == "Key questions", question
    assert _passage_saying(chunks, "An interesting finding of our fieldwork").section != "Key questions"
    # Printed above its questions, the label heads them.
    assert _passage_saying(chunks, "Is there agreement and a shared understanding on the objectives").section == "Key questions"


def test_reviewed_case_study_openings_hold_and_leave_the_pages_own_text_uncredited(document: ParsedDocument) -> None:
    """Each reviewed opening is its case study's first paragraph; the page's text before it (a councillor's quote
    on housing above Wycombe's box) is no case study's."""
    openings = CorpusMeta.read(CORPUS_DIR).overrides[TOOLKIT.name]["case_study_openings"]
    assert isinstance(openings, dict) and openings
    for title, words in openings.items():
        members = [p for p in document.paragraphs if p.case_study == title]
        assert members and normalise(members[0].text).startswith(normalise(words)), title
    quote = next(p for p in document.paragraphs if p.text.startswith("“A good housing policy is essential"))
    assert quote.case_study is None


def test_the_toolkits_sentences_announcing_a_box_are_no_case_studys(document: ParsedDocument) -> None:
    """'The two case studies below illustrate …' is printed above a box and comes out after its title, on its page;
    credited to the box it was quoted as West Kent's, Denmark's, South Norfolk's and Craven's own words."""
    announcing = [
        p for p in document.paragraphs if re.search(r"(case stud(y|ies)|examples?) below|offer a case study", p.text, re.I)
    ]
    assert len(announcing) >= 6
    assert all(p.case_study is None for p in announcing), [(p.case_study, p.text[:60]) for p in announcing]
    # The boxes keep their own paragraphs.
    titles = {p.case_study for p in document.paragraphs if p.page in (86, 108, 159)}
    assert {"West Kent public health offer and “One You” service", "Local government reorganisation in Denmark"} <= titles


def test_a_quotations_speaker_is_kept_with_it(document: ParsedDocument, chunks: list[Passage]) -> None:
    """The PDF prints who said a quotation on the line under it ('District officer', 'Cllr. Bob Price – Oxford City
    Council'); read as a heading, it was dropped, and the words read as the toolkit's own."""
    quoted = [p for p in document.paragraphs if p.said_by]
    assert len(quoted) >= 10
    assert all(p.text.rstrip().endswith(("”", '"')) or re.search(r"”\s*\d{1,3}$", p.text) for p in quoted)
    speakers = {p.said_by for p in quoted}
    assert "District officer" in speakers and any(s.startswith("Cllr. Bob Price") for s in speakers)
    assert not any(p.section in speakers for p in document.paragraphs)  # never a section's heading
    for paragraph in quoted:
        assert any(f"{paragraph.text}\n{paragraph.said_by}" in passage.text for passage in chunks), paragraph.said_by


def test_a_quoted_sentence_is_cited_under_the_heading_and_on_the_page_it_is_printed(
    document: ParsedDocument, chunks: list[Passage]
) -> None:
    # A passage is cut by size as well as by section, so its later paragraphs may be printed on the next page or
    # under a heading kept in their text: each mark must open one of the document's paragraphs, with its place.
    place = {
        (p.chapter, p.text): (p.printed_under or p.page_title or p.section, p.page) for p in document.paragraphs
    }
    marked = [(p, m) for p in chunks for m in p.marks]
    assert len(marked) >= 120
    assert sum(m.page != p.page for p, m in marked) >= 40  # later pages
    for passage, mark in marked:
        opening = passage.text[mark.offset :]
        assert mark.offset == 0 or passage.text[: mark.offset].endswith("\n\n"), passage.id
        # The longest of the chapter's paragraphs it opens with (a short one may open a longer one's words).
        paragraph = max((key for key in place if key[0] == passage.chapter and opening.startswith(key[1])), key=lambda k: len(k[1]))
        assert (mark.section, mark.page) == place[paragraph], passage.id
        assert passage.place_of(opening[:200]) == (mark.section, mark.page), passage.id
    # Words before any mark are where the passage is.
    unmarked = next(p for p in chunks if p.marks and p.marks[0].offset > 0)
    assert unmarked.place_of(unmarked.text[:80]) == (unmarked.section, unmarked.page)


def test_a_heading_set_in_a_narrow_column_above_its_text_names_what_is_printed_under_it(chunks: list[Passage]) -> None:
    # The executive summary's themes are printed in a narrow column, broken after 'and': they were read as the
    # start of a sentence, and their asks of government cited under the theme before.
    from core.text import split_sentences

    passage = _passage_saying(chunks, "Bring forward Devolution guidance")
    assert passage.place_of("Districts have called on Government to:") == (
        "Delivering devolution and public sector reform",
        10,
    )
    assert "Delivering devolution and public sector reform" in split_sentences(passage.text)
