"""State changes of the catalog: notices of changed requirements and importing a catalog
of agencies, services and the centers that host them."""

from __future__ import annotations

import datetime as dt
from collections import Counter as Tally
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from oneroof.accounts.models import User
from oneroof.catalog.choices import NoticeKind
from oneroof.catalog.models import (
    FAQ,
    Agency,
    Notice,
    NoticeReceipt,
    RequiredDocument,
    Service,
    ServiceStep,
)
from oneroof.centers.choices import WEEKDAY_NAMES
from oneroof.centers.models import (
    Center,
    CenterAgency,
    CenterService,
    Closure,
    Counter,
    OpeningInterval,
    parse_hhmm,
    validate_time_zone,
)
from oneroof.core import events, memo
from oneroof.core.errors import InvalidInput

LANGS = ("ar", "en")


@dataclass(frozen=True)
class Requirements:
    """What a visitor must bring and pay: compared before and after an edit."""

    fee: Decimal
    documents: dict[str, tuple[str, ...]]  # language → document names in order


def requirements_of(service: Service) -> Requirements:
    docs = list(service.documents.order_by("position", "pk"))
    return Requirements(
        fee=Decimal(service.fee).quantize(Decimal("0.01")),
        documents={lang: tuple(getattr(d, f"name_{lang}") or "" for d in docs) for lang in LANGS},
    )


def _document_change_text(before: Requirements, after: Requirements, lang: str, name: str) -> str:
    old, new = before.documents[lang], after.documents[lang]
    added = [d for d in new if d not in old]
    removed = [d for d in old if d not in new]
    parts = [_("The required documents of “%(service)s” changed.") % {"service": name}]
    if added:
        parts.append(
            _("Now required: %(docs)s.")
            % {"docs": "، ".join(added) if lang == "ar" else "; ".join(added)}
        )
    if removed:
        parts.append(
            _("No longer required: %(docs)s.")
            % {"docs": "، ".join(removed) if lang == "ar" else "; ".join(removed)}
        )
    return " ".join(parts)


def _fee_change_text(before: Requirements, after: Requirements, service: Service) -> str:
    def fmt(fee: Decimal) -> str:
        return _("free") if fee == 0 else f"{fee.normalize():f} {service.currency}"

    return _("The fee of “%(service)s” changed from %(old)s to %(new)s.") % {
        "service": service.name,
        "old": fmt(before.fee),
        "new": fmt(after.fee),
    }


@transaction.atomic
def notice_record_requirement_changes(
    *, service: Service, before: Requirements, acting_user: User | None
) -> list[Notice]:
    """Compare a service's requirements with `before` and record a notice for each change.

    Staff of every center hosting the service see the notice on their next page load and
    receive it live through the `staff.service.<id>` event.
    """
    after = requirements_of(service)
    notices: list[Notice] = []
    changes: list[tuple[str, dict[str, str]]] = []
    if after.documents != before.documents:
        texts = {}
        for lang in LANGS:
            with translation.override(lang):
                texts[lang] = _document_change_text(
                    before, after, lang, getattr(service, f"name_{lang}") or ""
                )
        changes.append((NoticeKind.REQUIREMENTS_CHANGED, texts))
    if after.fee != before.fee:
        texts = {}
        for lang in LANGS:
            with translation.override(lang):
                texts[lang] = _fee_change_text(before, after, service)
        changes.append((NoticeKind.FEE_CHANGED, texts))
    for kind, texts in changes:
        notice = Notice.objects.create(
            service=service,
            kind=kind,
            created_by=acting_user,
            text_ar=texts["ar"],
            text_en=texts["en"],
        )
        notices.append(notice)
        events.publish(
            f"staff.service.{service.pk}",
            "notice.created",
            {"notice": notice.pk, "service": service.slug, "kind": kind},
        )
    return notices


def notice_mark_seen(*, user: User, notice_ids: list[int]) -> int:
    """Record that `user` has seen these notices; returns how many were new to them."""
    existing = set(
        NoticeReceipt.objects.filter(user=user, notice_id__in=notice_ids).values_list(
            "notice_id", flat=True
        )
    )
    valid = set(Notice.objects.filter(pk__in=notice_ids).values_list("pk", flat=True))
    new = [NoticeReceipt(user=user, notice_id=pk) for pk in sorted(valid - existing)]
    NoticeReceipt.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- importing a catalog ---------------------------------------------------------------------

