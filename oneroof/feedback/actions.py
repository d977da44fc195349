"""Inviting visitors to the survey after a service, and recording their answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oneroof.accounts.permissions import AnyUser
from oneroof.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from oneroof.feedback.models import SurveyAnswer, SurveyInvite, SurveyVersion
from oneroof.notify.actions import sms_send
from oneroof.transactions.models import TransactionRecord


def survey_invite_create(
    *, record: TransactionRecord, now: dt.datetime | None = None
) -> SurveyInvite | None:
    """Invite the visitor of a finished service, unless they gave no phone or were already
    invited today (at most one survey per phone per day)."""
    now = now or timezone.now()
    if not record.phone or record.outcome == "cancelled":
        return None
    day_start = now - dt.timedelta(hours=24)
    if SurveyInvite.objects.filter(phone=record.phone, created_at__gte=day_start).exists():
        return None
    lang = getattr(getattr(record, "ticket", None), "lang", None) or "ar"
    return SurveyInvite.objects.create(
        record=record,
        phone=record.phone,
        lang=lang,
        due_at=now + dt.timedelta(minutes=settings.ONEROOF_SURVEY_DELAY_MINUTES),
        expires_at=now + dt.timedelta(days=7),
    )


def on_record_created(group: str, event_type: str, payload: dict[str, Any]) -> None:
    if event_type != "record.created" or payload.get("phone") is False:
        return  # no phone, no survey by SMS
    record = TransactionRecord.objects.filter(pk=payload["record"]).select_related("ticket").first()
    if record is not None and not hasattr(record, "survey_invite"):
        with transaction.atomic():
            survey_invite_create(record=record)


def surveys_send_due(*, now: dt.datetime | None = None) -> int:
    """Send the invitations whose delay has passed (run every minute)."""
    now = now or timezone.now()
    sent = 0
    # An invitation already answered on a counter-side tablet is not texted.
    due = (
        SurveyInvite.objects.filter(
            sent_at__isnull=True, answered_at__isnull=True, due_at__lte=now, expires_at__gt=now
        )
        .exclude(phone="")
        .select_related("record__center")
    )
    for invite in due:
        with transaction.atomic():
            if (
                SurveyInvite.objects.filter(pk=invite.pk, sent_at__isnull=True).update(sent_at=now)
                != 1
            ):
                continue
            prefix = "" if invite.lang == "ar" else f"/{invite.lang}"
            link = f"{settings.SITE_URL}{prefix}/s/{invite.token}/"
            with translation.override(invite.lang):
                text = _(
                    "Thank you for visiting %(center)s. How was our service? It takes a "
                    "minute: %(link)s"
                ) % {
                    "center": invite.record.center.name if invite.record.center else "",
                    "link": link,
                }
            sms_send(to=invite.phone, text=text, lang=invite.lang, purpose="survey")
            sent += 1
    return sent


def active_version() -> SurveyVersion:
    version = SurveyVersion.objects.filter(is_active=True).first()
    if version is None:
        raise Conflict(_("No survey is active."), code="no_survey")
    return version


def invite_for_answer(token: str, *, now: dt.datetime | None = None) -> SurveyInvite:
    """The invitation behind a link, if it can still be answered."""
    now = now or timezone.now()
    invite = SurveyInvite.objects.select_related("record").filter(token=token).first()
    if invite is None:
        raise NotFound(_("This survey link is not valid."), code="unknown_link")
    if invite.answered_at is not None:
        raise Conflict(_("This survey has been answered already. Thank you!"), code="answered")
    if invite.expires_at <= now:
        raise Conflict(_("This survey link has expired."), code="expired")
    return invite


def survey_answer(
    *,
    token: str,
    overall: int,
    waiting: int,
    courtesy: int,
    one_visit: bool,
    comment: str = "",
    now: dt.datetime | None = None,
) -> SurveyAnswer:
    """Record the answers of one invitation, once."""
    now = now or timezone.now()
    _check_scores(overall=overall, waiting=waiting, courtesy=courtesy)
    with transaction.atomic():
        invite = invite_for_answer(token, now=now)
        return _answer(
            invite=invite,
            overall=overall,
            waiting=waiting,
            courtesy=courtesy,
            one_visit=one_visit,
            comment=comment,
            now=now,
        )


def _check_scores(*, overall: int, waiting: int, courtesy: int) -> None:
    for name, value in (("overall", overall), ("waiting", waiting), ("courtesy", courtesy)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise InvalidInput(
                _("Choose a score from 1 to 5 for every question."), details={"field": name}
            )


def _answer(
    *,
    invite: SurveyInvite,
    overall: int,
    waiting: int,
    courtesy: int,
    one_visit: bool,
    comment: str,
    now: dt.datetime,
) -> SurveyAnswer:
    """Record the answers of an invitation inside the caller's transaction. Taking the
    invitation first makes a replay at the same instant, by the link or at the tablet, see
    it answered."""
    if (
        SurveyInvite.objects.filter(pk=invite.pk, answered_at__isnull=True).update(answered_at=now)
        != 1
    ):
        raise Conflict(_("This survey has been answered already. Thank you!"), code="answered")
    record = invite.record
    return SurveyAnswer.objects.create(
        invite=invite,
        version=active_version(),
        center_id=record.center_id,
        agency_id=record.agency_id,
        service_id=record.service_id,
        employee_id=record.employee_id,
        overall=overall,
        waiting=waiting,
        courtesy=courtesy,
        one_visit=bool(one_visit),
        comment=(comment or "")[:2000],
        answered_at=now,
    )


# How long after a service its survey may be answered on the counter's tablet.
TABLET_WINDOW = dt.timedelta(minutes=15)


def survey_answer_at_counter(
    *,
    record: TransactionRecord,
    overall: int,
    waiting: int,
    courtesy: int,
    one_visit: bool,
    comment: str = "",
    lang: str = "ar",
    acting_user: AnyUser,
    now: dt.datetime | None = None,
) -> SurveyAnswer:
    """Record the answers given on a kiosk or counter-side tablet right after the service.

    The answer belongs to the record's invitation, the one its SMS link opens, so a service
    is answered once whichever way comes first: answering here stops the SMS from being sent
    and makes its link say "answered". A record with no invitation (no phone, or the phone
    already invited today) gets one here with no phone, which is never texted and whose link
    is never sent. `acting_user` is the tablet's device or the employee who handed it over;
    the caller has checked that they work at the record's center."""
    now = now or timezone.now()
    _check_scores(overall=overall, waiting=waiting, courtesy=courtesy)
    if not acting_user.is_authenticated:
        raise NotAllowed(_("You are not allowed to do this."))
    if record.outcome == "cancelled" or record.ended_at < now - TABLET_WINDOW:
        raise Conflict(_("The survey for this service is closed on this tablet."), code="closed")
    with transaction.atomic():
        invite = SurveyInvite.objects.select_related("record").filter(record=record).first()
        if invite is None:
            try:
                with transaction.atomic():
                    invite = SurveyInvite.objects.create(
                        record=record,
                        phone="",
                        lang=lang,
                        due_at=now,
                        sent_at=None,
                        expires_at=now,
                    )
            except IntegrityError:  # the SMS invitation was made at the same instant
                invite = SurveyInvite.objects.select_related("record").get(record=record)
        return _answer(
            invite=invite,
            overall=overall,
            waiting=waiting,
            courtesy=courtesy,
            one_visit=one_visit,
            comment=comment,
            now=now,
        )
