"""One article per service, generated from the catalog and kept in step with it."""

import json

import pytest

from oneroof.catalog.actions import catalog_import
from oneroof.catalog.demodata import DEMO_CATALOG
from oneroof.catalog.models import Service
from oneroof.core import events
from oneroof.knowledge.actions import articles_sync, demo_articles_load, on_catalog_event
from oneroof.knowledge.choices import ArticleKind
from oneroof.knowledge.models import Article, ArticleVersion, Synonym

pytestmark = pytest.mark.django_db


def test_every_service_has_one_article_with_its_facts_in_both_languages():
    # Given the demo catalog loaded at session start (its import event built the articles)
    services = Service.objects.count()
    assert Article.objects.filter(kind=ArticleKind.SERVICE).count() == services
    article = Article.objects.get(service__slug="passport-renewal")
    # Then the article says what, what to bring, the fee and the answers of its FAQs
    assert article.title_ar == "تجديد جواز السفر" and article.title_en == "Passport Renewal"
    assert "200" in article.short_answer_en and "QAR" in article.short_answer_en
    assert "- Current passport" in article.body_en
    assert "### " in article.body_ar  # the FAQ questions
    assert article.agency.slug == "passports"
    assert Synonym.objects.exists()  # the seed table came with the first sync


def test_a_second_sync_changes_nothing():
    versions = ArticleVersion.objects.count()
    report = articles_sync()
    assert report.counts == {"unchanged": Service.objects.count()}
    assert ArticleVersion.objects.count() == versions


def test_a_changed_fee_rewrites_the_article_and_keeps_the_previous_version():
    service = Service.objects.get(slug="birth-certificate")
    article = Article.objects.get(service=service)
    before = article.version
    service.fee = 25
    service.save()
    articles_sync(services=[service])
    article.refresh_from_db()
    assert article.version == before + 1
    assert "25" in article.short_answer_en
    previous = article.versions.get(number=before)
    assert "free" in previous.short_answer_en.lower()
    latest = article.versions.get(number=article.version)
    assert latest.created_by is None  # the catalog changed it


def test_the_catalog_keeps_a_title_and_short_answer_written_by_staff(agency_admin):
    from oneroof.knowledge.actions import article_update

    article = Article.objects.get(service__slug="passport-renewal")
    article_update(
        article=article,
        acting_user=agency_admin,
        texts={"short_answer_ar": "جدد جوازك من جهاز الخدمة الذاتية في دقائق."},
    )
    service = article.service
    service.description_ar = "وصف جديد للخدمة."
    service.save()
    articles_sync(services=[service])
    article.refresh_from_db()
    assert article.short_answer_ar == "جدد جوازك من جهاز الخدمة الذاتية في دقائق."
    assert article.body_ar.startswith("وصف جديد للخدمة.")


def test_the_import_event_and_a_notice_event_resync_the_articles():
    service = Service.objects.get(slug="death-certificate")
    Service.objects.filter(pk=service.pk).update(fee=10)
    on_catalog_event(f"staff.service.{service.pk}", "notice.created", {"service": service.slug})
    assert "10" in Article.objects.get(service=service).short_answer_en
    Service.objects.filter(pk=service.pk).update(fee=30)
    on_catalog_event("catalog", "catalog.imported", {"centers": []})
    assert "30" in Article.objects.get(service=service).short_answer_en


def test_catalog_import_publishes_the_event_the_knowledge_base_follows(
    django_capture_on_commit_callbacks,
):
    data = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    data["services"][0]["fee_qar"] = 275
    with events.capture_events() as captured, django_capture_on_commit_callbacks(execute=True):
        catalog_import(data=data)
    assert ("catalog", "catalog.imported") in [(g, t) for g, t, _ in captured]
    slug = data["services"][0]["slug"]
    assert "275" in Article.objects.get(service__slug=slug).short_answer_en


def test_demo_general_articles_load_once():
    assert demo_articles_load() >= 3
    assert demo_articles_load() == 0
    article = Article.objects.get(slug="how-to-book-an-appointment")
    assert article.kind == ArticleKind.FREE and article.service is None
    assert article.versions.count() == 1