CHANNELS = {"desk", "kiosk", "online"}


@dataclass
class ImportReport:
    created: Tally = field(default_factory=Tally)
    updated: Tally = field(default_factory=Tally)
    unchanged: Tally = field(default_factory=Tally)

    def count(self, kind: str, status: str) -> None:
        getattr(self, status)[kind] += 1

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return "; ".join(
            f"{k}: {self.created[k]} created, {self.updated[k]} updated, "
            f"{self.unchanged[k]} unchanged"
            for k in kinds
        )


# --- validation ------------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _text(errors: _Errors, where: str, obj: dict, key: str, *, required: bool = True) -> None:
    value = obj.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value.strip()):
        errors.add(where, _("“%(key)s” must be a non-empty text") % {"key": key})


def _week(errors: _Errors, where: str, week: Any) -> None:
    if not isinstance(week, dict):
        errors.add(where, _("opening hours must map weekday names to lists of intervals"))
        return
    for day, intervals in week.items():
        if day not in WEEKDAY_NAMES:
            errors.add(where, _("unknown weekday “%(day)s”") % {"day": day})
            continue
        if not isinstance(intervals, list):
            errors.add(where, _("%(day)s must be a list of [opens, closes]") % {"day": day})
            continue
        for interval in intervals:
            try:
                opens, closes = (parse_hhmm(t) for t in interval)
            except (TypeError, ValueError, AttributeError):
                errors.add(
                    where,
                    _("%(day)s: “%(value)s” is not a pair of times HH:MM")
                    % {"day": day, "value": interval},
                )
                continue
            if opens >= closes:
                errors.add(
                    where,
                    _("%(day)s: an interval must close after it opens (%(value)s)")
                    % {"day": day, "value": "–".join(interval)},
                )


