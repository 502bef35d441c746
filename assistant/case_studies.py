"""Case studies as wholes: which ones a question names, which fit it best, and their one-line summaries."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from core.lexical import STOP_WORDS, lexical_tokens, words
from core.models import CaseStudy, Passage
from core.stats import standardised
from core.text import normalised_words, quotable, split_sentences
from stores.base import PassageStore

# A case study's fit to a question mixes its centroid (what it is about overall) with its best sentence (the
# one detail the question may hinge on); either alone favours the long, generic shared-services studies.
CASE_CENTROID_SHARE = 0.5
CASE_STUDIES_CONSIDERED = 3
# A case study's one-line summary is a whole sentence up to this long: at 200 characters 13 of the 31 were cut short,
# and a list of case studies ('which case studies are about hospital discharge?') showed those as bare titles (user
# trial 30); at 260, none.
SUMMARY_LIMIT = 260
# A question names a case study when it holds this share of the (rarity-weighted) words of its names.
NAMED_SHARE = 0.5
TITLE_WORDS = 2  # a title asked in full names its case study from this many words
# Words in many case studies' names that name none of them ('Borough', 'Partnership'), beside the stop words.
_GENERIC_NAME_WORDS = STOP_WORDS | frozenset(
    "our from district districts council councils dc borough city county case study partnership partners group service services health housing local government authority authorities".split()
)


@dataclass(frozen=True)
class CaseStudyDetail:
    case_study: CaseStudy
    passages: list[Passage]

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.passages)


# A summary is the toolkit's own statement of what the case study is: whole (quotable, its quotation marks
# balanced), not a quotation or an attribution line, not leaning on a sentence before it ('It demonstrates …') or
# pointing to another ('The case study below illustrates …'), and ending as a statement does.
_LEANS_OR_POINTS = re.compile(r"^(?:It|This|That|These|They|Their|He|She|And|But)\b|\b(?:below|above)\b")


def summary_sentence(sentence: str) -> bool:
    """Whole enough to say what a case study is on its own."""
    return (
        len(sentence.split()) >= 8
        and quotable(sentence)
        and not any(mark in sentence for mark in "“”\"")
        and not _LEANS_OR_POINTS.search(sentence)
        and sentence.rstrip().endswith((".", "!"))  # not a heading, nor the line opening a list
        and sentence[:1].isupper()  # nor a numbered item ('1 Removing short-term barriers …')
    )


def names_case_study(sentence: str, title: str) -> bool:
    """The sentence uses a word of the case study's title that is not common to titles ('Publica', 'loneliness')."""
    return bool({w for w in words(title) if w not in _GENERIC_NAME_WORDS and len(w) > 2} & set(words(sentence)))


# Words that ask to hear about something and say nothing of what ('tell me about …', 'anything on …', 'more info on'),
# and the words that call a case study what it is without naming it ('what's the North Essex garden communities
# project?' opened on its funding approval, not on what it is, user trial 42).
_INTRODUCING = STOP_WORDS | frozenset(
    "what what's whats who is are was tell me us about anything something know information info more overview "
    "summary explain describe please give talk any there have has does did toolkit say says case study studies "
    "project projects scheme schemes programme programmes initiative initiatives thing".split()
)


def asks_only_about(text: str, titles: Iterable[str]) -> bool:
    """The text asks nothing but to hear about the case studies it gives by title ('anything on Publica?', 'tell me
    about the Lightbulb project'): every other word is one of asking."""
    named = {w for title in titles for w in words(title)}
    own = [w for w in words(text) if w not in _INTRODUCING]
    return bool(named) and bool(own) and all(w.split("'")[0] in named for w in own)


def summarise(passages: list[Passage], title: str = "", limit: int = SUMMARY_LIMIT) -> str:
    """A one-line summary: the first whole sentence within `limit` that names the case study (a word of its title
    that is not common to titles, 'Publica', 'Dorset', 'loneliness'), else the first such sentence however long (cut
    short), else the first whole sentence, else its opening. A summary cut short is listed without a quotation."""
    sentences = [s for passage in passages for s in split_sentences(passage.text)]
    whole = [s for s in sentences if summary_sentence(s)]
    naming = [s for s in whole if names_case_study(s, title)]
    fitting = [s for s in naming if len(s) <= limit]
    chosen = (fitting or naming or whole or [s for s in sentences if len(s.split()) >= 8] or [""])[0]
    if not chosen:
        return passages[0].text[:limit] if passages else ""
    return chosen if len(chosen) <= limit else chosen[: limit - 1].rsplit(" ", 1)[0] + "…"


