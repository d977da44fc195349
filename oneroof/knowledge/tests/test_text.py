"""Arabic and English text processing for search: the spellings people mix up fold
together, and stems join the forms of one word."""

import pytest

from oneroof.knowledge.text import content_words, normalize, root, stem, terms, words


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"),  # alef forms
        ("شهادة", "شهاده"),  # taa marbuta / haa
        ("مستشفى", "مستشفي"),  # alef maqsura / yaa
        ("مسؤول مسئول", "مسوول مسيول"),  # hamza on waw and yaa
        ("جَوَازُ السَّفَرِ", "جواز السفر"),  # diacritics
        ("تجـــديد", "تجديد"),  # tatweel
        ("٢٠٢٦ ۱۲", "2026 12"),  # Arabic-Indic and Persian digits
        ("PASSPORT Renewal", "passport renewal"),
        ("گاراج چای پاسبور ڤيزا", "كاراج جاي باسبور فيزا"),  # Persian letters of Gulf spelling
    ],
)
def test_spelling_variants_fold_to_one_form(typed, folded):
    assert normalize(typed) == folded


def test_arabic_and_latin_glued_together_are_separate_words():
    assert words("الـsalary حق2026 renewalللجواز") == [
        "ال",
        "salary",
        "حق",
        "2026",
        "renewal",
        "للجواز",
    ]


def test_zero_width_joiners_do_not_split_or_glue_words():
    assert words("بطاقة\u200cشخصية") == ["بطاقه", "شخصيه"]
    assert words("جو\u200dاز") == ["جواز"]


@pytest.mark.parametrize(
    "forms",
    [
        ["البطاقة", "بطاقة", "بطاقه", "بطاقتي", "والبطاقة", "بالبطاقة"],
        ["الجواز", "جواز", "للجواز", "جوازي"],
        ["الرخصة", "رخصة", "رخصه", "رخصتي"],
        ["السيارة", "سيارة", "سياره", "سيارتي"],
        ["الشهادة", "شهادة", "شهاده", "الشهاده"],
    ],
)
def test_light_stem_joins_the_forms_of_a_noun(forms):
    assert len({stem(w) for f in forms for w in words(f)}) == 1


def test_roots_join_verb_and_noun_forms_the_light_stem_keeps_apart():
    assert {root(w) for w in words("تجديد اجدد يجدد جددت")} == {"جدد"}
    assert {root(w) for w in words("مسافر السفر اسافر")} == {"سفر"}
    assert root("renew") is None


def test_english_words_are_stemmed_with_snowball():
    assert terms("renewing renewal renew") == ["renew", "renew", "renew"]
    assert terms("Birth certificates") == ["birth", "certif"]


def test_function_words_of_gulf_arabic_and_english_are_not_content():
    assert content_words("ابي اجدد الجواز حقي وش اسوي") == ["اجدد", "الجواز"]
    assert content_words("how do I renew my passport?") == ["renew", "passport"]


def test_stems_never_fall_below_three_letters():
    for word in words("بيت وقت اب ام يد ماء"):
        assert len(stem(word)) >= min(3, len(word))


def test_hamza_and_diacritics_in_one_query_still_match_the_plain_spelling():
    assert terms("إِلْغَاءُ الإِقَامَةِ") == terms("الغاء الاقامه")