def validate_catalog(data: Any) -> None:
    """Raise InvalidInput naming every bad entry; nothing is imported if anything is wrong."""
    errors = _Errors()
    if not isinstance(data, dict):
        raise InvalidInput(
            _("The catalog must be a JSON object with agencies, centers and services.")
        )
    for key in ("agencies", "centers", "services"):
        if not isinstance(data.get(key), list):
            errors.add(key, _("missing or not a list"))
    if errors.items:
        raise InvalidInput(_("The catalog is not valid."), details=errors.items)

    agency_slugs: set[str] = set()
    for i, agency in enumerate(data["agencies"]):
        where = f"agencies[{i}] “{agency.get('slug', '?') if isinstance(agency, dict) else '?'}”"
        if not isinstance(agency, dict):
            errors.add(where, _("must be an object"))
            continue
        for key in ("slug", "name_ar", "name_en"):
            _text(errors, where, agency, key)
        color = agency.get("color", "#1F6F5C")
        if not (isinstance(color, str) and len(color) == 7 and color.startswith("#")):
            errors.add(where, _("colour must look like #1F6F5C"))
        if agency.get("slug") in agency_slugs:
            errors.add(where, _("the slug is used twice"))
        agency_slugs.add(agency.get("slug"))

    center_slugs: set[str] = set()
    for i, center in enumerate(data["centers"]):
        where = f"centers[{i}] “{center.get('slug', '?') if isinstance(center, dict) else '?'}”"
        if not isinstance(center, dict):
            errors.add(where, _("must be an object"))
            continue
        for key in ("slug", "name_ar", "name_en"):
            _text(errors, where, center, key)
        for key in ("address_ar", "address_en", "phone"):
            _text(errors, where, center, key, required=False)
        for key, bound in (("lat", 90), ("lon", 180)):
            value = center.get(key)
            if not isinstance(value, int | float) or isinstance(value, bool) or abs(value) > bound:
                errors.add(
                    where,
                    _("“%(key)s” must be a number between -%(b)s and %(b)s")
                    % {"key": key, "b": bound},
                )
        counters = center.get("counters", 0)
        if not isinstance(counters, int) or isinstance(counters, bool) or not 0 <= counters <= 999:
            errors.add(where, _("“counters” must be a whole number from 0 to 999"))
        if "time_zone" in center:
            try:
                validate_time_zone(center["time_zone"])
            except Exception:
                errors.add(where, _("unknown time zone “%(tz)s”") % {"tz": center["time_zone"]})
        _week(errors, where, center.get("opening_hours"))
        hosted = center.get("agencies", [])
        if not isinstance(hosted, list):
            errors.add(where, _("“agencies” must be a list of agency slugs"))
            hosted = []
        for slug in hosted:
            if slug not in agency_slugs:
                errors.add(where, _("hosts unknown agency “%(slug)s”") % {"slug": slug})
        desk_hours = center.get("agency_hours", {})
        if not isinstance(desk_hours, dict):
            errors.add(where, _("“agency_hours” must map agency slugs to opening hours"))
            desk_hours = {}
        for slug, week in desk_hours.items():
            if slug not in hosted:
                errors.add(
                    where,
                    _("has desk hours for “%(slug)s”, which it does not host") % {"slug": slug},
                )
            _week(errors, f"{where} agency_hours “{slug}”", week)
        if center.get("slug") in center_slugs:
            errors.add(where, _("the slug is used twice"))
        center_slugs.add(center.get("slug"))

    service_slugs: set[str] = set()
    for i, service in enumerate(data["services"]):
        where = f"services[{i}] “{service.get('slug', '?') if isinstance(service, dict) else '?'}”"
        if not isinstance(service, dict):
            errors.add(where, _("must be an object"))
            continue
        for key in ("slug", "name_ar", "name_en"):
            _text(errors, where, service, key)
        for key in ("description_ar", "description_en", "eligibility_ar", "eligibility_en"):
            _text(errors, where, service, key, required=False)
        if service.get("agency") not in agency_slugs:
            errors.add(
                where, _("belongs to unknown agency “%(slug)s”") % {"slug": service.get("agency")}
            )
        try:
            fee = Decimal(str(service.get("fee_qar", 0)))
            if fee < 0 or not fee.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.add(where, _("“fee_qar” must be a number ≥ 0"))
        minutes = service.get("avg_service_minutes", 10)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 600:
            errors.add(where, _("“avg_service_minutes” must be a whole number from 1 to 600"))
        channels = service.get("channels", ["desk"])
        if not isinstance(channels, list) or not set(channels) <= CHANNELS:
            errors.add(where, _("“channels” must be a list of desk, kiosk, online"))
        for doc in service.get("required_documents", []):
            if not (
                isinstance(doc, dict)
                and isinstance(doc.get("ar"), str)
                and isinstance(doc.get("en"), str)
                and doc["ar"].strip()
            ):
                errors.add(where, _("each required document needs “ar” and “en” texts"))
                break
        for key in ("steps_ar", "steps_en"):
            steps = service.get(key, [])
            if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
                errors.add(where, _("“%(key)s” must be a list of texts") % {"key": key})
        for faq in service.get("faqs", []):
            if not (
                isinstance(faq, dict)
                and all(isinstance(faq.get(k), str) for k in ("q_ar", "a_ar", "q_en", "a_en"))
            ):
                errors.add(where, _("each FAQ needs q_ar, a_ar, q_en and a_en"))
                break
        if service.get("slug") in service_slugs:
            errors.add(where, _("the slug is used twice"))
        service_slugs.add(service.get("slug"))

    for i, holiday in enumerate(data.get("holidays", [])):
        where = f"holidays[{i}]"
        try:
            dt.date.fromisoformat(holiday["date"])
        except (KeyError, TypeError, ValueError):
            errors.add(where, _("“date” must be a date YYYY-MM-DD"))
        for key in ("name_ar", "name_en"):
            _text(errors, where, holiday if isinstance(holiday, dict) else {}, key)

    if errors.items:
        raise InvalidInput(_("The catalog is not valid."), details=errors.items)


# --- import ----------------------------------------------------------------------------------