class CaseStudyIndex:
    """One store's case studies: a centroid vector each, their sentences, and the proper nouns of their names."""

    def __init__(self, store: PassageStore, common_words: frozenset[str] = frozenset()) -> None:
        """`common_words`: everyday English words; a title's other capitalised words are names too ('Wycombe')."""
        self.store = store
        self.titles, self.centroids, self.members = _case_study_index(store)
        proper = toolkit_names(store)
        self._sentences = _case_sentence_rows(store, self.members)
        self._lexical = _case_study_lexical_index(store, self.titles, self.members)
        lower_case = frozenset(w for p in store.passages() for w in re.findall(r"\b[a-z]+\b", p.text))
        self._names = _case_study_names(store.case_studies(), self.titles, proper, common_words, lower_case)
        # A title asked in full names its case study, whatever its words ('the Five-Council partnership').
        self._title_phrases = [normalised_words(re.split(r"\s*[(:]", title)[0]) for title in self.titles]
        self._generic_stems = frozenset(lexical_tokens(" ".join(_GENERIC_NAME_WORDS)))
        self._title_stems = [set(lexical_tokens(title)) - self._generic_stems for title in self.titles]
        # Names of everyday words ('District Direct', 'Early Help Hub'); one with a word that names the case study
        # already ('South Norfolk') is left to that word's weight.
        self._capitalised = [
            [name for name in capitalised_names(title) if not set(words(name)) & weights.keys()]
            for title, (weights, _) in zip(self.titles, self._names, strict=True)
        ]
        self._capitalised_in = [
            re.compile(rf"\b(?:{'|'.join(map(re.escape, names))})\b") if names else None for names in self._capitalised
        ]

    @property
    def name_words(self) -> frozenset[str]:
        """Every word that names a case study ('publica', 'adur', 'wycombe'), however rarely the toolkit uses it."""
        return frozenset(word for weights, _ in self._names for word in weights)

    def capitalised_names(self, case: int) -> list[str]:
        """The names of everyday words a case study's title prints in capitals ('District Direct')."""
        return list(self._capitalised[case])

    def named_in(self, text: str) -> list[int]:
        """Case studies the text names ('Central Lincolnshire', 'Publica', 'Wyre Forest', 'Five-Council partnership')."""
        return list(self._name_shares(text))

    def most_named_in(self, text: str) -> list[int]:
        """Of the case studies the text names, those it names most fully: 'the Central Lincolnshire joint planning
        committee' names Central Lincolnshire by both its name words and the Lincolnshire Wellbeing Service by one."""
        shares = self._name_shares(text)
        if not shares:
            return []
        # Two titles may share their only name word ('Lincolnshire'): then the one more of whose words the text uses.
        asked = set(words(text))
        fit = {case: (share, len(asked & set(words(self.titles[case])))) for case, share in shares.items()}
        return [case for case, score in fit.items() if score == max(fit.values())]

    def _name_shares(self, text: str) -> dict[int, float]:
        """Each case study the text names, with the share of its name words the text uses (1 for a title given)."""
        tokens = {w.split("'")[0] for w in words(text)}  # 'Publica's savings' names Publica
        titled = set(self.titled_in(text))
        shares: dict[int, float] = {}
        for case, (weights, total) in enumerate(self._names):
            share = 1.0 if case in titled else sum(w for t, w in weights.items() if t in tokens) / total if total else 0.0
            if share >= NAMED_SHARE:
                shares[case] = share
        return shares

    def titled_in(self, text: str) -> list[int]:
        """Case studies whose title the text gives in full, from TITLE_WORDS words ('health impact assessments', 'the
        Five-Council partnership'), or a name of everyday words the title prints in capitals, as capitalised ('District
        Direct'); not only a name word of it ('Norfolk' is in three case studies' stories, and names South Norfolk's
        Early Help Hub by its words)."""
        phrase = f" {normalised_words(text)} "
        return [
            case
            for case, title in enumerate(self._title_phrases)
            if (len(title.split()) >= TITLE_WORDS and f" {title} " in phrase)
            or bool((pattern := self._capitalised_in[case]) and pattern.search(text))
        ]

    def titled_by_its_words(self, subject: str) -> list[int]:
        """The case study whose title holds every word of a question's subject, stemmed ('any examples about
        loneliness?', 'has any council tackled loneliness?' of 'Tackling loneliness (Craven District Council)'), when
        only one title does. Its story may never use the word its title gives it by: asked for an example of
        loneliness, answers quoted the Green Paper and never the case study (user trial 42, twice)."""
        asked = set(lexical_tokens(subject)) - self._generic_stems
        fitting = [case for case, stems in enumerate(self._title_stems) if asked and asked <= stems]
        return fitting if len(fitting) == 1 else []

    def newly_named(self, text: str, conversation: str) -> list[int]:
        """Case studies the text names by a word the conversation so far never used ('Wellbeing' after a
        conversation about Central Lincolnshire, 'Dorset' after one about Suffolk): the subject has moved to them."""
        asked, said = set(words(text)), set(words(conversation))
        moved = []
        for case in self.named_in(text):
            used = (set(words(self.titles[case])) - _GENERIC_NAME_WORDS) & asked
            if used and not used <= said:
                moved.append(case)
        return moved

    def passages_of(self, cases: list[int], vector: np.ndarray, limit: int) -> list[str]:
        """The case studies' passages, closest to the question first."""
        ids = [i for case in cases for i in self.members[case]]
        if not ids:
            return []
        order = np.argsort(-(self.store.passage_vectors(ids) @ vector))
        return [ids[j] for j in order][:limit]

    def closest(self, cases: list[int], vector: np.ndarray, margin: float = 0.0) -> int | None:
        """Of the case studies, the one with the passage closest to the question: the first unless another's is
        closer by more than `margin`."""
        scored = [(float(np.max(self.store.passage_vectors(self.members[c]) @ vector)), c) for c in cases if self.members[c]]
        if not scored:
            return None
        first, best = scored[0], max(scored)
        return best[1] if best[0] > first[0] + margin else first[1]

    def fit(self, vector: np.ndarray, tokens: Sequence[str] = (), lexical_share: float = 0.0) -> np.ndarray:
        """How well each case study as a whole fits the question, standardised over the case studies (in `titles`'
        order). `tokens`, the question's lexical tokens, are matched against each case study's whole text;
        `lexical_share` is how much that match counts against the vectors' fit."""
        if not self.titles:
            return np.zeros(0)
        rows, starts = self._sentences
        # One product over every case study's sentences, then the best per case study.
        vectors = self.store.sentence_vectors(rows)
        best_sentence = np.maximum.reduceat(vectors @ vector, starts) if rows else np.zeros(len(self.titles))
        dense = standardised(CASE_CENTROID_SHARE * (self.centroids @ vector) + (1 - CASE_CENTROID_SHARE) * best_sentence)
        if lexical_share <= 0 or not tokens:
            return dense
        lexical = np.asarray(self._lexical.get_scores(list(tokens)), dtype=np.float64)
        return (1 - lexical_share) * dense + lexical_share * standardised(lexical)

    def best_fitting(self, fit: np.ndarray, vector: np.ndarray, limit: int) -> list[str]:
        """Passages of the case studies that, as a whole, best `fit` the question (case by case, best passage first)."""
        order = np.argsort(-fit)[:CASE_STUDIES_CONSIDERED]
        ranked: list[str] = []
        for case in order:
            ids = self.members[int(case)]
            ranked += [ids[j] for j in np.argsort(-(self.store.passage_vectors(ids) @ vector))]
        return ranked[:limit]


