"""A realistic, deterministic past for the demo centers: tickets and their events, services
delivered, appointments, survey answers and counter time, written through the same tables
the platform uses, so every screen and report shows it.

The model, per center, agency desk and opening interval of every day:

* **Demand.** Arrivals follow a Poisson count whose rate is the product of the center's
  size (its counters), the agency's popularity, the weekday (Sunday busiest, Saturday
  lighter where open), the month (June lighter) and the hour of day (peaks around 10:00 and
  18:00). Rates are scaled so that six whole months hold about 800,000 services delivered
  (110,000–140,000 a month) at `scale=1`. Holidays and desk hours are respected.
* **Staff.** About 400 employees at scale 1, each in a morning or an evening shift at one
  agency desk of one center, staffed for a little under the busy hours' load, and present
  on a day with a probability that leaves some days short: waits grow on those days and at
  peaks. A few employees are markedly slower or less courteous than their peers.
* **The queue.** Each desk and interval is simulated as a multi-server queue: the next free
  counter calls the best-ranked visitor (appointments and priority visitors get the
  default head starts); a visitor whose patience ran out is a no-show when called; some
  remote tickets are cancelled; each employee takes one break per long shift. Handling
  times are log-normal around the service's catalog average times the employee's pace.
* **After the visit.** About 2% are transferred to another agency's line; outcomes include
  missing documents; most visitors with a phone get the survey and about 30% answer, with
  scores that fall with long waits, missing papers and a discourteous employee.

Everything comes from `random.Random` seeded by (seed, center, day), so the same seed,
scale and end date give the same rows. Rows are written with COPY on PostgreSQL and with
batched INSERTs on SQLite, with primary keys drawn from the tables' own sequences."""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import heapq
import json
import math
import queue
import random
import resource
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext

from oneroof.accounts.actions import role_assign
from oneroof.accounts.choices import Role
from oneroof.accounts.models import User
from oneroof.appointments.models import Appointment, SlotRule
from oneroof.catalog.models import Service
from oneroof.centers.models import Center, Counter
from oneroof.centers.selectors import CenterHours, centers_hours
from oneroof.core import memo
from oneroof.core.errors import Conflict, InvalidInput
from oneroof.feedback.models import SurveyAnswer, SurveyInvite, SurveyVersion
from oneroof.queueing.choices import CLASS_ORDER
from oneroof.queueing.models import CounterEvent, Line, LineDay, LineService, Ticket, TicketEvent
from oneroof.transactions.models import TransactionRecord

UTC = dt.UTC

# --- the shape of demand -----------------------------------------------------------------------

MONTHLY_SERVICES = 137_500  # services delivered in an ordinary month at scale 1
MONTH_FACTOR = {1: 1.0, 2: 1.0, 3: 0.95, 4: 1.0, 5: 1.0, 6: 0.8, 7: 0.98, 8: 1.0, 9: 1.0,
                10: 1.0, 11: 1.0, 12: 0.95}  # fmt: skip
WEEKDAY_FACTOR = {0: 1.05, 1: 1.0, 2: 0.95, 3: 0.9, 4: 0.5, 5: 0.6, 6: 1.2}  # Monday = 0
HOUR_WEIGHT = {7: 0.55, 8: 1.0, 9: 1.45, 10: 1.6, 11: 1.4, 12: 0.9, 13: 0.5, 14: 0.4, 15: 0.6,
               16: 0.85, 17: 1.2, 18: 1.35, 19: 1.15, 20: 0.75, 21: 0.5, 22: 0.35,
               23: 0.25}  # fmt: skip
HOUR_WEIGHT_OTHER = 0.3
AGENCY_WEIGHT = {"passports": 3.0, "civil-registry": 2.2, "traffic": 2.0, "municipality": 1.2,
                 "labour": 1.1, "commerce": 1.0, "utilities": 1.0, "health": 0.9,
                 "social-development": 0.8, "justice": 0.7, "foreign-affairs": 0.6,
                 "public-prosecution": 0.4}  # fmt: skip
SERVICES_PER_TICKET = 0.93  # served share of tickets (no-shows, cancellations) plus transfers

# --- the visit ---------------------------------------------------------------------------------

P_APPOINTMENT = 0.08  # of arrivals at desks that take appointments
P_PRIORITY = 0.04
P_PHONE = 0.62
P_ENGLISH = 0.25
CHANNELS = (("kiosk", 0.72), ("web", 0.18), ("phone", 0.04), ("desk", 0.06))
PATIENCE_MEDIAN_MIN = 75  # log-normal: few leave within minutes, most stay an hour or more
PATIENCE_SIGMA = 0.5
P_BASE_NO_SHOW = 0.03
P_REMOTE_CANCEL = 0.06
P_TRANSFER = 0.02
P_MISSING_DOCUMENTS = 0.04
P_OTHER_OUTCOME = 0.005
P_SURVEY_ANSWER = 0.30
HANDLING_SIGMA = 0.45
HEAD_START_MIN = {"appointment": 30, "priority": 20, "normal": 0}
PRIORITY_REASONS = (("elderly", 0.6), ("disability", 0.25), ("pregnancy", 0.1), ("other", 0.05))
STAFFING = 0.9  # counters per unit of a shift's average load: peaks and short days queue up

# --- staff -------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Ahmed",
    "Mohammed",
    "Fatima",
    "Aisha",
    "Khalid",
    "Noora",
    "Hamad",
    "Maryam",
    "Saad",
    "Latifa",
    "Ali",
    "Hessa",
    "Jassim",
    "Moza",
    "Abdulla",
    "Sara",
    "Nasser",
    "Reem",
    "Faisal",
    "Dana",
    "Yousef",
    "Amna",
    "Tamim",
    "Shaikha",
)
LAST_NAMES = (
    "Al-Kuwari",
    "Al-Marri",
    "Al-Naimi",
    "Al-Hajri",
    "Al-Sulaiti",
    "Al-Mannai",
    "Al-Emadi",
    "Al-Kaabi",
    "Al-Mohannadi",
    "Al-Dosari",
    "Al-Khater",
    "Al-Ansari",
    "Al-Baker",
    "Al-Obaidli",
    "Al-Sada",
    "Al-Jaber",
)
P_SLOW = 0.06  # employees who take markedly longer than their peers
P_BRUSQUE = 0.05  # employees whose visitors rate courtesy markedly lower
STAFF_PREFIX = "staff."
UNUSABLE_PASSWORD = "!generated"  # noqa: S105 - "!" marks a password no one can use

