"""A small lexicon-based sentiment for Arabic (standard and Gulf) and English posts.

Why a lexicon: posts about public services use a narrow vocabulary (waiting, staff,
appointments, thanks), the result must be explainable to the people who act on it, and it
must run with no model and no network. No well-kept Arabic sentiment library without a model
download exists on the package index.

How it scores: the text is normalised as search does (`catalog.text.normalize`: alef forms,
taa marbuta, alef maqsura, diacritics, tatweel, digits), split into words, and each word (or
two-word phrase) found in `LEXICON` adds its weight (-3 … +3). A negation word up to two words
before flips the sign ("ما ساعدوني", "not helpful"); an intensifier just before multiplies it
by 1.5 ("وايد زحمة", "very slow"). The sum is scaled to -1 … +1 by `score / (|score| + 4)`.
Below -0.2 is negative, above +0.2 positive, neutral between.

The lexicon is written by hand for this domain. Entries are normalised forms (so "زحمه"
matches "زحمة"); add words here, with a test, when monitoring shows a miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oneroof.catalog.text import normalize

POSITIVE_WORDS: dict[str, float] = {
    # Arabic, standard and Gulf
    "شكرا": 2,
    "مشكورين": 2,
    "مشكور": 2,
    "يعطيكم العافيه": 2,
    "الله يعطيكم العافيه": 2,
    "ممتاز": 3,
    "ممتازه": 3,
    "رائع": 3,
    "رائعه": 3,
    "سريع": 2,
    "سريعه": 2,
    "بسرعه": 2,
    "سهل": 1,
    "سهله": 1,
    "منظم": 2,
    "منظمه": 2,
    "متعاون": 2,
    "متعاونين": 2,
    "محترم": 2,
    "محترمين": 2,
    "خدوم": 2,
    "حلو": 2,
    "زين": 1,
    "تمام": 1,
    "مرتب": 1,
    "راضي": 2,
    "سعيد": 2,
    "افضل": 1,
    "جميل": 2,
    "احسنتم": 3,
    "كفو": 3,
    "ما قصرتوا": 3,
    "ما قصروا": 3,
    "تجربه رائعه": 3,
    "خدمه ممتازه": 3,
    # English
    "thanks": 2,
    "thank": 2,
    "great": 3,
    "excellent": 3,
    "fast": 2,
    "quick": 2,
    "quickly": 2,
    "easy": 1,
    "helpful": 2,
    "friendly": 2,
    "polite": 2,
    "organised": 2,
    "organized": 2,
    "smooth": 2,
    "good": 1,
    "happy": 2,
    "love": 2,
    "amazing": 3,
    "efficient": 2,
    "professional": 2,
}

NEGATIVE_WORDS: dict[str, float] = {
    # Arabic, standard and Gulf
    "زحمه": -2,
    "زحام": -2,
    "تاخير": -2,
    "تاخر": -2,
    "تاخرت": -1,
    "متاخر": -2,
    "انتظار طويل": -3,
    "انتظرت": -1,
    "سيء": -3,
    "سيئه": -3,
    "سيئ": -3,
    "اسوا": -3,
    "زفت": -3,
    "خايس": -3,
    "خايسه": -3,
    "فاشل": -3,
    "فاشله": -3,
    "وقح": -3,
    "وقحه": -3,
    "قليل ادب": -3,
    "ما يحترم": -3,
    "مهمل": -2,
    "اهمال": -3,
    "فوضى": -2,
    "فوضي": -2,
    "معطل": -2,
    "عطلان": -2,
    "خربان": -2,
    "مشكله": -1,
    "مشاكل": -2,
    "شكوى": -2,
    "اشتكي": -2,
    "ظلم": -3,
    "مستاء": -2,
    "مستاءه": -2,
    "زعلان": -2,
    "غاضب": -3,
    "تعبت": -2,
    "تعب": -1,
    "ضيعت": -2,
    "مضيعه": -2,
    "بطيء": -2,
    "بطء": -2,
    "بطيئه": -2,
    "محد رد": -3,
    "ما احد رد": -3,
    "ما حد رد": -3,
    "ما ردوا": -3,
    "مقفل": -1,
    "مسكر": -1,
    "رفضوا": -2,
    "رجعوني": -2,
    "مرفوض": -1,
    "للاسف": -2,
    "حرام": -2,
    # English
    "bad": -2,
    "worst": -3,
    "terrible": -3,
    "awful": -3,
    "horrible": -3,
    "slow": -2,
    "rude": -3,
    "late": -1,
    "delay": -2,
    "delayed": -2,
    "waiting": -1,
    "waited": -1,
    "crowded": -2,
    "broken": -2,
    "closed": -1,
    "complaint": -2,
    "complain": -2,
    "disappointed": -3,
    "disappointing": -3,
    "unacceptable": -3,
    "useless": -3,
    "angry": -3,
    "frustrated": -3,
    "frustrating": -3,
    "mess": -2,
    "chaos": -2,
    "ignored": -3,
    "unhelpful": -2,
    "wasted": -2,
    "refused": -2,
    "nobody answered": -3,
    "no one answered": -3,
    "unfortunately": -2,
}

NEGATIONS = {
    "ما",
    "مو",
    "مب",
    "مش",
    "لا",
    "لم",
    "لن",
    "ليس",
    "مافي",
    "not",
    "no",
    "never",
    "don't",
    "didn't",
    "doesn't",
    "isn't",
    "wasn't",
    "won't",
    "cannot",
    "can't",
    "dont",
    "didnt",
}
INTENSIFIERS = {
    "جدا",
    "وايد",
    "كثير",
    "مره",
    "مرا",
    "اكثر",
    "very",
    "so",
    "really",
    "extremely",
    "too",
}

LEXICON: dict[str, float] = {
    normalize(k): v for k, v in {**POSITIVE_WORDS, **NEGATIVE_WORDS}.items()
}
_WORD = re.compile(r"[\w']+", re.UNICODE)
THRESHOLD = 0.2


@dataclass(frozen=True)
class SentimentResult:
    label: str  # positive, neutral, negative
    score: float  # -1 … +1
    matched: tuple[str, ...]  # the lexicon entries found, for explaining the label


def _words(text: str) -> list[str]:
    words = _WORD.findall(normalize(text))
    out = []
    for w in words:
        # "والزحمة" → "زحمه": the conjunction and the article are not part of the word.
        if w not in LEXICON and len(w) > 4 and w.startswith(("وال", "بال", "فال")):
            w = w[3:]
        elif w not in LEXICON and len(w) > 3 and w.startswith("ال"):
            w = w[2:]
        elif w not in LEXICON and len(w) > 3 and w.startswith("و") and w[1:] in LEXICON:
            w = w[1:]
        out.append(w)
    return out


def analyse(text: str) -> SentimentResult:
    words = _words(text)
    total = 0.0
    matched: list[str] = []
    i = 0
    while i < len(words):
        entry, width = None, 1
        for n in (3, 2, 1):
            phrase = " ".join(words[i : i + n])
            if len(words[i : i + n]) == n and phrase in LEXICON:
                entry, width = phrase, n
                break
        if entry is not None:
            weight = LEXICON[entry]
            before = words[max(0, i - 2) : i]
            # A phrase that already holds its negation ("ما ردوا") is not flipped again.
            if any(w in NEGATIONS for w in before) and entry.split()[0] not in NEGATIONS:
                weight = -weight
            if before and before[-1] in INTENSIFIERS:
                weight *= 1.5
            if i + width < len(words) and words[i + width] in INTENSIFIERS:
                weight *= 1.5
            total += weight
            matched.append(entry)
        i += width
    score = total / (abs(total) + 4) if total else 0.0
    if score <= -THRESHOLD:
        label = "negative"
    elif score >= THRESHOLD:
        label = "positive"
    else:
        label = "neutral"
    return SentimentResult(label=label, score=round(score, 3), matched=tuple(matched))
