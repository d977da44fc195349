"""Knowledge search: the one entry point for the portal, the kiosk, the counter console,
the care inbox and the API.

    hits = search("ابي اجدد الباسبور", lang="ar")
    hit = confident_answer("how do I renew my passport?")   # a Hit or None

Scores are between 0 and 1 and comparable to `ANSWER_THRESHOLD`. The index is built in
memory per process from the database (see `index.py`), so results are the same on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation

from oneroof.knowledge import index as _index

# The fused score at or above which the best article may answer an inquiry by itself
# (when the independent signals also agree on it). See docs/adr/0008-knowledge-search.md.
ANSWER_THRESHOLD: float = _index.ANSWER_THRESHOLD


@dataclass(frozen=True)
class Hit:
    article_id: int
    service_id: int | None
    title: str  # in the requested language
    url: str  # public URL of the article
    score: float  # 0..1, comparable to ANSWER_THRESHOLD
    snippet: str  # HTML-safe snippet with <mark> around matches
    short_answer: str  # one or two sentences suitable for an automatic reply


def _lang(lang: str | None) -> str:
    lang = (lang or translation.get_language() or "ar")[:2]
    return lang if lang in ("ar", "en") else "ar"


def _hit(index: _index.Index, found: _index.Found, lang: str, marks: set[str]) -> Hit:
    doc = found.doc
    return Hit(
        article_id=doc.article_id,
        service_id=doc.service_id,
        title=doc.title[lang] or doc.title["ar"],
        url=doc.url(lang),
        score=round(found.score, 4),
        snippet=index.snippet(doc, marks, lang),
        short_answer=doc.short_answer[lang] or doc.short_answer["ar"],
    )


def search(query: str, *, lang: str | None = None, limit: int = 10) -> list[Hit]:
    """Published articles ranked for a query, best first (at most `limit`)."""
    lang = _lang(lang)
    limit = max(1, min(int(limit), 50))
    index = _index.get_index()
    results = index.search(query, limit=limit)
    marks = index.highlight_terms(query)
    return [_hit(index, found, lang, marks) for found in results.found]


def confident_answer(query: str, *, lang: str | None = None) -> Hit | None:
    """The top hit when it is confident enough for an automatic reply (independent signals
    agree and score >= ANSWER_THRESHOLD), else None."""
    lang = _lang(lang)
    index = _index.get_index()
    results = index.search(query, limit=3)
    if not results.found or not results.confident:
        return None
    return _hit(index, results.found[0], lang, index.highlight_terms(query))