COMMENTS_LOW = (
    "انتظرت وقتاً طويلاً جداً",
    "The wait was far too long.",
    "لم يشرح الموظف المطلوب بوضوح",
    "I was sent back for a paper nobody told me about.",
    "الموظف لم يكن متعاوناً",
)
COMMENTS_HIGH = ("خدمة ممتازة وسريعة", "Quick and friendly, thank you.", "شكراً للموظف على المساعدة")

CODE_ALPHABET = "ACDEFHJKLMNPRTUVWXY347"
CODE_EPOCH = dt.date(2020, 1, 1)


@dataclass
class HistoryReport:
    start: dt.date
    end: dt.date
    rows: dict[str, int]
    seconds: float
    rollup_seconds: float
    peak_memory_mb: float

    def summary(self) -> str:
        rows = ", ".join(f"{k} {v:,}" for k, v in self.rows.items())
        return (
            f"{self.start} to {self.end}: {rows}; {self.seconds:.0f} s "
            f"(roll-ups {self.rollup_seconds:.0f} s), peak memory {self.peak_memory_mb:.0f} MB"
        )


def window(months: int, end: dt.date) -> tuple[dt.date, dt.date]:
    """`months` whole months before the month of `end`, and that month up to `end`."""
    first = end.replace(day=1)
    for _ in range(months):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first, end


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- writing rows fast -------------------------------------------------------------------------


class Ids:
    """Primary keys taken from the table's own sequence (PostgreSQL) or after its largest
    id inside the current write transaction (SQLite)."""

    def __init__(self, model: type) -> None:
        self.table = model._meta.db_table
        self.pg = connection.vendor == "postgresql"
        self.free: list[int] = []
        self.next_id = 0
        self.block = 1000  # grows as the table asks for more, so few ids go unused

    def sync(self) -> None:
        if not self.pg:
            table = connection.ops.quote_name(self.table)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
                self.next_id = max(self.next_id, cursor.fetchone()[0] + 1)

    def take(self) -> int:
        if not self.pg:
            self.next_id += 1
            return self.next_id - 1
        if not self.free:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [self.table, self.block],
                )
                self.free = [r[0] for r in cursor.fetchall()][::-1]
            self.block = min(self.block * 2, 50_000)
        return self.free.pop()


class Table:
    """Rows for one table, written in batches: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, model: type, columns: Sequence[str]) -> None:
        self.table = model._meta.db_table
        self.columns = list(columns)
        self.rows: list[tuple] = []
        self.written = 0
        self.pg = connection.vendor == "postgresql"
        fields = {f.column: f for f in model._meta.concrete_fields}
        self.converters = [self._converter(fields[c]) for c in self.columns]

    def _converter(self, f) -> Callable[[Any], Any] | None:
        internal = f.get_internal_type()
        if internal == "JSONField":
            return json.dumps
        if self.pg:
            return None
        if internal == "DateTimeField":
            return lambda v: (
                None if v is None else v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
            )
        if internal == "DateField":
            return lambda v: None if v is None else v.isoformat()
        if internal == "DecimalField":
            return lambda v: None if v is None else str(v)
        if internal == "BooleanField":
            return lambda v: None if v is None else int(v)
        return None

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def detach(self) -> list[tuple]:
        rows, self.rows = self.rows, []
        self.written += len(rows)
        return rows

    def write(self, rows: list[tuple]) -> None:
        """Write rows on this thread's database connection."""
        if not rows:
            return
        quote = connection.ops.quote_name
        cols = ", ".join(quote(c) for c in self.columns)
        convs = [(i, c) for i, c in enumerate(self.converters) if c is not None]
        if convs:
            converted = []
            for row in rows:
                row = list(row)
                for i, conv in convs:
                    row[i] = conv(row[i])
                converted.append(row)
            rows = converted
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {quote(self.table)} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {quote(self.table)} ({cols}) VALUES ({marks})",  # noqa: S608
                    rows,
                )


BATCH_ROWS = 200_000  # rows per transaction on PostgreSQL: bounds memory at any scale


class BackgroundWriter:
    """Writes batches on its own connection and thread (PostgreSQL), so the database
    ingests one batch while the next is being simulated; each batch is one transaction."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    _write_batch(batch)
        except BaseException as exc:  # handed to the main thread
            self.error = exc
            while self.queue.get() is not None:
                pass
        finally:
            connection.close()

    def put(self, batch: list[tuple[Table, list[tuple]]]) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _write_batch(batch: list[tuple[Table, list[tuple]]]) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Losing the last batches in a crash is harmless here: run it again.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        for table, rows in batch:
            table.write(rows)


# --- the demo world ----------------------------------------------------------------------------


@dataclass
class Desk:
    """One agency's desk at one center, with what the simulation needs of it."""

    center: Center
    agency_id: int
    agency_slug: str
    line_id: int
    prefix: str
    services: list[tuple[int, float]]  # (service id, weight)
    takes_appointments: bool
    weight: float
    staff: dict[int, list[Employee]] = field(default_factory=lambda: {0: [], 1: []})


@dataclass
class Employee:
    user_id: int
    pace: float  # handling time multiplier
    courtesy: float  # added to courtesy scores


@dataclass
class ServiceInfo:
    pk: int
    slug: str
    agency_id: int
    minutes: float
    fee: Decimal


@dataclass
class Visit:
    """One ticket leg and its fate, in POSIX seconds."""

    id: int
    public_id: str
    desk: Desk
    service_id: int
    issued: int
    channel: str
    priority_class: str
    priority_reason: str
    phone: str
    lang: str
    patience: float
    cancel_at: int | None
    rank: int
    status: str = "waiting"
    called: int | None = None
    started: int | None = None
    ended: int | None = None
    employee: Employee | None = None
    counter_id: int | None = None
    outcome: str = ""
    recalled: bool = False
    transferred_from: Visit | None = None
    transfer_event_at: int | None = None
    referred_to: int | None = None
    sequence: int | None = None
    number: str = ""


