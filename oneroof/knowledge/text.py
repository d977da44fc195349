"""Arabic- and English-aware text processing for knowledge search.

`normalize` folds the spellings people mix up (alef forms, taa marbuta and haa, alef
maqsura and yaa, hamza carriers, diacritics, tatweel, Arabic-Indic digits) on top of
`catalog.text.normalize`. `words` splits normalised text into words, also where Arabic and
Latin letters or digits touch. `stem` reduces a word to a search stem: a light Arabic
stemmer (prefixes and suffixes, never below a three-letter root) refined by Snowball
(PyStemmer) for English.
"""

from __future__ import annotations

import functools
import re

import Stemmer

from oneroof.catalog.text import normalize as _catalog_normalize

_EXTRA = str.maketrans(
    {
        "ک": "ك",  # Persian kaf
        "ی": "ي",  # Persian yeh
        "ے": "ي",
        "ە": "ه",
        "ۀ": "ه",
        "ڤ": "ف",  # Gulf spelling of v
        "گ": "ك",  # Gulf spelling of g
        "چ": "ج",
        "پ": "ب",
        "\u200c": " ",  # zero-width non-joiner
        "\u200d": "",
        "\u200f": "",
        "\u200e": "",
    }
)
# Latin or digit runs glued to Arabic ("الـsalary", "2سيارة") are separate words.
_WORD = re.compile(r"[a-z]+|[0-9]+|[\u0621-\u064a]+")
_ARABIC = re.compile(r"[\u0621-\u064a]")


_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def strip_marks(text: str) -> str:
    """Remove diacritics and tatweel only."""
    return _MARKS.sub("", text or "")


def normalize(text: str) -> str:
    """Fold spelling variants; lower-case; keep word boundaries."""
    return _catalog_normalize((text or "").translate(_EXTRA))


def words(text: str) -> list[str]:
    """The words of a text after normalisation, Arabic, Latin and digit runs apart."""
    return _WORD.findall(normalize(text))


def is_arabic(word: str) -> bool:
    return bool(_ARABIC.match(word))


# Light stemming in the manner of Larkey's light10: strip a conjunction or preposition with
# the article, then the common suffixes, keeping at least three letters.
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_SUFFIXES = ("هما", "كما", "ات", "ان", "ين", "ون", "يه", "ها", "كم", "هم", "نا", "ه", "ي")
_english = Stemmer.Stemmer("english")

# Function words of Modern Standard and Gulf Arabic, and of English, and the words every
# question about a service shares ("what papers are required"), which say nothing of which
# service a person needs. "ال" alone is what is left of "الـ" before a Latin word.
_ARABIC_STOPWORDS_TEXT = """
    في من على الى إلى عن مع هل ما ماذا متى اين أين وين كيف شلون ليش لماذا كم هذا هذه هذي
    ذلك تلك اللي الذي التي الذين او أو ثم لو اذا إذا ان أن إن لا لم لن قد كل بعد قبل عند
    عندي عندنا انا أنا احنا نحن انت أنت هو هي هم ابي ابغى ابغي أبي أبغى ودي بغيت يبي يبون
    حق حقي حقت وش ايش شو شنو يعني بس لازم ممكن اقدر أقدر نقدر تقدر يمكن هناك فيه الحين
    اليوم بكره بكرة مره مرة واجد وايد شي شيء كذا جذي زين طيب يا لي له لها لكم منه منها فيها
    عليه عليها به بها كان كانت يكون تكون صار ولا الا إلا غير ايضا أيضا بين حتى اريد أريد
    نريد اود أود ارجو أرجو رجاء لو سمحت سمحتوا مرحبا السلام عليكم شكرا الله عشان علشان حقه
    حقها حقته حقتي حقنا اللى ذي ذا هاذي هذاك ترا تراني مب مو مافي ماكو ينفع يصير يبيله يبي
    تبي نبي ابا أبا ابى عطني عطوني وشلون ايه اي لين بعدين هالشي يعطيكم العافية جزاكم خير لو
    سمحتو
    اسوي نسوي يسوي تسوي سويت سوينا احتاج نحتاج يحتاج تحتاج اروح نروح يروح تروح اجي نجي
    يجي جيت ابيه ابيها ابغاه ابغاها نبيه عندهم عنده عندها ال
    اوراق الاوراق ورق الورق ورقه مطلوب مطلوبه المطلوب المطلوبه المطلوبين
"""
_ENGLISH_STOPWORDS_TEXT = """
    a an the and or but if of to in on at by for with from about as into is are was were be
    been being am do does did doing have has had i me my we our you your he him his she her
    it its they them their this that these those what which who whom how when where why can
    could should would will shall may might must need want there here so not no yes any
    some all get got please hi hello thanks thank just also than then too very much many
    papers paperwork required needed
"""
ARABIC_STOPWORDS = frozenset(normalize(w) for w in _ARABIC_STOPWORDS_TEXT.split())
ENGLISH_STOPWORDS = frozenset(_ENGLISH_STOPWORDS_TEXT.split())


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The search stem of one normalised word."""
    if not is_arabic(word):
        return _english.stemWord(word) if word.isalpha() else word
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix) :]
            break
    for _ in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        else:
            break
    # The taa of a noun with a suffix ("بطاقتي" -> "بطاقت") is the taa marbuta ("بطاقه").
    if (word.endswith("ت") and len(word) >= 4) or (word.endswith("ه") and len(word) >= 4):
        word = word[:-1]
    return word


@functools.lru_cache(maxsize=1)
def _isri():
    # Imported on first use: nltk takes half a second to import.
    from nltk.stem.isri import ISRIStemmer

    return ISRIStemmer()


@functools.lru_cache(maxsize=50_000)
def root(word: str) -> str | None:
    """The root of an Arabic word (ISRI, from nltk), which joins forms a light stem keeps
    apart: "تجديد", "اجدد" and "يجدد" all give "جدد". None for other words."""
    if not is_arabic(word) or len(word) < 3:
        return None
    return _isri().stem(word)


def is_stopword(word: str) -> bool:
    return word in ARABIC_STOPWORDS or word in ENGLISH_STOPWORDS


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if len(w) > 1 and not is_stopword(w)]


def terms(text: str) -> list[str]:
    """Stems of the content words of a text, in order."""
    return [stem(w) for w in content_words(text)]


def root_terms(text: str) -> list[str]:
    """Roots of the Arabic content words of a text, marked so they never meet a stem."""
    return [f"√{r}" for w in content_words(text) if (r := root(w))]
