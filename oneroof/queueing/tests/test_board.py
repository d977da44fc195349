"""The display board of a center: a public page, its state for polling (with what to announce),
the filter to one agency, and the clips of the announcements."""

import json
import re
import wave
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation

from oneroof.queueing import actions
from oneroof.queueing.tests.factories import ID_CARD, fresh, issue, open_counter

pytestmark = pytest.mark.django_db


def board_url(lang: str = "ar", slug: str = "al-rayyan") -> str:
    with translation.override(lang):
        return reverse("queueing:board", args=[slug])


def state_url(slug: str = "al-rayyan") -> str:
    return reverse("queueing:board-state", args=[slug])


def clip_url(lang: str, key: str) -> str:
    return reverse("queueing:announcement-clip", args=[lang, key])


def config_of(response) -> dict:
    match = re.search(
        r'<script id="board-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the board passes its data in a JSON block"
    return json.loads(match.group(1))


def called(employee, number: int = 5, slug: str | None = None):
    """A visitor issued and called to counter `number` (opened for lines A and B)."""
    desk = open_counter(employee, number, ("A", "B"))
    issue(slug) if slug else issue()
    return desk, actions.ticket_call_next(counter=desk, acting_user=fresh(employee))


def test_the_board_is_public_and_shows_the_latest_call_with_its_counter(
    client, always_open, employee_a
):
    issue()  # one more waiting in line A
    _desk, ticket = called(employee_a)
    response = client.get(board_url("ar"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="ar" dir="rtl"' in page
    assert ticket.number in page
    assert "data-now-counter>5<" in page
    config = config_of(response)
    latest = config["state"]["calls"][0]
    assert (latest["number"], latest["counter"], latest["recall"]) == (ticket.number, 5, 0)
    waiting = {line["prefix"]: line["waiting"] for line in config["state"]["lines"]}
    assert waiting["A"] == 1
    assert config["stateUrl"] == state_url()
    assert config["centerId"] == ticket.center_id


def test_the_board_announces_in_arabic_then_english(client, always_open, employee_a):
    _desk, ticket = called(employee_a)
    state = client.get(state_url()).json()
    call = state["calls"][0]
    value = int(ticket.number[1:])
    assert call["texts"] == {
        "ar": f"التذكرة رقم A {value}، الرجاء التوجه إلى الكاونتر 5.",
        "en": f"Ticket number A {value}, please go to counter 5.",
    }
    assert list(call["texts"]) == ["ar", "en"]
    assert call["clips"] == ["ticket", "letter-a", f"n-{value}", "go-to-counter", "n-5"]


def test_a_call_again_is_seen_by_the_board(client, always_open, employee_a):
    _desk, ticket = called(employee_a)
    actions.ticket_recall(ticket=ticket, acting_user=fresh(employee_a))
    assert client.get(state_url()).json()["calls"][0]["recall"] == 1


def test_the_board_of_one_agency_shows_only_its_lines(client, always_open, employee_a):
    called(employee_a, 5, ID_CARD)  # a civil-registry visitor (line B)
    issue()  # a passports visitor waiting (line A)
    response = client.get(board_url("en") + "?agency=passports")
    assert response.status_code == 200
    config = config_of(response)
    assert config["stateUrl"] == state_url() + "?agency=passports"
    assert config["state"]["calls"] == []
    assert [line["prefix"] for line in config["state"]["lines"]] == ["A"]
    other = client.get(state_url() + "?agency=civil-registry").json()
    assert [call["number"] for call in other["calls"]] == ["B001"]


def test_an_unknown_center_or_agency_is_not_found(client):
    assert client.get(board_url("en", "nowhere")).status_code == 404
    assert client.get(state_url("nowhere")).status_code == 404
    assert client.get(board_url("en") + "?agency=nobody").status_code == 404


def test_the_board_state_is_never_cached(client, always_open):
    response = client.get(state_url())
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_board_page_has_no_inline_script_or_style(client, always_open, employee_a):
    called(employee_a)
    page = client.get(board_url("ar")).content.decode()
    assert "style=" not in page
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts, "the board has scripts"
    for attributes in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes


def test_the_english_board_runs_left_to_right_with_arabic_subtitles(client, always_open):
    page = client.get(board_url("en")).content.decode()
    assert 'lang="en" dir="ltr"' in page
    assert 'lang="ar"' in page  # the other language's labels under the English ones


# --- clips -----------------------------------------------------------------------------------


def test_the_chime_is_made_when_no_file_overrides_it(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get(clip_url("common", "chime"))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert "max-age=3600" in response["Cache-Control"]
    with wave.open(BytesIO(response.content)) as sound:
        assert sound.getnframes() > sound.getframerate()  # more than a second


def test_a_clip_placed_in_the_folder_is_served(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "announcements" / "ar"
    folder.mkdir(parents=True)
    (folder / "ticket.wav").write_bytes(b"RIFF-recorded-voice")
    response = client.get(clip_url("ar", "ticket"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"RIFF-recorded-voice"
    assert response["Last-Modified"]
    again = client.get(clip_url("ar", "ticket"), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    # the board knows Arabic clips exist, English ones not
    assert config_of(client.get(board_url("en")))["clips"] == {"ar": True, "en": False}


@pytest.mark.parametrize(
    ("lang", "key"), [("ar", "missing"), ("fr", "ticket"), ("ar", "..%2Fsecret"), ("ar", "A")]
)
def test_unknown_clips_are_not_found(client, settings, tmp_path, lang, key):
    settings.MEDIA_ROOT = tmp_path
    assert client.get(f"/announcements/{lang}/{key}.wav").status_code == 404
