"""The lexicon sentiment of monitored posts, in Arabic (standard and Gulf) and English."""

import pytest

from oneroof.care.actions import detect_lang, guess_center, guess_kind
from oneroof.care.sentiment import analyse
from oneroof.centers.models import Center


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("شكراً لكم، الخدمة ممتازة وسريعة", "positive"),
        ("الله يعطيكم العافية ما قصرتوا", "positive"),
        ("زحمة وتأخير، خدمة سيئة جداً", "negative"),
        ("الموظف كان وقح وما احد رد علي", "negative"),
        ("الـمـوظـف مُـهْـمِـل", "negative"),  # tatweel and diacritics
        ("الخدمة ما كانت سريعة", "negative"),  # negation flips
        ("Great service, very fast, thank you!", "positive"),
        ("Terrible queue, nobody answered, very rude staff", "negative"),
        ("The service was not helpful", "negative"),
        ("متى يفتح المركز يوم السبت؟", "neutral"),
        ("When does the center open?", "neutral"),
    ],
)
def test_sentiment(text, label):
    assert analyse(text).label == label


def test_the_score_is_bounded_and_explained():
    result = analyse("سيء سيء سيء سيء سيء سيء")
    assert -1 < result.score < -0.8 and result.matched


def test_language_and_kind_are_guessed_from_the_text():
    assert detect_lang("ابي اجدد الجواز please") == "ar"
    assert detect_lang("How do I renew my passport?") == "en"
    assert guess_kind("خدمة سيئة والموظف وقح") == "complaint"
    assert guess_kind("كيف اجدد الجواز؟") == "inquiry"


@pytest.mark.django_db
def test_the_center_is_guessed_from_its_name():
    wakra = Center.objects.get(slug="al-wakra")
    assert guess_center("راجعت مجمع الوكرة امس") == wakra.pk
    assert guess_center("I went to the Al Wakra center") == wakra.pk
    assert guess_center("I went to a center") is None
