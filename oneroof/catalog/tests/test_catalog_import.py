"""`catalog_import` and `oneroof load_catalog`: idempotent, all or nothing, clear errors."""

import copy
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from oneroof.catalog.actions import catalog_import
from oneroof.catalog.demodata import DEMO_CATALOG
from oneroof.catalog.models import Agency, Notice, Service
from oneroof.centers.models import Center, Closure, Counter, OpeningInterval
from oneroof.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> dict:
    return json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))


def snapshot() -> dict:
    return {
        "agencies": list(Agency.objects.order_by("pk").values()),
        "services": list(Service.objects.order_by("pk").values()),
        "centers": list(Center.objects.order_by("pk").values()),
        "intervals": list(OpeningInterval.objects.order_by("pk").values()),
        "counters": list(Counter.objects.order_by("pk").values()),
        "closures": list(Closure.objects.order_by("pk").values()),
        "notices": Notice.objects.count(),
    }


def test_demo_catalog_has_the_11_centers_and_70_services():
    assert Center.objects.count() == 11
    assert Service.objects.count() == 70
    assert Agency.objects.count() == 12
    rayyan = Center.objects.get(slug="al-rayyan")
    passports = Agency.objects.get(slug="passports")
    assert rayyan.intervals.filter(agency=passports, closes=24 * 60).exists()
    assert rayyan.counters.count() == 34
    assert Closure.objects.filter(center__isnull=True).count() == 3


def test_importing_the_same_catalog_twice_changes_nothing(demo):
    before = snapshot()
    report = catalog_import(data=demo)
    assert not report.changed
    assert report.unchanged["services"] == 70
    assert snapshot() == before


def test_a_bad_entry_is_named_and_nothing_is_imported(demo):
    bad = copy.deepcopy(demo)
    bad["services"][3]["agency"] = "no-such-agency"
    bad["services"][5]["fee_qar"] = -5
    bad["centers"][0]["opening_hours"]["sunday"] = [["13:00", "07:00"]]
    bad["services"][0]["name_en"] = "Renamed, but must not be saved"
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        catalog_import(data=bad)
    details = "\n".join(caught.value.details)
    assert f"services[3] “{demo['services'][3]['slug']}”" in details
    assert "no-such-agency" in details
    assert f"services[5] “{demo['services'][5]['slug']}”" in details
    assert "centers[0] “umm-salal”" in details
    assert snapshot() == before


def test_the_command_reports_a_bad_file_without_importing(tmp_path, demo):
    bad = copy.deepcopy(demo)
    bad["centers"][1]["agencies"].append("ghost")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(CommandError, match="ghost"):
        call_command("load_catalog", str(path))
    not_json = tmp_path / "broken.json"
    not_json.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_catalog", str(not_json))
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_catalog", str(tmp_path / "absent.json"))


def test_the_command_twice_says_nothing_changed():
    out = StringIO()
    call_command("load_catalog", "demo", stdout=out)
    assert "Nothing to change" in out.getvalue()


def test_a_changed_fee_and_document_update_the_service_and_record_notices(demo):
    changed = copy.deepcopy(demo)
    entry = changed["services"][0]
    entry["fee_qar"] = 250
    entry["required_documents"].append({"ar": "شهادة حسن سيرة", "en": "Good conduct certificate"})
    report = catalog_import(data=changed)
    service = Service.objects.get(slug=entry["slug"])
    assert service.fee == Decimal("250.00")
    assert service.documents.count() == len(entry["required_documents"])
    assert report.updated["services"] == 1
    kinds = set(Notice.objects.filter(service=service).values_list("kind", flat=True))
    assert kinds == {"fee", "requirements"}
    notice = Notice.objects.get(service=service, kind="requirements")
    assert "Good conduct certificate" in notice.text_en
    assert "شهادة حسن سيرة" in notice.text_ar


def test_a_new_desk_schedule_and_fewer_counters_are_applied(demo):
    changed = copy.deepcopy(demo)
    wakra = next(c for c in changed["centers"] if c["slug"] == "al-wakra")
    wakra["agency_hours"] = {wakra["agencies"][0]: {"saturday": [["08:00", "12:00"]]}}
    wakra["counters"] = 5
    catalog_import(data=changed)
    center = Center.objects.get(slug="al-wakra")
    assert center.intervals.filter(agency__slug=wakra["agencies"][0]).count() == 1
    assert center.counters.filter(is_active=True).count() == 5
    assert center.counters.filter(is_active=False).count() == 23


def test_the_shared_catalog_loads(shared_data):
    data = json.loads((shared_data / "catalog.json").read_text(encoding="utf-8"))
    report = catalog_import(data=data)
    assert report.unchanged["services"] + report.updated["services"] == 70
    # The shared catalog's texts replace the demo's; facts stay the same.
    service = Service.objects.get(slug=data["services"][0]["slug"])
    assert service.description_ar == data["services"][0]["description_ar"]
