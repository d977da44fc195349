"""A change of a service's documents or fee is a notice that the staff of every center
hosting it see on their next page load, and that agency admins make through the admin."""

import pytest
from django.urls import reverse

from oneroof.catalog.actions import notice_record_requirement_changes, requirements_of
from oneroof.catalog.models import Notice, NoticeReceipt, Service
from oneroof.catalog.selectors import unseen_notices_for
from oneroof.core.events import capture_events

pytestmark = pytest.mark.django_db


def passport_renewal() -> Service:
    return Service.objects.get(slug="passport-renewal")


def test_no_change_records_no_notice():
    service = passport_renewal()
    assert (
        notice_record_requirement_changes(
            service=service, before=requirements_of(service), acting_user=None
        )
        == []
    )


def test_a_new_document_is_published_after_commit(django_capture_on_commit_callbacks, agency_admin):
    service = passport_renewal()
    before = requirements_of(service)
    service.documents.create(position=9, name_ar="شهادة ميلاد", name_en="Birth certificate")
    with capture_events() as events, django_capture_on_commit_callbacks(execute=True):
        notices = notice_record_requirement_changes(
            service=service, before=before, acting_user=agency_admin
        )
    assert [n.kind for n in notices] == ["requirements"]
    assert events == [
        (
            f"staff.service.{service.pk}",
            "notice.created",
            {"notice": notices[0].pk, "service": service.slug, "kind": "requirements"},
        )
    ]


def test_who_sees_a_notice(employee_a, supervisor_a, employee_b, agency_admin, evaluator):
    # passport-renewal is hosted at al-rayyan (center A), where employee_a serves passports.
    service = passport_renewal()
    before = requirements_of(service)
    service.fee = service.fee + 50
    service.save()
    [notice] = notice_record_requirement_changes(service=service, before=before, acting_user=None)
    assert notice in unseen_notices_for(employee_a)
    assert notice in unseen_notices_for(supervisor_a)
    assert notice in unseen_notices_for(agency_admin)
    # employee_b serves traffic at al-wakra: not theirs. Evaluators deliver no services.
    assert notice not in unseen_notices_for(employee_b)
    assert notice not in unseen_notices_for(evaluator)


def test_staff_see_the_notice_on_their_next_page_until_they_mark_it_read(as_persona):
    service = passport_renewal()
    before = requirements_of(service)
    service.documents.first().delete()
    notice_record_requirement_changes(service=service, before=before, acting_user=None)
    notice = Notice.objects.get()
    client = as_persona("employee_a")
    assert notice.text_ar in client.get("/").content.decode()
    assert notice.text_en in client.get("/en/").content.decode()
    response = client.post(reverse("catalog:notices-seen"), {"notice": [notice.pk], "next": "/"})
    assert response.status_code == 302
    assert NoticeReceipt.objects.filter(notice=notice).count() == 1
    assert "notices-title" not in client.get("/").content.decode()
    # A visitor never sees staff notices.
    assert "notices-title" not in as_persona("anonymous").get("/").content.decode()


def test_marking_another_agencys_notice_seen_is_ignored(as_persona):
    service = Service.objects.get(slug="passport-renewal")
    before = requirements_of(service)
    service.fee = 999
    service.save()
    [notice] = notice_record_requirement_changes(service=service, before=before, acting_user=None)
    as_persona("employee_b").post(reverse("catalog:notices-seen"), {"notice": [notice.pk]})
    assert not NoticeReceipt.objects.exists()