_CAPITALISED_RUN = re.compile(r"[A-Z][\w’'-]*(?:\s+(?:(?:and|of|on|for|the)\s+)?[A-Z][\w’'-]*)+")


def capitalised_names(title: str) -> list[str]:
    """The names a title prints in capitals, two words or more ('District Direct', 'Healthy Homes on Prescription',
    'Early Help Hub'): each may be made of everyday words, so they name the case study only as capitalised. Every
    stretch of two or more capitalised words counts ('Great Place' of 'Great Place Lakes and Dales'), but not one of
    words every council's name has ('District Council')."""
    names = []
    for run in _CAPITALISED_RUN.findall(title):
        tokens = run.split()
        for start in range(len(tokens)):
            for end in range(start + 2, len(tokens) + 1):
                piece = tokens[start:end]
                if piece[0].islower() or piece[-1].islower():
                    continue
                if {w.lower() for w in piece} - _GENERIC_NAME_WORDS:
                    names.append(" ".join(piece))
    return names


def proper_nouns(texts: Iterable[str]) -> set[str]:
    """Words the corpus nearly always capitalises mid-sentence: place and organisation names ('Kent', 'Publica')."""
    upper: dict[str, int] = {}
    lower: dict[str, int] = {}
    for text in texts:
        for match in re.finditer(r"(?<![.!?:•]\s)(?<!^)\b([A-Za-z][a-z]+)\b", text):
            word = match.group(1)
            target = upper if word[0].isupper() else lower
            target[word.lower()] = target.get(word.lower(), 0) + 1
    return {w for w, n in upper.items() if n >= 9 * lower.get(w, 0)}


