"""The public portal in Arabic (unprefixed, right-to-left) and English (/en/)."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor() -> Client:
    return Client()


@pytest.mark.parametrize(
    ("path", "lang", "direction"),
    [("/", "ar", "rtl"), ("/en/", "en", "ltr")],
)
def test_home_is_arabic_by_default_and_english_under_en(visitor, path, lang, direction):
    page = visitor.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<html lang="{lang}" dir="{direction}"' in page
    assert (
        "الإدارة العامة للجوازات والإقامة" in page
        if lang == "ar"
        else "General Directorate of Passports and Residency" in page
    )


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/services/",
        "/services/passport-renewal/",
        "/agencies/passports/",
        "/centers/",
        "/centers/al-rayyan/",
        "/accounts/login/",
    ],
)
def test_every_public_page_renders_in_both_languages(visitor, prefix, path):
    response = visitor.get(prefix + path)
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    # No inline style or script: the content security policy would block them.
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert ' style="' not in html


def test_service_page_has_the_checklist_fee_steps_and_centers(visitor):
    page = visitor.get("/en/services/passport-renewal/").content.decode()
    assert 'data-checklist="passport-renewal"' in page
    assert page.count('type="checkbox"') == 3
    assert "200 QAR" in page
    assert "Print the checklist" in page
    assert "Offered at 11 centers" in page
    assert "Al Rayyan Government Services Complex" in page


def test_free_service_says_free(visitor):
    page = visitor.get("/en/services/birth-certificate/").content.decode()
    assert ">Free<" in page


def test_center_page_shows_desk_hours_until_midnight_and_holidays(visitor):
    page = visitor.get("/en/centers/al-rayyan/").content.decode()
    assert "own desk hours" in page
    assert "16:00–24:00" in page
    assert "National Day" in page
    assert 'href="geo:25.292' in page


def test_search_finds_services_and_says_when_nothing_matches(visitor):
    page = visitor.get("/en/services/", {"q": "passport"}).content.decode()
    assert "/en/services/passport-renewal/" in page
    arabic = visitor.get("/services/", {"q": "جواز سفر"}).content.decode()
    assert "/services/passport-renewal/" in arabic
    nothing = visitor.get("/en/services/", {"q": "zzzqqq"}).content.decode()
    assert "No service matches" in nothing
    # A long query is cut, never an error.
    assert visitor.get("/services/", {"q": "ج" * 5000}).status_code == 200


def test_unknown_pages_are_a_translated_404(visitor):
    response = visitor.get("/services/no-such-service/")
    assert response.status_code == 404
    assert (
        "الصفحة غير موجودة" in response.content.decode() or 'dir="rtl"' in response.content.decode()
    )
    assert visitor.get("/en/centers/nowhere/").status_code == 404


def test_language_switch_keeps_the_page(visitor):
    response = visitor.get("/prefs/", {"lang": "en", "next": "/services/passport-renewal/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/services/passport-renewal/"
    back = visitor.get("/prefs/", {"lang": "ar", "next": "/en/centers/"})
    assert back["Location"] == "/centers/"


def test_large_text_and_high_contrast_are_remembered(visitor):
    response = visitor.get("/prefs/", {"text": "large", "next": "/centers/"})
    assert response["Location"] == "/centers/"
    page = visitor.get("/centers/").content.decode()
    assert 'class="large-text' in page
    visitor.get("/prefs/", {"contrast": "high", "next": "/"})
    assert "high-contrast" in visitor.get("/").content.decode()
    visitor.get("/prefs/", {"text": "normal", "next": "/"})
    assert "large-text" not in visitor.get("/").content.decode()


def test_preferences_never_redirect_off_site(visitor):
    response = visitor.get("/prefs/", {"text": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_agency_colours_are_a_stylesheet(visitor):
    css = visitor.get("/agency-colors.css")
    assert css["Content-Type"].startswith("text/css")
    assert "--agency-color: #7A1F3D" in css.content.decode()
