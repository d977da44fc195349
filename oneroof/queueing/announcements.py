"""Spoken announcements of calls on the display board.

A call is announced in Arabic, then in English: "Ticket number A 23, please go to counter 5".
A board speaks the text with the device's own voice for a language when it has one;
otherwise it joins short audio clips ("ticket number", letters, numbers, "please go to
counter") that the project generates offline with espeak-ng, or that an administrator
records. Clips live in MEDIA_ROOT/announcements/<lang>/<key>.wav; a file placed there by
hand (a recorded human voice) is never overwritten by the generator unless forced.
The chime before each announcement is a WAV made here from sine tones."""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
import wave
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

LANGS = ("ar", "en")
COMMON = "common"  # language-independent clips: the chime
CHIME = "chime"
KEY_RE = re.compile(r"^[a-z0-9-]{1,40}$")
NUMBER_RE = re.compile(r"^([A-Z]*)(\d*)$")
SAMPLE_RATE = 22050
ESPEAK_VOICES = {"ar": "ar", "en": "en"}

# How an Arabic voice says the Latin letters of ticket numbers: the English letter names
# written in Arabic script (how visitors in the Gulf read "A 23" aloud). Phonetic input for
# the speech engine, not interface text.
LETTER_NAMES_AR = {
    "A": "إيه",
    "B": "بي",
    "C": "سي",
    "D": "دي",
    "E": "إي",
    "F": "إف",
    "G": "جي",
    "H": "إتش",
    "I": "آي",
    "J": "جيه",
    "K": "كيه",
    "L": "إل",
    "M": "إم",
    "N": "إن",
    "O": "أو",
    "P": "پي",
    "Q": "كيو",
    "R": "آر",
    "S": "إس",
    "T": "تي",
    "U": "يو",
    "V": "في",
    "W": "دبليو",
    "X": "إكس",
    "Y": "واي",
    "Z": "زد",
}


# --- what is said ----------------------------------------------------------------------------


def split_number(number: str) -> tuple[str, int | None]:
    """A ticket number as its letters and its value: "A023" → ("A", 23)."""
    match = NUMBER_RE.match(number.strip().upper())
    if match is None:
        return "", None
    letters, digits = match.groups()
    return letters, int(digits) if digits else None


def spoken_number(number: str) -> str:
    """How a number is read out: letters one by one, then the value without leading zeros
    ("A023" → "A 23", "AB7" → "A B 7")."""
    letters, value = split_number(number)
    if not letters and value is None:
        return number
    parts = list(letters)
    if value is not None:
        parts.append(str(value))
    return " ".join(parts)


def announcement_text(number: str, counter: int | str, lang: str) -> str:
    with translation.override(lang):
        return _("Ticket number %(number)s, please go to counter %(counter)s.") % {
            "number": spoken_number(number),
            "counter": counter,
        }


def announcement_texts(number: str, counter: int | str) -> dict[str, str]:
    """The announcement in every language, in the order they are spoken (Arabic first)."""
    return {lang: announcement_text(number, counter, lang) for lang in LANGS}


def number_keys(value: int) -> list[str]:
    """Clips that say a number: one clip below 100; hundreds, "and", the rest below 1000;
    digit by digit above."""
    if value < 100:
        return [f"n-{value}"]
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return [f"n-{hundreds * 100}"] + (["and", f"n-{rest}"] if rest else [])
    return [f"n-{digit}" for digit in str(value)]


def clip_keys(number: str, counter: int) -> list[str]:
    """The clips that say one announcement, in order; the same keys in every language."""
    letters, value = split_number(number)
    keys = ["ticket", *(f"letter-{c.lower()}" for c in letters)]
    if value is not None:
        keys += number_keys(value)
    return [*keys, "go-to-counter", *number_keys(int(counter))]


def announcement(number: str, counter: int) -> dict:
    """What a board needs to announce a call: the texts and the clip keys."""
    return {"texts": announcement_texts(number, counter), "clips": clip_keys(number, counter)}


# --- the clips -------------------------------------------------------------------------------


def clip_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "announcements"


def clip_path(lang: str, key: str) -> Path | None:
    """The file of a clip if the key is well formed (never a path outside the folder)."""
    if lang not in (*LANGS, COMMON) or not KEY_RE.match(key):
        return None
    return clip_root() / lang / f"{key}.wav"