def toolkit_names(store: PassageStore, name_words: frozenset[str] = frozenset()) -> frozenset[str]:
    """The names a question may mention: places and organisations the toolkit capitalises (not its acronyms, which
    the glossary spells out), and `name_words`, the words of its case studies' titles ('Adur', which only heads)."""
    acronyms = {a.lower() for a in store.glossary}
    return frozenset(proper_nouns(p.text for p in store.passages()) - acronyms) | name_words


def _case_study_names(
    case_studies: list[CaseStudy],
    titles: list[str],
    proper: frozenset[str],
    common_words: frozenset[str] = frozenset(),
    lower_case: frozenset[str] = frozenset(),
) -> list[tuple[dict[str, float], float]]:
    """Per case study (in index order), the names in its title and label, weighted by rarity among case studies: the
    words the toolkit capitalises as names, and capitalised title words that are neither everyday English nor
    ever written in lower case by the toolkit (a place it only names at the start of a line: 'Wycombe', 'Adur')."""
    names: dict[str, set[str]] = {}
    for study in case_studies:
        text = f"{study.title} {study.label or ''}"
        capitalised = {w.lower() for w in re.findall(r"\b[A-Z][a-z]+\b", text)} - common_words - lower_case if common_words else set()
        names[study.title] = {
            w for w in words(text) if (w in proper or w in capitalised) and w not in _GENERIC_NAME_WORDS and len(w) > 2
        }
    frequency: dict[str, int] = {}
    for tokens in names.values():
        for token in tokens:
            frequency[token] = frequency.get(token, 0) + 1
    result = []
    for title in titles:
        tokens = names.get(title, set())
        weights = {t: 1.0 / frequency[t] for t in tokens}
        # Naming the rarest word or two is enough: 'Publica', 'Central Lincolnshire', 'Wyre Forest'.
        top = sorted(weights.values(), reverse=True)[:2]
        result.append((weights, sum(top)))
    return result


def _case_sentence_rows(store: PassageStore, members: list[list[str]]) -> tuple[list[int], list[int]]:
    """Sentence rows of each case study, laid end to end, and where each case study's run starts."""
    rows: list[int] = []
    starts: list[int] = []
    for ids in members:
        own = [s.row for i in ids for s in store.sentences_of(i)]
        if not own:  # reduceat needs a non-empty run: fall back to the passages' first sentence anywhere
            own = [store.sentences_of(ids[0])[0].row] if store.sentences_of(ids[0]) else [0]
        starts.append(len(rows))
        rows += own
    return rows, starts


def _case_study_lexical_index(store: PassageStore, titles: list[str], members: list[list[str]]) -> bm25s.BM25:
    """BM25 over each case study's title and passages as one document: a situation described in the user's words
    ('the CAB and jobcentre in our council offices') shares them with the case study's text as a whole more often
    than with any one passage of it, or with its vectors."""
    texts = [" ".join([title, *(store.passage(i).text for i in ids)]) for title, ids in zip(titles, members, strict=True)]
    index = bm25s.BM25()
    if texts:
        index.index([lexical_tokens(text) or ["__empty__"] for text in texts], show_progress=False)
    return index


def _case_study_index(store: PassageStore) -> tuple[list[str], np.ndarray, list[list[str]]]:
    """One vector per case study: the normalised mean of its passages' vectors."""
    members: dict[str, list[str]] = {}
    for passage in store.passages():
        if passage.case_study:
            members.setdefault(passage.case_study, []).append(passage.id)
    titles = sorted(members)
    if not titles:
        return [], np.zeros((0, 1), dtype=np.float32), []
    rows = []
    for title in titles:
        mean = store.passage_vectors(members[title]).mean(axis=0)
        rows.append(mean / (np.linalg.norm(mean) or 1.0))
    return titles, np.vstack(rows).astype(np.float32), [members[t] for t in titles]
