"""Editing articles: every change keeps the previous version; agency admins edit their own
agency's articles only; the staff pages decide access with the same functions."""

import re

import pytest
from django.urls import reverse

from oneroof.core.errors import InvalidInput
from oneroof.knowledge.actions import article_restore_version, article_update
from oneroof.knowledge.models import Article, ArticleVersion

pytestmark = pytest.mark.django_db


def passport_article() -> Article:
    return Article.objects.get(service__slug="passport-renewal")


def traffic_article() -> Article:
    return Article.objects.get(service__slug="driving-licence-renewal")


def test_an_edit_keeps_the_previous_version_with_who_and_when(agency_admin):
    article = passport_article()
    old_short = article.short_answer_en
    article_update(
        article=article,
        acting_user=agency_admin,
        texts={"short_answer_en": "Renew at a kiosk in five minutes.", "notes_en": "Bring cash."},
        reason="clearer",
    )
    article.refresh_from_db()
    assert article.short_answer_en == "Renew at a kiosk in five minutes."
    latest, previous = article.versions.order_by("-number")[:2]
    assert latest.created_by == agency_admin and latest.reason == "clearer"
    assert previous.short_answer_en == old_short
    assert article.edited_by_staff


def test_restoring_a_version_makes_a_new_one(agency_admin):
    article = passport_article()
    first = article.version
    article_update(article=article, acting_user=agency_admin, texts={"title_en": "Passports"})
    article_restore_version(article=article, acting_user=agency_admin, number=first)
    article.refresh_from_db()
    assert article.title_en == "Passport Renewal"
    assert article.version == first + 2


def test_bad_input_is_refused_and_changes_nothing(agency_admin):
    article = passport_article()
    versions = ArticleVersion.objects.count()
    with pytest.raises(InvalidInput):
        article_update(article=article, acting_user=agency_admin, texts={"title_ar": "  "})
    with pytest.raises(InvalidInput):  # the catalog writes a service article's body
        article_update(article=article, acting_user=agency_admin, texts={"body_en": "x"})
    with pytest.raises(InvalidInput):
        article_update(article=article, acting_user=agency_admin, texts={"slug": "x"})
    article.refresh_from_db()
    assert article.title_ar == "تجديد جواز السفر"
    assert ArticleVersion.objects.count() == versions


EDIT_MATRIX = [
    # persona, own agency's article (passports), another agency's (traffic)
    ("anonymous", 302, 302),
    ("employee_a", 403, 403),
    ("supervisor_a", 403, 403),
    ("employee_b", 403, 403),
    ("agency_admin", 200, 403),
    ("system_admin", 200, 200),
    ("evaluator", 403, 403),
    ("decision_maker", 403, 403),
]


@pytest.mark.parametrize(("persona", "own", "other"), EDIT_MATRIX)
def test_who_may_open_the_edit_page(as_persona, persona, own, other):
    client = as_persona(persona)
    for article, status in ((passport_article(), own), (traffic_article(), other)):
        url = reverse("knowledge:staff-edit", args=[article.slug])
        assert client.get(url).status_code == status


@pytest.mark.parametrize(("persona", "own", "other"), EDIT_MATRIX)
def test_only_editors_change_an_article_and_a_refusal_changes_nothing(
    as_persona, persona, own, other
):
    client = as_persona(persona)
    versions = ArticleVersion.objects.count()
    article = traffic_article()
    url = reverse("knowledge:staff-edit", args=[article.slug])
    data = {
        "title_ar": "عنوان آخر",
        "title_en": "Another title",
        "short_answer_ar": article.short_answer_ar,
        "short_answer_en": article.short_answer_en,
        "is_published": "on",
    }
    response = client.post(url, data)
    article.refresh_from_db()
    if other == 200:
        assert response.status_code == 302
        assert article.title_en == "Another title"
        assert ArticleVersion.objects.count() == versions + 1
    else:
        assert response.status_code == other
        assert article.title_en == "Driving Licence Renewal"
        assert ArticleVersion.objects.count() == versions


def test_unpublishing_takes_an_article_out_of_search_and_its_page(as_persona, system_admin):
    from oneroof.knowledge.search import search

    article = Article.objects.get(service__slug="family-book-issuance")
    assert article.pk in [h.article_id for h in search("family book", lang="en", limit=3)]
    article_update(article=article, acting_user=system_admin, texts={}, is_published=False)
    assert article.pk not in [h.article_id for h in search("family book", lang="en", limit=10)]
    assert as_persona("anonymous").get(article.get_absolute_url()).status_code == 404


def test_a_new_general_article_is_found_at_once(as_persona):
    from oneroof.knowledge.search import search

    client = as_persona("system_admin")
    response = client.post(
        reverse("knowledge:staff-create"),
        {
            "agency": "",
            "title_ar": "مواقف السيارات في المجمعات",
            "title_en": "Parking at the centers",
            "short_answer_ar": "المواقف مجانية لمدة ساعتين.",
            "short_answer_en": "Parking is free for two hours.",
            "body_en": "## Parking\n- Free for two hours\n- Places for people with disabilities",
        },
    )
    assert response.status_code == 302
    hits = search("parking at the centers", lang="en", limit=1)
    assert hits[0].title == "Parking at the centers"


def test_an_agency_admin_creates_articles_for_their_agency_only(as_persona):
    from oneroof.catalog.models import Agency

    client = as_persona("agency_admin")
    form = client.get(reverse("knowledge:staff-create")).content.decode()
    options = re.findall(r'<option value="(\d*)"', form)
    assert options == [str(Agency.objects.get(slug="passports").pk)]
    assert as_persona("employee_a").get(reverse("knowledge:staff-create")).status_code == 403