def _hour_weight(hour: int) -> float:
    return HOUR_WEIGHT.get(hour, HOUR_WEIGHT_OTHER)


def _interval_segments(opens: int, closes: int) -> list[tuple[int, int, float]]:
    """(from minute, to minute, weight per minute) pieces of an interval, by hour."""
    pieces = []
    minute = opens
    while minute < closes:
        end = min(closes, (minute // 60 + 1) * 60)
        pieces.append((minute, end, _hour_weight(minute // 60 % 24)))
        minute = end
    return pieces


def _interval_weight(opens: int, closes: int) -> float:
    return sum((b - a) / 60 * w for a, b, w in _interval_segments(opens, closes))


def _intervals(hours: CenterHours, agency_id: int, day: dt.date) -> list[tuple[int, int]]:
    if hours.closure_on(day, agency_id) is not None:
        return []
    return sorted(hours.schedule_for(agency_id).get(day.weekday(), []))


def _shift_of(opens: int) -> int:
    return 0 if opens < 14 * 60 else 1


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _choice(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    x = rng.random() * sum(w for _, w in options)
    for value, weight in options:
        x -= weight
        if x <= 0:
            return value
    return options[-1][0]


def _token(rng: random.Random, nbytes: int) -> str:
    return (
        base64.urlsafe_b64encode(rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big"))
        .rstrip(b"=")
        .decode()
    )


def _phone(i: int) -> str:
    return f"+974{'3567'[i % 4]}{(i * 7919 + 12345) % 10**7:07d}"


def _appointment_code(day: dt.date, center_position: int, k: int) -> str:
    """Nine characters (bookings made online have seven), one for each day, center and
    booking of the day, the same in every run."""
    n = ((day - CODE_EPOCH).days * 1024 + center_position % 1024) * 65536 + k % 65536
    n = (n * 1_000_003) % (len(CODE_ALPHABET) ** 9)
    chars = []
    for _i in range(9):
        n, r = divmod(n, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[r])
    return "".join(chars)


class World:
    """Centers, desks, services and staff, loaded once."""

    def __init__(self, *, seed: int, scale: float, start: dt.date, end: dt.date) -> None:
        self.seed, self.scale, self.start, self.end = seed, scale, start, end
        self.centers = list(Center.objects.active().order_by("pk"))
        if not self.centers:
            raise Conflict(gettext("There are no centers: load the demo catalog first."))
        self.hours = centers_hours(self.centers, today=start)
        self.services = {
            s.pk: ServiceInfo(s.pk, s.slug, s.agency_id, float(s.avg_service_minutes), s.fee)
            for s in Service.objects.filter(is_active=True)
        }
        self.counters: dict[int, list[int]] = defaultdict(list)
        for pk, center_id in (
            Counter.objects.filter(is_active=True).order_by("number").values_list("pk", "center_id")
        ):
            self.counters[center_id].append(pk)
        appointments = set(
            SlotRule.objects.filter(is_active=True).values_list("center_id", "agency_id")
        )
        lines = {
            (line.center_id, line.agency_id): line
            for line in Line.objects.filter(is_active=True).select_related("agency")
        }
        by_line: dict[int, list[int]] = defaultdict(list)
        for line_id, service_id in LineService.objects.values_list("line_id", "service_id"):
            if service_id in self.services:
                by_line[line_id].append(service_id)
        self.desks: dict[int, list[Desk]] = defaultdict(list)
        for center in self.centers:
            for (center_id, agency_id), line in sorted(lines.items(), key=lambda kv: kv[1].pk):
                if center_id != center.pk or not by_line.get(line.pk):
                    continue
                ids = sorted(by_line[line.pk])
                self.desks[center.pk].append(
                    Desk(
                        center=center,
                        agency_id=agency_id,
                        agency_slug=line.agency.slug,
                        line_id=line.pk,
                        prefix=line.prefix,
                        services=[(sid, 1 / (i + 1) ** 0.8) for i, sid in enumerate(ids)],
                        takes_appointments=(center.pk, agency_id) in appointments,
                        weight=len(self.counters[center.pk])
                        * AGENCY_WEIGHT.get(line.agency.slug, 0.8),
                    )
                )
        self.survey_version = (
            SurveyVersion.objects.filter(is_active=True).values_list("pk", flat=True).first()
        )
        self.phones = max(2000, int(300_000 * scale))
        self._calibrate()

    # Demand per unit of weight in each month, so months hold their share of services.
    def _calibrate(self) -> None:
        first = self.start.replace(day=1)
        last = (self.end.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        weight_of_month: dict[tuple[int, int], float] = defaultdict(float)
        day = first
        while day < last:
            for center in self.centers:
                hours = self.hours[center.pk]
                for desk in self.desks[center.pk]:
                    for opens, closes in _intervals(hours, desk.agency_id, day):
                        weight_of_month[(day.year, day.month)] += self.weight(
                            desk, day, opens, closes
                        )
            day += dt.timedelta(days=1)
        self.rate: dict[tuple[int, int], float] = {}
        for (year, month), weight in weight_of_month.items():
            tickets = MONTHLY_SERVICES * MONTH_FACTOR[month] * self.scale / SERVICES_PER_TICKET
            self.rate[(year, month)] = tickets / weight if weight else 0.0

    def weight(self, desk: Desk, day: dt.date, opens: int, closes: int) -> float:
        return desk.weight * WEEKDAY_FACTOR[day.weekday()] * _interval_weight(opens, closes)

    def expected(self, desk: Desk, day: dt.date, opens: int, closes: int) -> float:
        return self.rate.get((day.year, day.month), 0.0) * self.weight(desk, day, opens, closes)

    def mean_minutes(self, desk: Desk) -> float:
        total = sum(w for _, w in desk.services)
        return sum(self.services[s].minutes * w for s, w in desk.services) / total

    def staff_needed(self) -> dict[tuple[int, int, int], int]:
        """Counters to staff per (center, agency, shift): the average load of the shift's
        hours on an ordinary weekday times STAFFING, so busy days and peak hours queue up."""
        needed: dict[tuple[int, int, int], int] = {}
        rate = (
            MONTHLY_SERVICES
            * self.scale
            / SERVICES_PER_TICKET
            / max(sum(self._ordinary_month_weight().values()), 1e-9)
        )
        for center in self.centers:
            hours = self.hours[center.pk]
            for desk in self.desks[center.pk]:
                for weekday in range(7):
                    for opens, closes in hours.schedule_for(desk.agency_id).get(weekday, []):
                        per_hour = (
                            rate
                            * desk.weight
                            * WEEKDAY_FACTOR[weekday]
                            * _interval_weight(opens, closes)
                            / ((closes - opens) / 60)
                        )
                        load = per_hour * self.mean_minutes(desk) / 60 * STAFFING
                        key = (center.pk, desk.agency_id, _shift_of(opens))
                        needed[key] = max(needed.get(key, 1), math.ceil(load))
        return needed

    def _ordinary_month_weight(self) -> dict[int, float]:
        """Weight of a 30-day month of average weekdays, per center."""
        out: dict[int, float] = defaultdict(float)
        for center in self.centers:
            hours = self.hours[center.pk]
            for desk in self.desks[center.pk]:
                for weekday in range(7):
                    for opens, closes in hours.schedule_for(desk.agency_id).get(weekday, []):
                        out[center.pk] += (
                            desk.weight
                            * WEEKDAY_FACTOR[weekday]
                            * _interval_weight(opens, closes)
                            * 30
                            / 7
                        )
        return out

    def open_days(self, desk: Desk, shift: int) -> int:
        schedule = self.hours[desk.center.pk].schedule_for(desk.agency_id)
        return sum(
            1 for wd in range(7) if any(_shift_of(o) == shift for o, _ in schedule.get(wd, []))
        )

    def hire(self) -> int:
        """Create (or find) the employees, ~400 at scale 1; returns how many are new."""
        rng = random.Random(f"{self.seed}:staff")  # noqa: S311 - a demo, reproducible
        created = 0
        existing = {u.username: u for u in User.objects.filter(username__startswith=STAFF_PREFIX)}
        needed = self.staff_needed()
        desks = {(d.center.pk, d.agency_id): d for ds in self.desks.values() for d in ds}
        for (center_id, agency_id, shift), servers in sorted(needed.items()):
            desk = desks[(center_id, agency_id)]
            days = self.open_days(desk, shift)
            if not days:
                continue
            # A desk with one counter has one employee; larger desks cover rest days.
            headcount = 1 if servers == 1 else math.ceil(servers * min(days, 6) / 5 / 0.96)
            for n in range(headcount):
                username = (
                    f"{STAFF_PREFIX}{desk.center.slug}.{desk.agency_slug}.{'me'[shift]}{n + 1:02d}"
                )
                pace = (
                    rng.uniform(1.35, 1.6) if rng.random() < P_SLOW else rng.lognormvariate(0, 0.1)
                )
                courtesy = -1.1 if rng.random() < P_BRUSQUE else rng.gauss(0, 0.2)
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                user = existing.get(username)
                if user is None:
                    user = User.objects.create(
                        username=username,
                        first_name=first,
                        last_name=last,
                        password=UNUSABLE_PASSWORD,
                    )
                    created += 1
                role_assign(user=user, role=Role.EMPLOYEE, agency_id=agency_id, center_id=center_id)
                desk.staff[shift].append(Employee(user.pk, pace, courtesy))
        return created

    @property
    def employees(self) -> int:
        return sum(len(s) for ds in self.desks.values() for d in ds for s in d.staff.values())


# --- one center's day --------------------------------------------------------------------------


class DayBuilder:
    """Simulates one center's day and turns it into rows."""

    def __init__(self, world: World, writer: Writer, center: Center, day: dt.date) -> None:
        self.world, self.w, self.center, self.day = world, writer, center, day
        self.rng = random.Random(f"{world.seed}:{center.slug}:{day.isoformat()}")  # noqa: S311
        self.tz = center.tz
        self.midnight = dt.datetime.combine(day, dt.time(), self.tz)
        self.visits: list[Visit] = []
        self.rosters: dict[tuple[int, int], list[Employee]] = {}
        self.counter_of: dict[int, int] = {}
        self.seats: dict[tuple[int, int], int] = {}
        self.codes = 0
        self.position = world.centers.index(center)

    def ts(self, minute: float) -> int:
        """Local minute of the day → POSIX seconds (wall clock, so DST days are right)."""
        whole = int(minute)
        local = self.midnight + dt.timedelta(minutes=whole)
        local = dt.datetime.combine(local.date(), local.time(), self.tz)
        return int(local.timestamp()) + int((minute - whole) * 60)

    def run(self) -> None:
        hours = self.world.hours[self.center.pk]
        desks = self.world.desks[self.center.pk]
        plans = []
        for desk in desks:
            for opens, closes in _intervals(hours, desk.agency_id, self.day):
                plans.append((desk, opens, closes))
        if not plans:
            return
        self._rosters(plans)
        for desk, opens, closes in plans:
            self._simulate(desk, opens, closes)
        self._transfers()
        self._number()
        self._write()

    def _rosters(self, plans: list[tuple[Desk, int, int]]) -> None:
        counters = self.world.counters[self.center.pk] or [None]
        for shift in (0, 1):
            present: list[Employee] = []
            for desk in sorted(
                {p[0].agency_id: p[0] for p in plans}.values(), key=lambda d: d.line_id
            ):
                staff = desk.staff[shift]
                if not any(_shift_of(o) == shift for d, o, _ in plans if d is desk):
                    continue
                days = max(self.world.open_days(desk, shift), 1)
                p = (1.0 if len(staff) == 1 else min(1.0, 5 / min(days, 6))) * 0.96
                roster = [e for e in staff if self.rng.random() < p] or staff[:1]
                self.rosters[(desk.agency_id, shift)] = roster
                present += roster
            for i, employee in enumerate(present):
                self.counter_of[employee.user_id] = counters[i % len(counters)]

    def _arrivals(self, desk: Desk, opens: int, closes: int) -> list[Visit]:
        rng, world = self.rng, self.world
        n = _poisson(rng, world.expected(desk, self.day, opens, closes))
        segments = _interval_segments(opens, closes)
        cumulative, total = [], 0.0
        for a, b, w in segments:
            total += (b - a) * w
            cumulative.append(total)
        visits = []
        for _ in range(n):
            x = rng.random() * total
            a, b, w = segments[min(bisect.bisect_left(cumulative, x), len(segments) - 1)]
            minute = rng.uniform(a, b)
            issued = self.ts(minute)
            service_id = _choice(rng, desk.services)
            r = rng.random()
            if desk.takes_appointments and r < P_APPOINTMENT:
                priority_class, reason = "appointment", ""
            elif r < P_APPOINTMENT + P_PRIORITY:
                priority_class, reason = "priority", _choice(rng, PRIORITY_REASONS)
            else:
                priority_class, reason = "normal", ""
            channel = "kiosk" if priority_class == "appointment" else _choice(rng, CHANNELS)
            has_phone = channel in ("web", "phone") or priority_class == "appointment"
            phone = (
                _phone(rng.randrange(world.phones)) if has_phone or rng.random() < P_PHONE else ""
            )
            cancel_at = None
            if channel in ("web", "phone") and rng.random() < P_REMOTE_CANCEL:
                cancel_at = issued + int(rng.uniform(5, 60) * 60)
            visits.append(
                Visit(
                    id=0,
                    public_id=_token(rng, 16),
                    desk=desk,
                    service_id=service_id,
                    issued=issued,
                    channel=channel,
                    priority_class=priority_class,
                    priority_reason=reason,
                    phone=phone,
                    lang="en" if rng.random() < P_ENGLISH else "ar",
                    patience=PATIENCE_MEDIAN_MIN * 60 * rng.lognormvariate(0, PATIENCE_SIGMA),
                    cancel_at=cancel_at,
                    rank=issued - HEAD_START_MIN[priority_class] * 60,
                )
            )
        visits.sort(key=lambda v: v.issued)
        return visits

    def _handling(self, service_id: int, employee: Employee) -> int:
        minutes = self.world.services[service_id].minutes * employee.pace
        sigma = HANDLING_SIGMA
        return max(30, int(minutes * 60 * self.rng.lognormvariate(-sigma * sigma / 2, sigma)))

    def _simulate(self, desk: Desk, opens: int, closes: int) -> None:
        rng = self.rng
        arrivals = self._arrivals(desk, opens, closes)
        self.visits += arrivals
        shift = _shift_of(opens)
        roster = (
            self.rosters.get((desk.agency_id, shift)) or desk.staff[shift] or desk.staff[1 - shift]
        )
        if not arrivals or not roster:
            for v in arrivals:  # nobody to serve them: they give up
                v.status, v.ended = "cancelled", v.issued + 1800
            return
        start, stop = self.ts(opens), self.ts(closes)
        long_shift = closes - opens >= 240
        servers = []
        for employee in roster:
            opened = start - int(rng.uniform(0, 300))
            breaks = (
                (
                    start + int((closes - opens) * 60 * rng.uniform(0.4, 0.6)),
                    int(rng.uniform(15, 30) * 60),
                )
                if long_shift
                else None
            )
            servers.append(
                {
                    "employee": employee,
                    "opened": opened,
                    "break": breaks,
                    "pause": None,
                    "last": opened,
                }
            )
        free = [(start, sid) for sid in range(len(servers))]
        heapq.heapify(free)
        waiting: list[tuple[int, int, int]] = []
        i, n = 0, len(arrivals)
        while i < n or waiting:
            t, sid = heapq.heappop(free)
            s = servers[sid]
            while i < n and arrivals[i].issued <= t:
                heapq.heappush(waiting, (arrivals[i].rank, i, i))
                i += 1
            if not waiting:
                t = arrivals[i].issued
                while i < n and arrivals[i].issued <= t:
                    heapq.heappush(waiting, (arrivals[i].rank, i, i))
                    i += 1
            if s["break"] and s["pause"] is None and t >= s["break"][0]:
                s["pause"] = (t, t + s["break"][1])
                heapq.heappush(free, (t + s["break"][1], sid))
                continue
            _, _, idx = heapq.heappop(waiting)
            v = arrivals[idx]
            t = max(t, v.issued)  # another counter may have moved the clock past this one
            if v.cancel_at is not None and v.cancel_at <= t:
                v.status, v.ended = "cancelled", v.cancel_at
                heapq.heappush(free, (t, sid))
                continue
            employee = s["employee"]
            v.called, v.employee = t, employee
            v.counter_id = self.counter_of.get(employee.user_id)
            if t - v.issued > v.patience or rng.random() < P_BASE_NO_SHOW:
                v.recalled = rng.random() < 0.5
                v.status, v.ended = "no_show", t + int(rng.uniform(60, 150))
                done = v.ended + 10
            else:
                v.started = t + int(rng.uniform(15, 60))
                v.ended = v.started + self._handling(v.service_id, employee)
                r = rng.random()
                if r < P_TRANSFER and v.priority_class != "appointment":
                    v.status, v.outcome = "transferred", "referred"
                elif r < P_TRANSFER + P_MISSING_DOCUMENTS:
                    v.status, v.outcome = "done", "missing_documents"
                elif r < P_TRANSFER + P_MISSING_DOCUMENTS + P_OTHER_OUTCOME:
                    v.status, v.outcome = "done", "other"
                else:
                    v.status, v.outcome = "done", "completed"
                done = v.ended + int(rng.uniform(5, 30))
            s["last"] = max(s["last"], v.ended)
            heapq.heappush(free, (done, sid))
        for s in servers:
            closed = max(stop, s["last"]) + int(rng.uniform(0, 180))
            self._counter_events(desk, s, closed)

    def _counter_events(self, desk: Desk, s: dict, closed: int) -> None:
        employee, counter_id = s["employee"], self.counter_of.get(s["employee"].user_id)
        if counter_id is None:
            return
        events = [(s["opened"], "open", [desk.line_id])]
        if s["pause"]:
            events += [(s["pause"][0], "paused", [desk.line_id]),
                       (s["pause"][1], "open", [desk.line_id])]  # fmt: skip
        events.append((closed, "closed", []))
        for at, status, lines in events:
            self.w.counter_events.add(
                (
                    self.w.ids["counter_event"].take(),
                    counter_id,
                    _dt(at),
                    status,
                    employee.user_id,
                    lines,
                )
            )

    def _transfers(self) -> None:
        rng = self.rng
        desks = self.world.desks[self.center.pk]
        for v in [v for v in self.visits if v.status == "transferred"]:
            others = [d for d in desks if d.agency_id != v.desk.agency_id]
            if not others:
                v.status, v.outcome = "done", "completed"
                continue
            target = rng.choice(others)
            shift = 0 if (v.ended - self.ts(0)) < 14 * 3600 else 1
            roster = (
                self.rosters.get((target.agency_id, shift))
                or target.staff[shift]
                or target.staff[1 - shift]
            )
            if not roster:
                v.status, v.outcome = "done", "completed"
                continue
            service_id = _choice(rng, target.services)
            employee = rng.choice(roster)
            leg = Visit(
                id=0,
                public_id=_token(rng, 16),
                desk=target,
                service_id=service_id,
                issued=v.issued,
                channel="transfer",
                priority_class=v.priority_class,
                priority_reason=v.priority_reason,
                phone=v.phone,
                lang=v.lang,
                patience=0,
                cancel_at=None,
                rank=v.rank,
                transferred_from=v,
                transfer_event_at=v.ended,
            )
            leg.called = v.ended + int(rng.uniform(60, 600))
            leg.started = leg.called + int(rng.uniform(15, 45))
            leg.ended = leg.started + self._handling(service_id, employee)
            leg.employee, leg.counter_id = employee, self.counter_of.get(employee.user_id)
            leg.status, leg.outcome = "done", "completed"
            v.referred_to = service_id
            self.visits.append(leg)

    def _number(self) -> None:
        ids = self.w.ids["ticket"]
        per_line: dict[int, int] = defaultdict(int)
        for v in sorted(self.visits, key=lambda v: (v.transferred_from is not None, v.issued)):
            v.id = ids.take()
            if v.transferred_from is None:
                per_line[v.desk.line_id] += 1
                v.sequence = per_line[v.desk.line_id]
                v.number = f"{v.desk.prefix}{v.sequence:03d}"
            else:
                v.number = v.transferred_from.number
        for line_id, last in per_line.items():
            self.w.line_days.add((self.w.ids["line_day"].take(), line_id, self.day, last))

    def _write(self) -> None:
        w, world = self.w, self.world
        invited: set[str] = set()
        cutoff = self.w.cutoff
        for v in sorted(self.visits, key=lambda v: v.id):
            emp = v.employee.user_id if v.employee else None
            called = v.called if v.status != "cancelled" else None
            appointment_id = None
            if v.priority_class == "appointment" and v.transferred_from is None:
                appointment_id = self._appointment(v)
            w.tickets.add(
                (
                    v.id,
                    v.public_id,
                    self.center.pk,
                    v.desk.line_id,
                    v.service_id,
                    self.day,
                    v.sequence,
                    v.number,
                    v.priority_class,
                    CLASS_ORDER[v.priority_class],
                    v.priority_reason,
                    v.status,
                    v.channel,
                    v.phone,
                    v.lang,
                    _dt(v.issued),
                    _dt(v.issued),
                    _dt(v.rank),
                    _dt(called),
                    _dt(v.started),
                    _dt(v.ended),
                    v.counter_id if called else None,
                    emp if called else None,
                    v.transferred_from.id if v.transferred_from else None,
                    int(v.recalled),
                    v.outcome,
                    "",
                    bool(v.phone),
                )
            )
            self._ticket_events(v)
            if v.status in ("done", "transferred"):
                record_id = w.ids["record"].take()
                service = world.services[v.service_id]
                wait = called - v.issued
                w.records.add(
                    (
                        record_id,
                        _dt(v.ended),
                        _dt(v.ended),
                        v.service_id,
                        service.agency_id,
                        self.center.pk,
                        v.counter_id,
                        emp,
                        v.id,
                        appointment_id,
                        "desk",
                        v.phone,
                        "",
                        _dt(v.issued),
                        _dt(called),
                        _dt(v.started),
                        _dt(v.ended),
                        wait,
                        v.ended - v.started,
                        v.outcome,
                        [],
                        v.referred_to,
                        service.fee if v.outcome == "completed" else Decimal("0"),
                        "",
                        emp,
                        "",
                        None,
                    )
                )
                if v.phone and v.phone not in invited and world.survey_version:
                    invited.add(v.phone)
                    self._survey(v, record_id, wait, cutoff)

    def _ticket_events(self, v: Visit) -> None:
        add, take = self.w.ticket_events.add, self.w.ids["ticket_event"].take
        emp = v.employee.user_id if v.employee else None
        if v.transferred_from is None:
            add((take(), v.id, _dt(v.issued), "issued", "", "waiting", None, None, ""))
        else:
            before = v.transferred_from.employee
            add(
                (
                    take(),
                    v.id,
                    _dt(v.transfer_event_at),
                    "issued",
                    "",
                    "waiting",
                    None,
                    before.user_id if before else None,
                    f"from {v.transferred_from.public_id}",
                )
            )
        if v.status == "cancelled":
            add((take(), v.id, _dt(v.ended), "cancelled", "waiting", "cancelled", None, None, ""))
            return
        add((take(), v.id, _dt(v.called), "called", "waiting", "called", v.counter_id, emp, ""))
        if v.status == "no_show":
            if v.recalled:
                add(
                    (
                        take(),
                        v.id,
                        _dt(v.called + 45),
                        "recalled",
                        "called",
                        "called",
                        v.counter_id,
                        emp,
                        "",
                    )
                )
            add((take(), v.id, _dt(v.ended), "no_show", "called", "no_show", v.counter_id, emp, ""))
            return
        add((take(), v.id, _dt(v.started), "started", "called", "serving", v.counter_id, emp, ""))
        if v.status == "transferred":
            slug = self.world.services[v.referred_to].slug if v.referred_to else ""
            add(
                (
                    take(),
                    v.id,
                    _dt(v.ended),
                    "transferred",
                    "serving",
                    "transferred",
                    v.counter_id,
                    emp,
                    slug,
                )
            )
        else:
            add(
                (
                    take(),
                    v.id,
                    _dt(v.ended),
                    "completed",
                    "serving",
                    "done",
                    v.counter_id,
                    emp,
                    v.outcome,
                )
            )

    def _code(self) -> str:
        self.codes += 1
        return _appointment_code(self.day, self.position, self.codes)

    def _appointment(self, v: Visit) -> int:
        rng, w = self.rng, self.w
        slot = 15 * 60
        start = (v.issued + int(rng.uniform(0, 15 * 60))) // slot * slot
        key = (v.desk.agency_id, start)
        self.seats[key] = self.seats.get(key, 0) + 1
        booked = start - int(rng.uniform(1, 14) * 86400)
        pk = w.ids["appointment"].take()
        w.appointments.add(
            (
                pk,
                _dt(booked),
                _dt(booked),
                self._code(),
                self.center.pk,
                v.desk.agency_id,
                v.service_id,
                _dt(start),
                start // 60,
                _dt(start + slot),
                self.seats[key],
                v.phone,
                "",
                v.lang,
                "checked_in",
                None,
                _dt(v.issued),
                v.id,
            )
        )
        if rng.random() < 0.12:  # someone else booked this slot and did not come
            pk2 = w.ids["appointment"].take()
            w.appointments.add(
                (
                    pk2,
                    _dt(booked),
                    _dt(booked),
                    self._code(),
                    self.center.pk,
                    v.desk.agency_id,
                    v.service_id,
                    _dt(start),
                    start // 60,
                    _dt(start + slot),
                    0,
                    _phone(rng.randrange(self.world.phones)),
                    "",
                    "ar",
                    "no_show",
                    None,
                    None,
                    None,
                )
            )
        return pk

    def _survey(self, v: Visit, record_id: int, wait: int, cutoff: int) -> None:
        rng, w = self.rng, self.w
        due = v.ended + 600
        invite_id = w.ids["invite"].take()
        answered = None
        if rng.random() < P_SURVEY_ANSWER:
            at = due + int(rng.expovariate(1 / (3 * 3600)))
            if at < cutoff and at < v.ended + 7 * 86400:
                answered = at
        w.invites.add(
            (
                invite_id,
                _token(rng, 18),
                record_id,
                v.phone,
                v.lang,
                _dt(v.ended),
                _dt(due),
                _dt(due) if due < cutoff else None,
                _dt(v.ended + 7 * 86400),
                _dt(answered),
            )
        )
        if answered is None:
            return
        minutes = wait / 60
        courtesy_bias = v.employee.courtesy if v.employee else 0.0
        base = (
            4.45 - 0.035 * max(0.0, minutes - 10) - (1.3 if v.outcome == "missing_documents" else 0)
        )
        overall = _score(base + 0.5 * courtesy_bias + rng.gauss(0, 0.65))
        waiting = _score(5 - minutes / 12 + rng.gauss(0, 0.6))
        courtesy = _score(4.5 + courtesy_bias + rng.gauss(0, 0.5))
        one_visit = v.outcome == "completed" and v.transferred_from is None and rng.random() < 0.93
        comment = ""
        if overall <= 2 and rng.random() < 0.4:
            comment = rng.choice(COMMENTS_LOW)
        elif overall == 5 and rng.random() < 0.08:
            comment = rng.choice(COMMENTS_HIGH)
        service = self.world.services[v.service_id]
        w.answers.add(
            (
                w.ids["answer"].take(),
                invite_id,
                self.world.survey_version,
                self.center.pk,
                service.agency_id,
                v.service_id,
                v.employee.user_id if v.employee else None,
                overall,
                waiting,
                courtesy,
                one_visit,
                comment,
                _dt(answered),
            )
        )


def _score(x: float) -> int:
    return min(5, max(1, round(x)))


def _dt(ts: int | None) -> dt.datetime | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, UTC)


class Writer:
    """Every table the history writes, with the ids of each."""

    def __init__(self, cutoff: int) -> None:
        self.cutoff = cutoff
        self.ids = {
            "ticket": Ids(Ticket),
            "ticket_event": Ids(TicketEvent),
            "record": Ids(TransactionRecord),
            "appointment": Ids(Appointment),
            "invite": Ids(SurveyInvite),
            "answer": Ids(SurveyAnswer),
            "counter_event": Ids(CounterEvent),
            "line_day": Ids(LineDay),
        }
        self.tickets = Table(
            Ticket,
            (
                "id",
                "public_id",
                "center_id",
                "line_id",
                "service_id",
                "business_date",
                "sequence",
                "number",
                "priority_class",
                "class_order",
                "priority_reason",
                "status",
                "channel",
                "phone",
                "lang",
                "issued_at",
                "queued_at",
                "rank_at",
                "called_at",
                "started_at",
                "ended_at",
                "counter_id",
                "served_by_id",
                "transferred_from_id",
                "recall_count",
                "outcome",
                "note",
                "position_notified",
            ),
        )
        self.ticket_events = Table(
            TicketEvent,
            (
                "id",
                "ticket_id",
                "at",
                "kind",
                "from_status",
                "to_status",
                "counter_id",
                "user_id",
                "reason",
            ),
        )
        self.records = Table(
            TransactionRecord,
            (
                "id",
                "created_at",
                "updated_at",
                "service_id",
                "agency_id",
                "center_id",
                "counter_id",
                "employee_id",
                "ticket_id",
                "appointment_id",
                "channel",
                "phone",
                "national_id",
                "arrived_at",
                "called_at",
                "started_at",
                "ended_at",
                "wait_seconds",
                "handling_seconds",
                "outcome",
                "missing_documents",
                "referred_to_id",
                "fee_charged",
                "notes",
                "source_id",
                "idempotency_key",
                "anonymised_at",
            ),
        )
        self.appointments = Table(
            Appointment,
            (
                "id",
                "created_at",
                "updated_at",
                "code",
                "center_id",
                "agency_id",
                "service_id",
                "start",
                "start_minute",
                "end",
                "seat",
                "phone",
                "email",
                "lang",
                "status",
                "booked_by_id",
                "checked_in_at",
                "ticket_id",
            ),
        )
        self.invites = Table(
            SurveyInvite,
            (
                "id",
                "token",
                "record_id",
                "phone",
                "lang",
                "created_at",
                "due_at",
                "sent_at",
                "expires_at",
                "answered_at",
            ),
        )
        self.answers = Table(
            SurveyAnswer,
            (
                "id",
                "invite_id",
                "version_id",
                "center_id",
                "agency_id",
                "service_id",
                "employee_id",
                "overall",
                "waiting",
                "courtesy",
                "one_visit",
                "comment",
                "answered_at",
            ),
        )
        self.counter_events = Table(
            CounterEvent,
            (
                "id",
                "counter_id",
                "at",
                "status",
                "user_id",
                "line_ids",
            ),
        )
        self.line_days = Table(LineDay, ("id", "line_id", "business_date", "last_number"))

    def tables(self) -> list[Table]:
        return [self.tickets, self.ticket_events, self.appointments, self.records,
                self.invites, self.answers, self.counter_events, self.line_days]  # fmt: skip

    def sync(self) -> None:
        for ids in self.ids.values():
            ids.sync()

    def pending(self) -> int:
        return sum(len(table.rows) for table in self.tables())

    def batch(self) -> list[tuple[Table, list[tuple]]]:
        return [(table, table.detach()) for table in self.tables()]


# --- the command's entry point ------------------------------------------------------------------


def _existing(centers: list[Center], start: dt.date, end: dt.date) -> Q:
    return Q(center__in=centers, business_date__gte=start, business_date__lte=end)


def clear(centers: list[Center], start: dt.date, end: dt.date) -> None:
    """Remove the queue, transactions, appointments, surveys and counter events of these
    centers in the window, so the history can be written again."""
    using = connection.alias
    tickets = Ticket.objects.filter(_existing(centers, start, end))
    first = dt.datetime.combine(start, dt.time(), UTC) - dt.timedelta(days=1)
    last = dt.datetime.combine(end, dt.time(), UTC) + dt.timedelta(days=2)
    records = TransactionRecord.objects.filter(
        Q(ticket__in=tickets) | Q(center__in=centers, ended_at__gte=first, ended_at__lt=last)
    )
    with transaction.atomic():
        SurveyAnswer.objects.filter(invite__record__in=records)._raw_delete(using)
        SurveyInvite.objects.filter(record__in=records)._raw_delete(using)
        records._raw_delete(using)
        Appointment.objects.filter(
            Q(ticket__in=tickets) | Q(center__in=centers, start__gte=first, start__lt=last)
        )._raw_delete(using)
        TicketEvent.objects.filter(ticket__in=tickets)._raw_delete(using)
        tickets.update(transferred_from=None)
        tickets._raw_delete(using)
        LineDay.objects.filter(
            line__center__in=centers, business_date__gte=start, business_date__lte=end
        )._raw_delete(using)
        CounterEvent.objects.filter(
            counter__center__in=centers, at__gte=first, at__lt=last
        )._raw_delete(using)


def _simulate_days(
    world: World, writer: Writer, center: Center, first: dt.date, stop: dt.date
) -> None:
    day = first
    while day < stop:
        DayBuilder(world, writer, center, day).run()
        day += dt.timedelta(days=1)


def generate(
    *,
    months: int,
    scale: float,
    seed: int,
    end: dt.date,
    replace: bool = False,
    rebuild_rollups: bool = True,
    progress: Callable[[str], None] | None = None,
) -> HistoryReport:
    """Write the demo history of every active center for `months` whole months before the
    month of `end` and that month up to `end` (inclusive)."""
    if not 0 <= months <= 36:
        raise InvalidInput(gettext("Choose from 0 to 36 months."))
    if not 0 < scale <= 100:
        raise InvalidInput(gettext("Choose a scale above 0 and at most 100."))
    started = time.monotonic()
    start, end = window(months, end)
    say = progress or (lambda _msg: None)
    centers = list(Center.objects.active().order_by("pk"))
    if Ticket.objects.filter(_existing(centers, start, end)).exists():
        if not replace:
            raise Conflict(
                gettext(
                    "The centers already have tickets between %(start)s and %(end)s; use "
                    "--replace to write the history again."
                )
                % {"start": start, "end": end}
            )
        say("removing the previous history of the window")
        clear(centers, start, end)
    world = World(seed=seed, scale=scale, start=start, end=end)
    hired = world.hire()
    say(f"{world.employees} employees ({hired} new)")
    tz = world.centers[0].tz
    cutoff = int(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz).timestamp())
    writer = Writer(cutoff)
    background = BackgroundWriter() if connection.vendor == "postgresql" else None
    month_start = start
    try:
        while month_start <= end:
            month_end = min(
                (month_start.replace(day=1) + dt.timedelta(days=32)).replace(day=1),
                end + dt.timedelta(days=1),
            )
            for center in world.centers:
                if background is not None:
                    day = month_start
                    while day < month_end:
                        DayBuilder(world, writer, center, day).run()
                        day += dt.timedelta(days=1)
                        if writer.pending() >= BATCH_ROWS or day == month_end:
                            background.put(writer.batch())
                else:  # SQLite: ids are read inside the write transaction
                    with transaction.atomic():
                        writer.sync()
                        _simulate_days(world, writer, center, month_start, month_end)
                        _write_batch(writer.batch())
            say(
                f"{month_start:%Y-%m}: {writer.records.written:,} services so far, "
                f"{peak_memory_mb():.0f} MB peak"
            )
            month_start = month_end
    finally:
        if background is not None:
            background.close()
    memo.clear_all()
    written = time.monotonic()
    if rebuild_rollups:
        from oneroof.insights.rollups import rebuild

        say("rebuilding the roll-ups")
        # Through the day after the last: a desk open until 24:00 serves past midnight.
        rebuild(start, end + dt.timedelta(days=2))
    rows = {
        "employees": world.employees,
        "tickets": writer.tickets.written,
        "ticket events": writer.ticket_events.written,
        "services delivered": writer.records.written,
        "appointments": writer.appointments.written,
        "survey invitations": writer.invites.written,
        "survey answers": writer.answers.written,
        "counter events": writer.counter_events.written,
    }
    return HistoryReport(
        start=start,
        end=end,
        rows=rows,
        seconds=time.monotonic() - started,
        rollup_seconds=time.monotonic() - written,
        peak_memory_mb=peak_memory_mb(),
    )