def languages_with_clips() -> dict[str, bool]:
    """Which languages have clips to fall back on (their "ticket number" phrase exists)."""
    return {lang: (clip_root() / lang / "ticket.wav").is_file() for lang in LANGS}


def clip_texts(lang: str) -> dict[str, tuple[str, bool]]:
    """Every clip of a language: key → (text for espeak-ng, is SSML)."""
    with translation.override(lang):
        texts: dict[str, tuple[str, bool]] = {
            "ticket": (_("Ticket number"), False),
            "go-to-counter": (_("please go to counter"), False),
            "and": (_("and"), False),
        }
    for letter, name_ar in LETTER_NAMES_AR.items():
        if lang == "ar":
            texts[f"letter-{letter.lower()}"] = (name_ar, False)
        else:
            spelled = f'<speak><say-as interpret-as="characters">{letter}</say-as></speak>'
            texts[f"letter-{letter.lower()}"] = (spelled, True)
    for value in [*range(100), *range(100, 1000, 100)]:
        texts[f"n-{value}"] = (str(value), False)
    return texts


def chime_wav(rate: int = SAMPLE_RATE) -> bytes:
    """A two-note chime (E5 then C5, softly decaying), 16-bit mono."""
    samples = array("h")
    for frequency, seconds in ((659.25, 0.55), (523.25, 0.9)):
        count = int(rate * seconds)
        for i in range(count):
            t = i / rate
            envelope = math.exp(-3.2 * t) * min(1.0, i / (0.01 * rate))
            tone = math.sin(2 * math.pi * frequency * t) + 0.3 * math.sin(
                4 * math.pi * frequency * t
            )
            samples.append(int(12000 * envelope * tone))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def trim_silence(path: Path, threshold: int = 400, margin_seconds: float = 0.04) -> None:
    """Cut the silence espeak-ng leaves around a clip, so joined clips sound like one
    sentence and not like separate words."""
    with wave.open(str(path), "rb") as clip:
        params = clip.getparams()
        frames = clip.readframes(clip.getnframes())
    if params.sampwidth != 2 or params.nchannels != 1:
        return
    samples = array("h", frames)
    loud = [i for i, value in enumerate(samples) if abs(value) > threshold]
    if not loud:
        return
    margin = int(params.framerate * margin_seconds)
    start, end = max(loud[0] - margin, 0), min(loud[-1] + margin, len(samples))
    with wave.open(str(path), "wb") as clip:
        clip.setparams(params)
        clip.writeframes(samples[start:end].tobytes())


@dataclass
class ClipReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def espeak_path() -> str | None:
    return shutil.which("espeak-ng")


def generate_clips(
    *, langs: tuple[str, ...] = LANGS, force: bool = False, speed: int = 160
) -> ClipReport:
    """Write every clip with espeak-ng (which must be installed). Existing files, such as
    recordings put there by an administrator, are kept unless `force`."""
    espeak = espeak_path()
    if espeak is None:
        raise FileNotFoundError("espeak-ng")
    report = ClipReport()
    chime = clip_root() / COMMON / f"{CHIME}.wav"
    chime.parent.mkdir(parents=True, exist_ok=True)
    if chime.exists() and not force:
        report.kept.append(f"{COMMON}/{CHIME}")
    else:
        chime.write_bytes(chime_wav())
        report.created.append(f"{COMMON}/{CHIME}")
    for lang in langs:
        folder = clip_root() / lang
        folder.mkdir(parents=True, exist_ok=True)
        for key, (text, ssml) in clip_texts(lang).items():
            target = folder / f"{key}.wav"
            name = f"{lang}/{key}"
            if target.exists() and not force:
                report.kept.append(name)
                continue
            command = [espeak, "-v", ESPEAK_VOICES[lang], "-s", str(speed), "-w", str(target)]
            if ssml:
                command.append("-m")
            result = subprocess.run(  # noqa: S603 - fixed program, text passed as one argument
                [*command, "--", text], capture_output=True, timeout=30, check=False
            )
            if result.returncode == 0 and target.exists():
                trim_silence(target)
                report.created.append(name)
            else:
                report.failed.append(name)
    return report
