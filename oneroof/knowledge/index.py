"""The in-memory search index over published articles.

Each process builds the index from the database the first time it searches and keeps it
until the articles, synonyms or services change (a version stamp in the cache, bumped by
the actions, and a fingerprint of the tables, so a change made by another process or
rolled back is noticed too). Everything is computed in Python and numpy from the rows, so
results are identical on SQLite and PostgreSQL.

Three lexical signals are fused (see docs/adr/0008-knowledge-search.md):

- BM25F over stems, pairs of words, roots of Arabic words and synonym concepts, each part
  of an article weighted by what it is (title, first paragraph, questions, details, lists);
  the nearest known word stands in for a word the articles lack (typos);
- TF-IDF cosine over character 3-5-grams per script, weighted towards words the
  vocabulary does not know, which matches spellings, colloquial forms and misspellings
  the stemmers cannot;
- how well the title and the query name each other.

An optional fourth signal, a small multilingual embedding model (`embeddings.py`), joins
when it is installed and switched on. A hit is confident when its score reaches
ANSWER_THRESHOLD and the independent signals agree on it.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import math
import re
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import translation
from rapidfuzz import fuzz, process

from oneroof.knowledge import embeddings
from oneroof.knowledge.text import (
    content_words,
    is_arabic,
    normalize,
    root,
    root_terms,
    stem,
    terms,
    words,
)

ANSWER_THRESHOLD = 0.5
# A query whose words the best article explains this many times over (BM25 against the
# query's own idf) is fully covered.
COVERAGE_FULL = 1.5
COVERAGE_SHARE = 0.75
# A signal agrees with the best article when it scores it this close to its own best.
AGREE_LEVEL = 0.8

VERSION_KEY = "knowledge:index-version"

# Field weights for BM25 term frequencies.
# An article's text is split into parts by its markup (see `article_parts`): what it is
# about (title, first paragraph, the questions it answers) weighs more than the details,
# and list items (documents, steps) least, because they name other services' things.
FIELD_WEIGHTS = {
    "title": 3.0,
    "lead": 2.0,
    "questions": 1.5,
    "text": 0.5,
    "short_answer": 0.5,
    "items": 0.2,
}
CHAR_FIELDS = ("title", "lead", "questions", "text")
ROOT_WEIGHT = 0.5
EMBED_FLOOR = 0.8
BM25_K1 = 1.2
BM25_B = 0.75
# Query words expanded through the synonym table or typo correction count for less.
CONCEPT_WEIGHT = 1.0
PAIR_WEIGHT = 1.0
COVERED_WORD_WEIGHT = 0.5
KNOWN_WORD_CHAR_WEIGHT = 0.25
# Other words of a synonym group the query names join its character n-grams at this weight.
EXPANSION_WEIGHT = 0.5
TYPO_WEIGHT = 0.7
TYPO_MIN_RATIO = 84.0
TYPO_MIN_LENGTH = 5
NGRAM_SIZES = (3, 4, 5)
# Fusion weights; the embedding signal takes its share only when it is present.
W_BM25 = 0.5
W_CHAR = 0.5
W_TITLE = 0.5
FUSION = "weighted"
NORM = "max"
RRF_K = 10
W_EMBED = 1.0


@dataclass
class Doc:
    article_id: int
    service_id: int | None
    slug: str
    title: dict[str, str]
    short_answer: dict[str, str]
    text: dict[str, str]

    urls: dict[str, str] = field(default_factory=dict)

    def url(self, lang: str) -> str:
        if lang not in self.urls:
            with translation.override(lang):
                self.urls[lang] = reverse("knowledge:article", args=[self.slug])
        return self.urls[lang]


@dataclass
class Found:
    doc: Doc
    score: float
    signals: dict[str, float] = field(default_factory=dict)


@dataclass
class Results:
    found: list[Found]
    confident: bool


class SparseColumns:
    """A documents x features matrix stored by feature (postings), for scoring a short query
    with one numpy bincount."""

    def __init__(self, n_docs: int, rows: list[dict[str, float]]) -> None:
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc_index, row in enumerate(rows):
            for feature, weight in row.items():
                postings[feature].append((doc_index, weight))
        self.n_docs = n_docs
        self.feature_index = {f: i for i, f in enumerate(postings)}
        self.df = np.array([len(p) for p in postings.values()], dtype=np.float64)
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for plist in postings.values():
            for doc_index, weight in plist:
                indices.append(doc_index)
                data.append(weight)
            indptr.append(len(indices))
        self.indptr = np.array(indptr, dtype=np.int64)
        self.indices = np.array(indices, dtype=np.int64)
        self.data = np.array(data, dtype=np.float64)

    def score(self, query: dict[str, float]) -> np.ndarray:
        picked = [(self.feature_index[f], w) for f, w in query.items() if f in self.feature_index]
        if not picked:
            return np.zeros(self.n_docs)
        features = np.fromiter((i for i, _ in picked), dtype=np.int64, count=len(picked))
        weights = np.fromiter((w for _, w in picked), dtype=np.float64, count=len(picked))
        starts, lengths = self.indptr[features], self.indptr[features + 1] - self.indptr[features]
        # The positions of every posting of the picked features, without a Python loop.
        at = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        return np.bincount(
            self.indices[at],
            weights=self.data[at] * np.repeat(weights, lengths),
            minlength=self.n_docs,
        )


SCRIPTS = ("arabic", "latin")


def char_ngrams(text: str, script: str | None = None) -> Counter[str]:
    grams: Counter[str] = Counter()
    for word in words(text):
        if script is not None and (script == "arabic") != is_arabic(word):
            continue
        padded = f" {word} "
        for n in NGRAM_SIZES:
            if len(padded) < n:
                continue
            for i in range(len(padded) - n + 1):
                grams[padded[i : i + n]] += 1
    return grams


class SynonymTable:
    """Groups of words that mean the same. Every member of a group, in an article or in a
    query, also counts as the group's concept term, so "باسبور" in a query matches "جواز"
    in an article as strongly as "جواز" itself would."""

    def __init__(self, groups: Iterable[list[str]]) -> None:
        # Members by their first stem: (stems of the member, group id).
        self.by_first: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
        self.groups: list[list[str]] = []
        for members in groups:
            stemmed = {tuple(stem(w) for w in words(m)) for m in members}
            stemmed.discard(())
            if len(stemmed) < 2:
                continue
            group_id = len(self.groups)
            self.groups.append(list(members))
            for member in stemmed:
                self.by_first[member[0]].append((member, group_id))
        for entries in self.by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def members_of(self, text: str) -> list[str]:
        """The words of every group the text names, as one text per group."""
        ids = sorted({int(c[1:]) for c in self.concepts([stem(w) for w in words(text)])})
        return [" ".join(self.groups[i]) for i in ids]

    def concepts(self, stems: list[str]) -> list[str]:
        """The concept terms of the groups whose members occur in a sequence of stems."""
        return [concept for concept, _ in self.matches(stems)]

    def matches(self, stems: list[str]) -> list[tuple[str, tuple[str, ...]]]:
        """Each concept found in a sequence of stems, with the member that named it."""
        out = []
        for i, first in enumerate(stems):
            seen: set[int] = set()
            for member, group_id in self.by_first.get(first, ()):
                if group_id not in seen and tuple(stems[i : i + len(member)]) == member:
                    seen.add(group_id)
                    out.append((f"§{group_id}", member))
        return out


class Index:
    def __init__(self, docs: list[Doc], fields: list[dict[str, str]], synonyms: SynonymTable):
        self.docs = docs
        self.synonyms = synonyms
        n = len(docs)
        # BM25F: term frequencies per field (stems, pairs of words, roots of Arabic words,
        # synonym concepts), each normalised by its field's length and weighted, then
        # saturated once, so a match in a short title counts fully beside a long body.
        per_field: list[dict[str, Counter[str]]] = []
        for f in fields:
            counts: dict[str, Counter[str]] = {}
            for name in FIELD_WEIGHTS:
                stems = [stem(w) for w in words(f[name])]
                content = terms(f[name])
                tf: Counter[str] = Counter(content)
                tf.update(_pairs(content))
                tf.update(root_terms(f[name]))
                tf.update(synonyms.concepts(stems))
                counts[name] = tf
            per_field.append(counts)
        avg_len = {
            name: (sum(sum(c[name].values()) for c in per_field) / n if n else 0.0) or 1.0
            for name in FIELD_WEIGHTS
        }
        df: Counter[str] = Counter()
        for counts in per_field:
            df.update({t for tf in counts.values() for t in tf})
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5) if n else 1.0
        rows = []
        for counts in per_field:
            combined: Counter[str] = Counter()
            for name, weight in FIELD_WEIGHTS.items():
                tf = counts[name]
                norm = 1 - BM25_B + BM25_B * sum(tf.values()) / avg_len[name]
                for t, c in tf.items():
                    combined[t] += weight * c / norm
            rows.append(
                {t: self.idf[t] * c * (BM25_K1 + 1) / (c + BM25_K1) for t, c in combined.items()}
            )
        self.bm25 = SparseColumns(n, rows)
        self.vocabulary = sorted(t for t in self.idf if t[0] not in "√§" and "|" not in t)
        # Title coverage: how much of a title (by idf) the query names, per language, since
        # people ask for a service by naming what they want done to what.
        self.titles = []
        for lang in ("ar", "en"):
            rows = [
                {t: self.idf.get(t, 0.0) for t in self._features(doc.title[lang])} for doc in docs
            ]
            mass = np.array([sum(r.values()) or 1.0 for r in rows])
            self.titles.append((SparseColumns(n, rows), mass))
        # Character n-gram TF-IDF, rows L2-normalised.
        # Arabic and Latin script apart, so an Arabic query is compared with the Arabic
        # text only and a mixed query with both, each in proportion.
        texts = [" ".join(content_words(" ".join(f[n] for n in CHAR_FIELDS))) for f in fields]
        grams = {script: [char_ngrams(t, script) for t in texts] for script in SCRIPTS}
        gdf: Counter[str] = Counter()
        for per_script in grams.values():
            for g in per_script:
                gdf.update(g.keys())
        self.gram_idf = {g: math.log((1 + n) / (1 + d)) + 1 for g, d in gdf.items()}
        self.chars = {
            script: SparseColumns(n, [self._char_vector(g) for g in grams[script]])
            for script in SCRIPTS
        }
        self.embedding_matrix: np.ndarray | None = None
        self.embeddings_ready = threading.Event()
        self._sentence_cache: dict[tuple[int, str], list] = {}
        self._last_terms: tuple[str, tuple[dict[str, float], float]] | None = None

    def highlight_terms(self, query: str) -> set[str]:
        """The terms of a query whose words `snippet` marks (short roots match too much)."""
        wanted, _ = self.query_terms(query)
        return {t for t in wanted if not t.startswith("√") or len(t) > 3}

    def snippet(self, doc: Doc, wanted_set: set[str], lang: str, width: int = 220) -> str:
        """The sentence of the article that best matches the query's terms (from
        `highlight_terms`), HTML-escaped, with the words that match (by stem, root or
        synonym) in <mark>."""
        key = (doc.article_id, lang)
        sentences = self._sentence_cache.get(key)
        if sentences is None:
            texts = _sentences(doc.text.get(lang) or "") or _sentences(doc.text.get("ar") or "")
            sentences = [
                (text, [(p, _word_features(p, self.synonyms)) for p in _TOKEN.split(text) if p])
                for text in texts
            ]
            self._sentence_cache[key] = sentences
        if not sentences:
            return ""

        def hits(pieces: list) -> int:
            return sum(1 for _, feats in pieces if feats & wanted_set)

        best_i = max(range(len(sentences)), key=lambda i: (hits(sentences[i][1]), -i))
        out = []
        length = 0
        for piece, feats in sentences[best_i][1]:
            if length + len(piece) > width:
                out.append("…")
                break
            length += len(piece)
            escaped = html.escape(piece)
            out.append(f"<mark>{escaped}</mark>" if feats & wanted_set else escaped)
        return "".join(out)

    def _title_match(self, weights: dict[str, float]) -> np.ndarray:
        """How well each title and the query name each other: the harmonic mean of the
        share of the title (by idf) the query names and the share of the query the title
        names, in the better of the two languages."""
        matched = {t: 1.0 for t in weights}
        query_mass = sum(self.idf[t] for t in weights if t in self.idf) or 1.0
        best = np.zeros(len(self.docs))
        for columns, mass in self.titles:
            common = columns.score(matched)
            precision, recall = common / mass, common / query_mass
            total = precision + recall
            f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)
            best = np.maximum(best, f1)
        return best

    def _features(self, text: str) -> set[str]:
        stems = [stem(w) for w in words(text)]
        return set(terms(text)) | set(root_terms(text)) | set(self.synonyms.concepts(stems))

    def _char_vector(self, grams: Counter[str]) -> dict[str, float]:
        # Sublinear counts; expansion n-grams carry fractional counts below one.
        vec = {
            g: (1 + math.log(c) if c >= 1 else c) * self.gram_idf[g]
            for g, c in grams.items()
            if c > 0 and g in self.gram_idf
        }
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {g: v / norm for g, v in vec.items()}

    # --- querying ---------------------------------------------------------------------

    def query_terms(self, query: str) -> tuple[dict[str, float], float]:
        # Searching and highlighting ask for the same query one after the other.
        last = self._last_terms
        if last is not None and last[0] == query:
            return last[1]
        result = self._query_terms(query)
        self._last_terms = (query, result)
        return result

    def _query_terms(self, query: str) -> tuple[dict[str, float], float]:
        """BM25 query weights (stems, roots, pairs of words, synonym concepts, the nearest
        known word of a typo) and the query's own information: the sum of its words' idf,
        unknown words counting most."""
        weights: dict[str, float] = {}
        possible = 0.0
        # A word the articles lack but a synonym group knows counts as that concept.
        concept_of: dict[str, float] = {}
        for concept, member in self.synonyms.matches([stem(w) for w in words(query)]):
            if concept in self.idf:
                weights[concept] = max(weights.get(concept, 0.0), CONCEPT_WEIGHT)
                for t in member:
                    concept_of[t] = max(concept_of.get(t, 0.0), self.idf[concept])
        for word in content_words(query):
            t = stem(word)
            if t in weights:
                continue
            r = root(word)
            if t in self.idf:
                # A word a synonym group knows counts mostly as its concept, so that every
                # member of the group weighs the same ("أجدد" as much as "تجديد").
                weights[t] = COVERED_WORD_WEIGHT if t in concept_of else 1.0
                possible += self.idf[t]
            elif t in concept_of:
                possible += concept_of[t]
            else:
                possible += self.unknown_idf
                # A word the articles lack, with no known root either, may be a typo.
                if len(word) >= TYPO_MIN_LENGTH and not (r and f"√{r}" in self.idf):
                    match = process.extractOne(
                        t, self.vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_MIN_RATIO
                    )
                    if match:
                        weights[match[0]] = max(weights.get(match[0], 0.0), TYPO_WEIGHT)
            if r and f"√{r}" in self.idf:
                key = f"√{r}"
                weights[key] = max(weights.get(key, 0.0), ROOT_WEIGHT)
        if PAIR_WEIGHT:
            for t in _pairs(terms(query)):
                if t in self.idf:
                    weights[t] = PAIR_WEIGHT
        return weights, possible

    def search(self, query: str, *, limit: int = 10) -> Results:
        n = len(self.docs)
        if not n or not normalize(query).strip():
            return Results([], False)
        weights, possible = self.query_terms(query)
        bm25 = self.bm25.score(weights)
        char = np.zeros(n)
        content = " ".join(content_words(query))
        shares: dict[str, Counter[str]] = {script: Counter() for script in SCRIPTS}
        for word in content_words(query):
            # Character n-grams are for the words the vocabulary does not know (typos,
            # spellings); words it knows are matched by BM25 already and count for less.
            factor = KNOWN_WORD_CHAR_WEIGHT if stem(word) in self.idf else 1.0
            script = "arabic" if is_arabic(word) else "latin"
            for g, c in char_ngrams(word).items():
                shares[script][g] += c * factor
        for members in self.synonyms.members_of(content):
            for script in SCRIPTS:
                for g, c in char_ngrams(members, script).items():
                    shares[script][g] += c * EXPANSION_WEIGHT
        total_grams = sum(sum(g.values()) for g in shares.values()) or 1
        for script, q_grams in shares.items():
            if q_grams:
                share = sum(q_grams.values()) / total_grams
                char += share * self.chars[script].score(self._char_vector(q_grams))
        title = self._title_match(weights)
        signals = {"bm25": _relative(bm25), "char": _relative(char), "title": title}
        weights_of = {"bm25": W_BM25, "char": W_CHAR, "title": W_TITLE}
        if self.embedding_matrix is not None:
            q = embeddings.embed_query(query)
            if q is not None:
                signals["embed"] = _relative(np.clip(self.embedding_matrix @ q - EMBED_FLOOR, 0, 1))
                weights_of["embed"] = W_EMBED
        total = sum(weights_of.values())
        if FUSION == "rrf":
            fused = np.zeros(n)
            for k, v in signals.items():
                ranks = np.empty(n)
                ranks[np.argsort(-v, kind="stable")] = np.arange(n)
                fused += weights_of[k] / (RRF_K + ranks)
            fused = fused / (total / RRF_K)
        else:
            fused = sum(weights_of[k] * v for k, v in signals.items()) / total
        order = np.argsort(-fused, kind="stable")[:limit]
        top = int(order[0])
        if fused[top] <= 0:
            return Results([], False)
        # How well the best article answers, in absolute terms: the share of the query's
        # information (idf) its words explain, and how much of its title the query names.
        coverage = min(1.0, float(bm25[top]) / (possible * COVERAGE_FULL)) if possible else 0.0
        quality = COVERAGE_SHARE * coverage + (1 - COVERAGE_SHARE) * float(title[top])
        found = [
            Found(
                self.docs[i],
                quality * float(fused[i] / fused[top]),
                {name: float(values[i]) for name, values in signals.items()},
            )
            for i in order
            if fused[i] > 0
        ]
        # Independent signals must agree on the best article: the words (BM25), the
        # characters and, when present, the embedding; two of them at least.
        independent = [k for k in ("bm25", "char", "embed") if k in signals]
        agree = sum(signals[k][top] >= AGREE_LEVEL * signals[k].max() for k in independent)
        confident = quality >= ANSWER_THRESHOLD and agree >= 2
        return Results(found, confident)


def _pairs(stems: list[str]) -> list[str]:
    """Adjacent content words as one term ("رخص|قياد", "birth|certif"): a name of two words
    means more than its words apart."""
    return [f"{a}|{b}" for a, b in itertools.pairwise(stems)]


def _word_features(word: str, synonyms: SynonymTable) -> set[str]:
    feats = set()
    for w in words(word):
        t = stem(w)
        feats.add(t)
        if r := root(w):
            feats.add(f"√{r}")
        feats.update(synonyms.concepts([t]))
    return feats


def _relative(values: np.ndarray) -> np.ndarray:
    if NORM == "z" and len(values) > 1:
        std = float(values.std())
        return (values - values.mean()) / std if std > 0 else values * 0
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else values


# --- snippets ---------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?؟،;:])\s+")
_MARKUP = re.compile(r"^(###|##|-)\s+")
_TOKEN = re.compile(r"(\w+)")


def _sentences(text: str) -> list[str]:
    out = []
    for line in (text or "").splitlines():
        line = _MARKUP.sub("", line.strip())
        if line.startswith("#"):
            continue
        out.extend(part.strip() for part in _SENTENCE.split(line) if part.strip())
    return out


# --- the per-process index ----------------------------------------------------------------

_lock = threading.Lock()
_current: tuple[tuple, Index] | None = None


def bump_version() -> None:
    """Tell every process that articles or synonyms changed. The version is a new unique
    token each time, so a cache that was emptied or restarted never repeats an old one."""
    with contextlib.suppress(Exception):
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def _stamp(version: str | None) -> tuple:
    """The version in the cache and a fingerprint of the tables the index is built from
    (counts and last changes), read in one query."""
    from oneroof.catalog.models import Service
    from oneroof.knowledge.models import Article, Synonym

    article, synonym, service = (m._meta.db_table for m in (Article, Synonym, Service))
    # Table names come from the models, never from input.
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {article}), (SELECT MAX(updated_at) FROM {article}),"  # noqa: S608
        f" (SELECT COUNT(*) FROM {synonym}), (SELECT MAX(updated_at) FROM {synonym}),"
        f" (SELECT MAX(updated_at) FROM {service})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return (version, *cursor.fetchone())


def article_parts(
    *, title: str, short_answer: str, bodies: list[str], notes: str
) -> dict[str, str]:
    """Split an article into the parts the index weighs differently, following the
    article markup: "## " headings (skipped: every article has the same ones), "### "
    questions, "- " list items, paragraphs; the first paragraph of each body is its lead."""
    parts: dict[str, list[str]] = {name: [] for name in FIELD_WEIGHTS}
    parts["title"].append(title)
    parts["short_answer"].append(short_answer)
    parts["text"].append(notes)
    for body in bodies:
        lead_taken = False
        for line in (body or "").splitlines():
            line = line.strip()
            if not line or (line.startswith("## ") and not line.startswith("### ")):
                continue
            if line.startswith("### "):
                parts["questions"].append(line[4:])
            elif line.startswith("- "):
                parts["items"].append(line[2:])
            elif not lead_taken:
                parts["lead"].append(line)
                lead_taken = True
            else:
                parts["text"].append(line)
    return {name: "\n".join(texts) for name, texts in parts.items()}


def build_index() -> Index:
    from oneroof.knowledge.models import Article, Synonym

    docs: list[Doc] = []
    fields: list[dict[str, str]] = []
    for a in Article.objects.published().order_by("pk"):
        docs.append(
            Doc(
                article_id=a.pk,
                service_id=a.service_id,
                slug=a.slug,
                title={"ar": a.title_ar, "en": a.title_en or ""},
                short_answer={"ar": a.short_answer_ar, "en": a.short_answer_en or ""},
                text={
                    "ar": "\n".join(x for x in (a.short_answer_ar, a.body_ar, a.notes_ar) if x),
                    "en": "\n".join(x for x in (a.short_answer_en, a.body_en, a.notes_en) if x),
                },
            )
        )
        fields.append(
            article_parts(
                title=f"{a.title_ar}\n{a.title_en or ''}",
                short_answer=f"{a.short_answer_ar}\n{a.short_answer_en or ''}",
                bodies=[a.body_ar, a.body_en or ""],
                notes=f"{a.notes_ar or ''}\n{a.notes_en or ''}",
            )
        )
    synonyms = SynonymTable(s.term_list for s in Synonym.objects.filter(is_active=True))
    index = Index(docs, fields, synonyms)
    embeddings.attach(index, fields)
    return index


def get_index() -> Index:
    """The current index, rebuilt when the version in the cache moves (actions bump it) or
    the tables changed some other way (another process without a shared cache, a bulk
    update, a rolled-back transaction)."""
    global _current
    stamp = _stamp(cache.get(VERSION_KEY))
    current = _current
    if current is not None and current[0] == stamp:
        return current[1]
    with _lock:
        if _current is not None and _current[0] == stamp:
            return _current[1]
        index = build_index()
        _current = (stamp, index)
        return index
