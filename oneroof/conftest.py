"""Shared fixtures: the demo catalog loaded once per session, and the personas of
CONVENTIONS.md (a citizen, an employee and a supervisor of center A, an employee of center B,
an agency admin, an anonymous visitor, plus the other staff roles)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from oneroof.accounts.models import User
from oneroof.core import memo

SHARED_DATA = (
    Path(
        os.environ.get("ONEROOF_SHARED_DIR")
        or Path(__file__).resolve().parent.parent.parent / "shared"
    )
    / "data"
)
CENTER_A = "al-rayyan"
CENTER_B = "al-wakra"

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# there unless told that this is deliberate (it is: the test only reads and sets up data).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def load_fixtures_data() -> None:
    from oneroof.catalog.demodata import load_demo_catalog, load_demo_staff

    load_demo_catalog()
    load_demo_staff()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo catalog and staff, once. Tests using `db` roll back to this state."""
    with django_db_blocker.unblock():
        load_fixtures_data()


@pytest.fixture
def demo_data(transactional_db):
    """For transactional tests (live server, threads): the flush after each such test
    removes the session data, so load it again."""
    load_fixtures_data()


def make_always_open(center_slug: str = CENTER_A):
    """Open the center around the clock with no holidays, so queue tests do not depend on
    the hour they run at. Returns the center."""
    from oneroof.centers.models import Center, Closure, OpeningInterval

    center = Center.objects.get(slug=center_slug)
    OpeningInterval.objects.filter(center=center).delete()
    Closure.objects.all().delete()
    OpeningInterval.objects.bulk_create(
        [OpeningInterval(center=center, weekday=d, opens=0, closes=24 * 60) for d in range(7)]
    )
    memo.clear_all()  # bulk_create sends no signals
    return center


@pytest.fixture
def always_open(db):
    """Center A open around the clock (desk exceptions removed)."""
    return make_always_open(CENTER_A)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Login throttling has its own test, which turns it back on.
    settings.AXES_ENABLED = False
    # Roll-ups follow each transaction at once (insights.pending has its own delayed test).
    settings.ONEROOF_ROLLUP_DELAY_MS = 0
    settings.ONEROOF_SMS_BACKEND = "oneroof.notify.backends.MemorySmsBackend"
    from oneroof.notify.backends import MemorySmsBackend

    MemorySmsBackend.outbox = []
    from django.core.cache import cache

    cache.clear()  # per-address limits start afresh in every test
    memo.clear_all()  # and nothing remembered from a rolled-back test
    # Static files from the app folders; no collectstatic manifest in tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _user(username: str) -> User:
    return User.objects.get(username=username)


@dataclass(frozen=True)
class Citizen:
    phone: str = "+97455123456"
    name: str = "Salem"


@pytest.fixture
def citizen() -> Citizen:
    return Citizen()


@pytest.fixture
def anonymous() -> None:
    return None


@pytest.fixture
def employee_a(db) -> User:
    return _user("employee.rayyan")


@pytest.fixture
def supervisor_a(db) -> User:
    return _user("supervisor.rayyan")


@pytest.fixture
def employee_b(db) -> User:
    return _user("employee.wakra")


@pytest.fixture
def agency_admin(db) -> User:
    """Administrator of the passports agency."""
    return _user("agency.passports")


@pytest.fixture
def system_admin(db) -> User:
    return _user("admin")


@pytest.fixture
def evaluator(db) -> User:
    return _user("evaluator")


@pytest.fixture
def decision_maker(db) -> User:
    return _user("decision")


PERSONAS = [
    "anonymous",
    "employee_a",
    "supervisor_a",
    "employee_b",
    "agency_admin",
    "system_admin",
    "evaluator",
    "decision_maker",
]


@pytest.fixture
def as_persona(request, db):
    """as_persona("agency_admin") → a test client signed in as that persona (or anonymous)."""

    def make(name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return make


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED_DATA} is missing, and CI requires it.")
        pytest.skip(f"{SHARED_DATA} is absent: the shared catalog and inquiries are not here.")
    return SHARED_DATA


@pytest.fixture
def pango() -> None:
    """WeasyPrint lays out PDFs with the system's Pango; without it, PDF tests skip (CI
    requires it: scripts/test.sh installs it with apt)."""
    try:
        import weasyprint  # noqa: F401  (loads Pango)
    except OSError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Pango is missing, and CI requires the PDF tests: {exc}")
        pytest.skip(f"Pango is not installed: PDF tests skipped ({exc}).")


# --- browser ---------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright (never a downloaded browser)."""
    if os.environ.get("ONEROOF_SKIP_BROWSER") or not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing, and CI requires the browser tests.")
        pytest.skip(f"{CHROMIUM} is not installed: browser tests skipped.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh page; a screenshot is saved to test-artifacts/ if the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
