"""What a board says for a call, in Arabic then English, and the clips generated for devices
without a voice of their own (espeak-ng; the chime in pure Python)."""

import os
import wave
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command

from oneroof.queueing import announcements
from oneroof.queueing.management.commands import generate_announcement_clips


@pytest.mark.parametrize(
    ("number", "spoken"),
    [("A023", "A 23"), ("B001", "B 1"), ("AB7", "A B 7"), ("C100", "C 100"), ("A000", "A 0")],
)
def test_a_number_is_read_letter_by_letter_then_as_a_value(number, spoken):
    assert announcements.spoken_number(number) == spoken


def test_the_announcement_is_arabic_first_then_english():
    texts = announcements.announcement_texts("A023", 5)
    assert list(texts) == ["ar", "en"]
    assert texts["ar"] == "التذكرة رقم A 23، الرجاء التوجه إلى الكاونتر 5."
    assert texts["en"] == "Ticket number A 23, please go to counter 5."


@pytest.mark.parametrize(
    ("number", "counter", "keys"),
    [
        ("A023", 5, ["ticket", "letter-a", "n-23", "go-to-counter", "n-5"]),
        ("B100", 12, ["ticket", "letter-b", "n-100", "go-to-counter", "n-12"]),
        ("C123", 3, ["ticket", "letter-c", "n-100", "and", "n-23", "go-to-counter", "n-3"]),
        ("D1234", 40, ["ticket", "letter-d", "n-1", "n-2", "n-3", "n-4", "go-to-counter", "n-40"]),
    ],
)
def test_the_clips_of_an_announcement(number, counter, keys):
    assert announcements.clip_keys(number, counter) == keys


def test_every_clip_an_announcement_needs_is_generated():
    needed = set()
    for value in (0, 7, 99, 100, 123, 999, 1000):
        needed.update(announcements.clip_keys(f"ZQ{value}", value))
    for lang in announcements.LANGS:
        assert needed <= set(announcements.clip_texts(lang))


def test_the_chime_is_a_short_wav_made_without_any_program():
    data = announcements.chime_wav()
    with wave.open(BytesIO(data)) as sound:
        assert (sound.getnchannels(), sound.getsampwidth()) == (1, 2)
        assert 1 < sound.getnframes() / sound.getframerate() < 3


def test_clip_paths_stay_inside_the_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert announcements.clip_path("ar", "n-5") == tmp_path / "announcements" / "ar" / "n-5.wav"
    for lang, key in [("ar", "../x"), ("xx", "n-5"), ("ar", "N-5"), ("en", "")]:
        assert announcements.clip_path(lang, key) is None


def test_without_espeak_ng_the_command_says_so_and_writes_nothing(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(generate_announcement_clips, "espeak_path", lambda: None)
    err = StringIO()
    call_command("generate_announcement_clips", stdout=StringIO(), stderr=err)
    assert "espeak-ng is not installed" in err.getvalue()
    assert not (tmp_path / "announcements").exists()


@pytest.fixture
def espeak():
    if announcements.espeak_path() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is missing, and CI requires it (apt-get install espeak-ng).")
        pytest.skip("espeak-ng is not installed: clip generation not tested.")


def test_clips_are_generated_and_recordings_are_kept(espeak, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    root = tmp_path / "announcements"
    # given a recording of a human voice already in place
    (root / "ar").mkdir(parents=True)
    recorded = root / "ar" / "ticket.wav"
    recorded.write_bytes(b"recorded by a person")

    out = StringIO()
    call_command("generate_announcement_clips", stdout=out, stderr=StringIO())

    expected = {f"{key}.wav" for key in announcements.clip_texts("en")}
    assert {p.name for p in (root / "en").iterdir()} == expected
    assert {p.name for p in (root / "ar").iterdir()} == expected
    assert recorded.read_bytes() == b"recorded by a person"
    with wave.open(str(root / "ar" / "n-23.wav")) as sound:
        assert sound.getnframes() > sound.getframerate() // 4  # a quarter of a second at least
    assert (root / "common" / "chime.wav").is_file()
    assert announcements.languages_with_clips() == {"ar": True, "en": True}
    assert "kept" in out.getvalue()

    # --force replaces everything, recordings too
    call_command("generate_announcement_clips", "--force", "--lang", "ar", stdout=StringIO())
    assert recorded.read_bytes().startswith(b"RIFF")
