"""The quality bar of knowledge search, on inquiries as citizens write them (Gulf Arabic,
Modern Standard Arabic, misspellings, English, mixed) against the shared catalog."""

import json

import pytest

from oneroof.catalog.actions import catalog_import
from oneroof.knowledge import search as kb
from oneroof.knowledge.actions import articles_sync, demo_articles_load
from oneroof.knowledge.models import Article

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]


def evaluate(inquiries: list[dict]) -> dict[str, float]:
    slug_of = {
        a.pk: a.service.slug if a.service else a.slug
        for a in Article.objects.select_related("service")
    }
    top1 = top3 = answered = rejected = unanswerable = 0
    for inquiry in inquiries:
        expected = inquiry["expected_service"]
        if expected:
            answered += 1
            slugs = [slug_of[h.article_id] for h in kb.search(inquiry["text"], limit=3)]
            top1 += slugs[:1] == [expected]
            top3 += expected in slugs
        else:
            unanswerable += 1
            rejected += kb.confident_answer(inquiry["text"]) is None
    return {
        "top1": top1 / answered,
        "top3": top3 / answered,
        "rejected": rejected / unanswerable if unanswerable else 1.0,
    }


def test_search_finds_the_service_of_real_inquiries_and_declines_the_rest(shared_data):
    # Given the shared catalog, its generated articles and the general articles
    catalog_import(data=json.loads((shared_data / "catalog.json").read_text(encoding="utf-8")))
    articles_sync()
    demo_articles_load()
    inquiries = json.loads((shared_data / "inquiries-dev.json").read_text(encoding="utf-8"))
    # When every inquiry is searched
    figures = evaluate(inquiries)
    # Then the right service comes first for 90 %, among the first three for 97 %, and no
    # confident answer is given to 85 % of the questions the catalog cannot answer
    assert figures["top1"] >= 0.90, figures
    assert figures["top3"] >= 0.97, figures
    assert figures["rejected"] >= 0.85, figures


def test_automatic_answers_are_rare_mistakes(shared_data):
    catalog_import(data=json.loads((shared_data / "catalog.json").read_text(encoding="utf-8")))
    articles_sync()
    inquiries = json.loads((shared_data / "inquiries-dev.json").read_text(encoding="utf-8"))
    slug_of = {a.pk: a.service.slug for a in Article.objects.filter(service__isnull=False)}
    wrong = answered = 0
    for inquiry in inquiries:
        hit = kb.confident_answer(inquiry["text"])
        if hit is not None:
            answered += 1
            wrong += slug_of.get(hit.article_id) != inquiry["expected_service"]
    # A confident answer is right at least nine times in ten, and answers a third or more.
    assert answered >= len(inquiries) / 3
    assert wrong <= answered / 10
