"""Helpers for care tests: cases from any channel, and inquiries the knowledge base does or
does not answer confidently (found through its public interface, so the tests follow the
knowledge base as it improves)."""

from __future__ import annotations

import pytest

from oneroof.care.actions import case_open
from oneroof.care.backends import Inbound
from oneroof.care.models import Case
from oneroof.knowledge.search import confident_answer

# Inquiries about services, most confident first; a test takes the first one the knowledge
# base answers confidently.
ANSWERABLE = [
    ("Passport renewal", "en"),
    ("How do I renew my passport?", "en"),
    ("تجديد جواز السفر", "ar"),
    ("ابي اجدد جوازي", "ar"),
    ("شهادة ميلاد لولدي", "ar"),
    ("I need a birth certificate for my son", "en"),
]
UNANSWERABLE = [
    ("السلام عليكم، عندي استفسار", "ar"),
    ("Hello, I have a question", "en"),
    ("xq zzv plugh", "en"),
]


def answerable_inquiry():
    """(text, lang, hit) of an inquiry the knowledge base answers confidently."""
    for text, lang in ANSWERABLE:
        hit = confident_answer(text, lang=lang)
        if hit is not None:
            return text, lang, hit
    pytest.fail("The knowledge base answers none of the sample inquiries confidently.")


def unanswerable_inquiry():
    for text, lang in UNANSWERABLE:
        if confident_answer(text, lang=lang) is None:
            return text, lang
    pytest.fail("The knowledge base answers even an empty greeting confidently.")


def make_case(*, acting_user=None, auto_reply: bool = False, **fields) -> Case:
    defaults = {"channel": "portal", "text": "Please call me about my file.", "kind": "inquiry"}
    defaults.update(fields)
    return case_open(inbound=Inbound(**defaults), acting_user=acting_user, auto_reply=auto_reply)
