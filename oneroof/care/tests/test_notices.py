"""Public notices: published to the portal, the display boards' ticker (an event per center
concerned) and confirmed SMS subscribers; subscriptions need the phone's own confirmation."""

import re

import pytest

from oneroof.care.actions import public_notice_create, public_notice_publish, subscription_request
from oneroof.care.messaging import subscription_token
from oneroof.care.models import NoticeSubscription, PublicNotice
from oneroof.catalog.models import Agency, Notice, Service
from oneroof.centers.models import Center, CenterAgency
from oneroof.core.errors import Conflict
from oneroof.core.events import capture_events
from oneroof.notify.backends import MemorySmsBackend

pytestmark = pytest.mark.django_db


def confirmed(phone, agency=None):
    sub = NoticeSubscription.objects.create(phone=phone, agency=agency, lang="en")
    NoticeSubscription.objects.filter(pk=sub.pk).update(confirmed_at="2026-01-01T00:00Z")
    return sub


def test_publishing_reaches_the_portal_the_boards_and_subscribers(
    client, agency_admin, django_capture_on_commit_callbacks
):
    passports = Agency.objects.get(slug="passports")
    confirmed("+97455000001")  # everything
    confirmed("+97455000002", agency=passports)  # passports only
    confirmed("+97455000003", agency=Agency.objects.get(slug="traffic"))  # not this one
    NoticeSubscription.objects.create(phone="+97455000004")  # never confirmed
    notice = public_notice_create(
        acting_user=agency_admin,
        kind="requirements",
        title_ar="تغيير مستندات تجديد الجواز",
        title_en="Passport renewal papers changed",
        body_en="Bring a recent photo with a white background.",
        agency=passports,
    )
    assert "Passport renewal papers changed" not in client.get("/en/notices/").content.decode()

    with capture_events() as events, django_capture_on_commit_callbacks(execute=True):
        public_notice_publish(notice=notice, acting_user=agency_admin)

    hosting = set(CenterAgency.objects.filter(agency=passports).values_list("center_id", flat=True))
    boards = {g for g, t, _ in events if t == "notice.published" and g.startswith("board.")}
    assert boards == {f"board.{c}" for c in hosting}
    payload = next(p for g, t, p in events if t == "notice.published" and g.startswith("board."))
    assert payload["text"]["en"].startswith("Passport renewal papers changed")
    assert sorted(m["to"] for m in MemorySmsBackend.outbox) == ["+97455000001", "+97455000002"]
    assert "/notices/stop/" in MemorySmsBackend.outbox[0]["text"]
    assert PublicNotice.objects.get().sms_sent == 2
    assert "Passport renewal papers changed" in client.get("/en/notices/").content.decode()
    center = Center.objects.get(slug="al-rayyan")
    rows = client.get(f"/api/v1/care/notices?center={center.slug}").json()
    assert [r["title_en"] for r in rows] == ["Passport renewal papers changed"]
    with pytest.raises(Conflict):
        public_notice_publish(notice=notice, acting_user=agency_admin)


def test_a_staff_notice_of_the_catalog_can_be_published_to_the_public(as_persona):
    service = Service.objects.get(slug="passport-renewal")
    staff_notice = Notice.objects.create(
        service=service, kind="fee", text_ar="تغير الرسم", text_en="The fee changed"
    )
    client = as_persona("agency_admin")
    page = client.get(f"/en/staff/care/notices/?from={staff_notice.pk}").content.decode()
    assert "The fee changed" in page
    response = client.post(
        "/en/staff/care/notices/",
        {
            "kind": "requirements",
            "title_ar": "تجديد جواز السفر",
            "title_en": "Passport renewal",
            "body_en": "The fee changed",
            "service": service.pk,
            "source_notice": staff_notice.pk,
        },
    )
    assert response.status_code == 302
    notice = PublicNotice.objects.get()
    assert notice.source_notice == staff_notice and notice.agency_id == service.agency_id
    client.post(f"/en/staff/care/notices/{notice.pk}/publish/")
    assert PublicNotice.objects.get().published_at is not None


def test_an_agency_administrator_publishes_only_for_their_agency(as_persona):
    client = as_persona("agency_admin")
    response = client.post(
        "/en/staff/care/notices/",
        {"kind": "closure", "title_ar": "إغلاق", "agency": Agency.objects.get(slug="traffic").pk},
    )
    assert response.status_code == 403
    assert not PublicNotice.objects.exists()
    other = PublicNotice.objects.create(
        kind="closure",
        title_ar="x",
        starts_at="2026-01-01T00:00Z",
        agency=Agency.objects.get(slug="traffic"),
    )
    assert client.post(f"/en/staff/care/notices/{other.pk}/publish/").status_code == 403
    assert as_persona("employee_a").get("/en/staff/care/notices/").status_code == 403


def test_a_subscription_counts_only_once_the_phone_confirms(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/notices/", {"phone": "55123456"})
    assert response.status_code == 302
    sub = NoticeSubscription.objects.get()
    assert not sub.is_live
    link = re.search(r"/en/notices/confirm/\S+/", MemorySmsBackend.outbox[-1]["text"]).group(0)
    assert client.get(link).status_code == 200  # opening the link is not enough
    assert not NoticeSubscription.objects.get().is_live
    client.post(link)
    assert NoticeSubscription.objects.get().is_live
    client.post(f"/en/notices/stop/{subscription_token(sub.pk)}/")
    assert not NoticeSubscription.objects.get().is_live


def test_confirmation_messages_are_limited_per_phone(django_capture_on_commit_callbacks):
    for _ in range(3):
        subscription_request(phone="55123456")
    with pytest.raises(Conflict):
        subscription_request(phone="55123456")


def test_a_bad_phone_is_refused_and_nothing_is_stored(client):
    response = client.post("/en/notices/", {"phone": "12"})
    assert response.status_code == 422
    assert not NoticeSubscription.objects.exists()