def _upsert(
    model: type[models.Model], lookup: dict, values: dict, report: ImportReport, kind: str
) -> models.Model:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.count(kind, "created")
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=[*changed, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
        report.count(kind, "updated")
    else:
        report.count(kind, "unchanged")
    return obj


def _replace_children(manager, model, rows: list[dict], fields: list[str]) -> bool:
    """Replace a parent's ordered children only if they differ; returns whether they did."""
    current = [tuple(getattr(c, f) for f in fields) for c in manager.order_by("position", "pk")]
    wanted = [tuple(r[f] for f in fields) for r in rows]
    if current == wanted:
        return False
    manager.all().delete()
    model.objects.bulk_create(
        [
            model(position=i, **{manager.field.name: manager.instance}, **r)
            for i, r in enumerate(rows)
        ]
    )
    return True


def _week_rows(week: dict) -> list[tuple[int, int, int]]:
    rows = []
    for day, intervals in week.items():
        for opens, closes in intervals:
            rows.append((WEEKDAY_NAMES[day], parse_hhmm(opens), parse_hhmm(closes)))
    return sorted(rows)


def _sync_intervals(center: Center, agency: Agency | None, week: dict) -> bool:
    qs = OpeningInterval.objects.filter(center=center, agency=agency)
    current = sorted(qs.values_list("weekday", "opens", "closes"))
    wanted = _week_rows(week)
    if current == wanted:
        return False
    qs.delete()
    OpeningInterval.objects.bulk_create(
        [
            OpeningInterval(center=center, agency=agency, weekday=w, opens=o, closes=c)
            for w, o, c in wanted
        ]
    )
    return True


def _sync_set(model, parent_field: str, parent, child_field: str, wanted_ids: set[int]) -> bool:
    current = set(
        model.objects.filter(**{parent_field: parent}).values_list(f"{child_field}_id", flat=True)
    )
    if current == wanted_ids:
        return False
    model.objects.filter(**{parent_field: parent}).exclude(
        **{f"{child_field}_id__in": wanted_ids}
    ).delete()
    model.objects.bulk_create(
        [
            model(**{parent_field: parent, f"{child_field}_id": pk})
            for pk in sorted(wanted_ids - current)
        ]
    )
    return True


@transaction.atomic
def catalog_import(*, data: dict, acting_user: User | None = None) -> ImportReport:
    """Create or update agencies, services, centers, hours and holidays from a catalog in the
    shape of the demo catalog. Idempotent; all or nothing; a change to an existing service's
    documents or fee records a notice for staff."""
    validate_catalog(data)
    report = ImportReport()
    agencies: dict[str, Agency] = {}
    for a in data["agencies"]:
        agencies[a["slug"]] = _upsert(
            Agency,
            {"slug": a["slug"]},
            {
                "name_ar": a["name_ar"],
                "name_en": a["name_en"],
                "description_ar": a.get("description_ar", ""),
                "description_en": a.get("description_en", ""),
                "color": a.get("color", "#1F6F5C"),
                "is_active": True,
            },
            report,
            "agencies",
        )

    services_by_agency: dict[str, list[Service]] = {}
    for s in data["services"]:
        existing = Service.objects.filter(slug=s["slug"]).first()
        before = requirements_of(existing) if existing else None
        channels = set(s.get("channels", ["desk"]))
        unchanged_before = report.unchanged["services"]
        service = _upsert(
            Service,
            {"slug": s["slug"]},
            {
                "agency": agencies[s["agency"]],
                "name_ar": s["name_ar"],
                "name_en": s["name_en"],
                "description_ar": s.get("description_ar", ""),
                "description_en": s.get("description_en", ""),
                "eligibility_ar": s.get("eligibility_ar", ""),
                "eligibility_en": s.get("eligibility_en", ""),
                "fee": Decimal(str(s.get("fee_qar", 0))).quantize(Decimal("0.01")),
                "avg_service_minutes": s.get("avg_service_minutes", 10),
                "channel_desk": "desk" in channels,
                "channel_kiosk": "kiosk" in channels,
                "channel_online": "online" in channels,
                "is_active": True,
            },
            report,
            "services",
        )
        kids = [
            _replace_children(
                service.documents,
                RequiredDocument,
                [{"name_ar": d["ar"], "name_en": d["en"]} for d in s.get("required_documents", [])],
                ["name_ar", "name_en"],
            ),
            _replace_children(
                service.steps, ServiceStep, _paired(s, "steps"), ["text_ar", "text_en"]
            ),
            _replace_children(
                service.faqs,
                FAQ,
                [
                    {
                        "question_ar": f["q_ar"],
                        "answer_ar": f["a_ar"],
                        "question_en": f["q_en"],
                        "answer_en": f["a_en"],
                    }
                    for f in s.get("faqs", [])
                ],
                ["question_ar", "answer_ar", "question_en", "answer_en"],
            ),
        ]
        if any(kids) and report.unchanged["services"] > unchanged_before:
            # The row itself was unchanged but its documents, steps or FAQs were not.
            report.unchanged["services"] -= 1
            report.updated["services"] += 1
        if before is not None:
            notice_record_requirement_changes(
                service=service, before=before, acting_user=acting_user
            )
        services_by_agency.setdefault(s["agency"], []).append(service)

    for c in data["centers"]:
        is_new = not Center.objects.filter(slug=c["slug"]).exists()
        center = _upsert(
            Center,
            {"slug": c["slug"]},
            {
                "name_ar": c["name_ar"],
                "name_en": c["name_en"],
                "address_ar": c.get("address_ar", ""),
                "address_en": c.get("address_en", ""),
                "phone": c.get("phone", ""),
                "latitude": Decimal(str(c["lat"])).quantize(Decimal("0.000001")),
                "longitude": Decimal(str(c["lon"])).quantize(Decimal("0.000001")),
                "time_zone": c.get("time_zone", "Asia/Qatar"),
                "is_active": True,
            },
            report,
            "centers",
        )
        hosted = c.get("agencies", [])
        changed = _sync_set(
            CenterAgency, "center", center, "agency", {agencies[slug].pk for slug in hosted}
        )
        service_ids = {sv.pk for slug in hosted for sv in services_by_agency.get(slug, [])}
        changed |= _sync_set(CenterService, "center", center, "service", service_ids)
        changed |= _sync_intervals(center, None, c.get("opening_hours", {}))
        for slug in hosted:
            changed |= _sync_intervals(
                center, agencies[slug], c.get("agency_hours", {}).get(slug, {})
            )
        changed |= _sync_counters(center, c.get("counters", 0))
        if changed and not is_new:
            report.count("center hours, desks and services", "updated")

    for h in data.get("holidays", []):
        day = dt.date.fromisoformat(h["date"])
        _upsert(
            Closure,
            {"center": None, "agency": None, "starts_on": day, "ends_on": day},
            {"reason_ar": h["name_ar"], "reason_en": h["name_en"]},
            report,
            "holidays",
        )
    # Bulk writes bypass the signals that keep per-process memories current.
    memo.clear_all()
    transaction.on_commit(memo.clear_all)
    # Later apps give new centers and services their defaults (queue lines, slot rules).
    events.publish("catalog", "catalog.imported", {"centers": [c["slug"] for c in data["centers"]]})
    return report


def _paired(s: dict, key: str) -> list[dict]:
    ar, en = s.get(f"{key}_ar", []), s.get(f"{key}_en", [])
    n = max(len(ar), len(en))
    return [
        {
            "text_ar": ar[i] if i < len(ar) else (en[i] if i < len(en) else ""),
            "text_en": en[i] if i < len(en) else "",
        }
        for i in range(n)
    ]


def _sync_counters(center: Center, count: int) -> bool:
    changed = False
    existing = {c.number: c for c in Counter.objects.filter(center=center)}
    for number in range(1, count + 1):
        counter = existing.get(number)
        if counter is None:
            Counter.objects.create(center=center, number=number)
            changed = True
        elif not counter.is_active:
            counter.is_active = True
            counter.save(update_fields=["is_active", "updated_at"])
            changed = True
    # Counters beyond the new count are kept (tickets may refer to them) but set inactive.
    extra = Counter.objects.filter(center=center, number__gt=count, is_active=True)
    if extra.exists():
        extra.update(is_active=False)
        changed = True
    return changed
