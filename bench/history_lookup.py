"""A visitor's history by phone with millions of records in the database: the latency of one
lookup by an employee, audit entry included, as the counter console and
`GET /api/v1/visitors/{phone}/transactions` make it.

    .venv/bin/python bench/history_lookup.py OUT.json [RECORDS] [LOOKUPS] [ROUNDS]

Runs against the database of DATABASE_URL (already migrated, with `load_demo`) in the
environment bench/run.sh sets (ONEROOF_DEBUG=false, a secret key). Empties the records and
the access audit, then writes RECORDS records (2,000,000 by default) with COPY on PostgreSQL
(batched INSERTs elsewhere): visitors with 1 to 20 records each (fewer more often), mostly
at one home center, services as each center hosts them, spread over the retention period
in the order they would have been written. Then ROUNDS rounds (3) of LOOKUPS lookups (300)
of distinct visitors by employee.rayyan, alternately
- through `transactions.actions.history_view`, the function the API and the console call
  (permission, sharing policies, the records, the audit entry), and
- through the API with the employee's bearer key, in this process (`django.test.Client`:
  Django's full handler, middleware, authentication and the response's serialisation).
Writes p50/p95/max in milliseconds per path and round, the SQL statements of one lookup and
the plan of the records query. Records already written by an earlier run with the same
RECORDS are reused."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from array import array
from decimal import Decimal

USERNAME = "employee.rayyan"
REASON = "Benchmark: history lookup"
MAX_PER_PHONE = 20
HOME_SHARE = 0.8  # of a visitor's records at their home center
COLUMNS = [
    "created_at",
    "updated_at",
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
    "fee_charged",
    "notes",
    "idempotency_key",
    "agency_id",
    "center_id",
    "service_id",
]
OUTCOMES = [("completed", 85), ("missing_documents", 8), ("referred", 3), ("cancelled", 2)]
OUTCOMES += [("other", 2)]
CHANNELS = [("desk", 90), ("kiosk", 6), ("online", 4)]


def phone_of(i: int) -> str:
    """A distinct, valid Qatari mobile number for visitor i (scattered, not sequential)."""
    return f"+974{'3567'[i % 4]}{(i // 4 * 2654435761) % 10**7:07d}"


def pct(timings: list[float], q: float) -> float:
    ordered = sorted(timings)
    return ordered[int(q * (len(ordered) - 1))]


def summary(timings: list[float]) -> dict:
    return {
        "n": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(pct(timings, 0.95), 2),
        "max_ms": round(max(timings), 2),
    }


def machine(connection) -> dict:
    """When and where this ran: figures of different runs are compared with this."""
    import platform
    import re

    with open("/proc/cpuinfo") as fh:
        model = re.search(r"model name\s*:\s*(.+)", fh.read())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
        else:
            version = connection.Database.sqlite_version
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": model.group(1).strip() if model else platform.machine(),
        "database_version": version,
    }


def generate(records: int, rng: random.Random) -> tuple[array, dict]:
    """Write the records, unless an earlier run with the same seed and size did; returns how
    many records each visitor has, and a description of the data."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from oneroof.centers.models import CenterService
    from oneroof.transactions.models import TransactionRecord

    offered: dict[int, list[tuple[int, int, Decimal]]] = {}
    for center_id, service_id, agency_id, fee in CenterService.objects.order_by(
        "center_id", "service_id"
    ).values_list("center_id", "service_id", "service__agency_id", "service__fee"):
        offered.setdefault(center_id, []).append((service_id, agency_id, fee))
    centers = sorted(offered)
    center_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(centers))]  # a few busy ones
    popularity = {s: rng.paretovariate(1.2) for c in centers for s, _a, _f in offered[c]}
    service_weights = {c: [popularity[s] for s, _a, _f in offered[c]] for c in centers}

    # Visitors: 1..20 records each, each count 0.8 times as likely as the one before.
    counts = array("B")
    total = 0
    per_phone_weights = [0.8**k for k in range(MAX_PER_PHONE)]
    while total < records:
        for n in rng.choices(range(1, MAX_PER_PHONE + 1), per_phone_weights, k=10_000):
            n = min(n, records - total)
            if n == 0:
                break
            counts.append(n)
            total += n
    phones = len(counts)
    days = max(min(settings.ONEROOF_RETENTION_DAYS - 10, 720), 30)
    agencies = {a for c in centers for _s, a, _f in offered[c]}
    described = {
        "records": total,
        "phones": phones,
        "records_per_phone_mean": round(total / phones, 2),
        "phones_with_20": sum(1 for n in counts if n == MAX_PER_PHONE),
        "centers": len(centers),
        "agencies": len(agencies),
        "services": len(popularity),
        "days": days,
    }
    if (
        TransactionRecord.objects.filter(idempotency_key="").count() == total
        and TransactionRecord.objects.filter(phone=phone_of(phones - 1)).count() == counts[-1]
    ):
        return counts, {**described, "reused": True}
    home = array("B", rng.choices(range(len(centers)), center_weights, k=phones))
    # One slot per record, shuffled: records are written in time order, so one visitor's
    # records lie far apart in the table, as they would after months of service.
    slots = array("I", (p for p, n in enumerate(counts) for _ in range(n)))
    rng.shuffle(slots)

    now = timezone.now().replace(microsecond=0)
    first_day = (now - dt.timedelta(days=days)).replace(hour=0, minute=0, second=0)
    outcomes, outcome_w = zip(*OUTCOMES, strict=True)
    channels, channel_w = zip(*CHANNELS, strict=True)

    def rows():
        for i, p in enumerate(slots):
            c = (
                centers[home[p]]
                if rng.random() < HOME_SHARE
                else rng.choices(centers, center_weights)[0]
            )
            service_id, agency_id, fee = rng.choices(offered[c], service_weights[c])[0]
            # 04:30-17:00 UTC is 07:30-20:00 in Doha.
            day = first_day + dt.timedelta(days=i * days // records)
            arrived = day + dt.timedelta(seconds=rng.randrange(16_200, 61_200))
            wait = int(rng.expovariate(1 / 720))
            handling = 60 + int(rng.expovariate(1 / 420))
            called = arrived + dt.timedelta(seconds=wait)
            ended = called + dt.timedelta(seconds=handling)
            outcome = rng.choices(outcomes, outcome_w)[0]
            yield (
                ended,
                ended,
                rng.choices(channels, channel_w)[0],
                phone_of(p),
                f"2{rng.randrange(10**10):010d}" if rng.random() < 0.6 else "",
                arrived,
                called,
                called,
                ended,
                wait,
                handling,
                outcome,
                '["Recent passport photo"]' if outcome == "missing_documents" else "[]",
                fee if outcome == "completed" else Decimal("0"),
                "Asked about the renewal fee." if rng.random() < 0.1 else "",
                "",
                agency_id,
                c,
                service_id,
            )

    table = "transactions_transactionrecord"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table}, transactions_historyaccess CASCADE")
            with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            cursor.execute("DELETE FROM transactions_historyaccess")
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (constant names)
            columns, marks = ", ".join(COLUMNS), ", ".join(["%s"] * len(COLUMNS))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            batch = []
            for row in rows():
                batch.append(row)
                if len(batch) == 5000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
    written = time.perf_counter() - started
    with connection.cursor() as cursor:
        # As autovacuum would have by now: statistics and the visibility map.
        cursor.execute(
            f"VACUUM (ANALYZE) {table}" if connection.vendor == "postgresql" else "ANALYZE"
        )
    return counts, {
        **described,
        "reused": False,
        "write_seconds": round(written, 1),
        "prepare_seconds": round(time.perf_counter() - started, 1),
    }


def main(out: str, records: int, lookups: int, rounds: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneroof.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from oneroof.accounts.actions import api_key_create
    from oneroof.accounts.models import User
    from oneroof.transactions.actions import history_view
    from oneroof.transactions.models import HistoryAccess, TransactionRecord

    counts, data = generate(records, random.Random(5))
    rng = random.Random(6)  # the same visitors are looked up whether the data is new or reused
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('transactions_transactionrecord')")
            data["table_and_indexes_mb"] = round(cursor.fetchone()[0] / 2**20)
    print(json.dumps(data), file=sys.stderr)
    _key, raw_key = api_key_create(user=User.objects.get(username=USERNAME), name="bench")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    errors: list[str] = []
    shown: list[int] = []
    in_sql = {"s": 0.0}  # seconds spent in the database calls of the current lookup
    sql_ms: dict[str, list[float]] = {"selector": [], "api": []}
    cpu_ms: dict[str, list[float]] = {"selector": [], "api": []}  # this process's CPU

    def timed_sql(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_sql["s"] += time.perf_counter() - t

    def by_selector(phone: str, user: User | None = None) -> float:
        user = user or User.objects.get(username=USERNAME)  # a fresh one, as each request has
        in_sql["s"] = 0.0
        t0, c0 = time.perf_counter(), time.process_time()
        rows = history_view(user=user, phone=phone, reason=REASON, ip="127.0.0.1")
        elapsed = time.perf_counter() - t0
        cpu_ms["selector"].append((time.process_time() - c0) * 1000)
        shown.append(len(rows))
        sql_ms["selector"].append(in_sql["s"] * 1000)
        return elapsed * 1000

    def by_api(phone: str) -> float:
        in_sql["s"] = 0.0
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(f"/api/v1/visitors/{phone}/transactions", {"reason": REASON})
        elapsed = time.perf_counter() - t0
        cpu_ms["api"].append((time.process_time() - c0) * 1000)
        if response.status_code != 200:
            errors.append(f"{response.status_code} {response.content[:200]!r}")
        else:
            shown.append(len(response.json()))
        sql_ms["api"].append(in_sql["s"] * 1000)
        return elapsed * 1000

    records_query: list[tuple[str, list]] = []  # the records' SELECT, to explain it later

    def statements(fn, phone: str) -> list[str]:
        seen: list[str] = []

        def capture(execute, sql, params, many, context):
            seen.append(" ".join(sql.split())[:140])
            if "transactions_transactionrecord" in sql.split("FROM")[-1][:40]:
                records_query.append((sql, list(params)))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            fn(phone)
        return seen

    phones = len(counts)
    heavy = [p for p in range(phones) if counts[p] == MAX_PER_PHONE]
    for p in rng.sample(range(phones), 20):  # warm-up: code paths, connection, caches
        by_selector(phone_of(p))
        by_api(phone_of(p))
    user = User.objects.get(username=USERNAME)
    sent = {
        "selector": statements(lambda phone: by_selector(phone, user), phone_of(heavy[0])),
        "api": statements(by_api, phone_of(heavy[1])),
    }
    audit_before = HistoryAccess.objects.count()
    shown.clear()
    for kept in (sql_ms, cpu_ms):
        kept["selector"].clear()
        kept["api"].clear()
    per_round = []
    with connection.execute_wrapper(timed_sql):
        for _ in range(rounds):
            with open("/proc/loadavg") as fh:
                load = float(fh.read().split()[0])
            sample = rng.sample(range(phones), 2 * lookups)
            timings: dict[str, list[float]] = {"selector": [], "api": []}
            for i in range(lookups):  # alternate, so both paths meet the same conditions
                timings["selector"].append(by_selector(phone_of(sample[2 * i])))
                timings["api"].append(by_api(phone_of(sample[2 * i + 1])))
            per_round.append({"loadavg": load, **{path: summary(t) for path, t in timings.items()}})
        in_database = {path: round(statistics.median(t), 2) for path, t in sql_ms.items()}
        in_python = {path: round(statistics.median(t), 2) for path, t in cpu_ms.items()}
        # The worst case the distribution allows: visitors with 20 records.
        worst: dict[str, list[float]] = {"selector": [], "api": []}
        chosen = rng.sample(heavy[3:], min(len(heavy) - 3, 2 * lookups))
        for i, p in enumerate(chosen):
            path = ("selector", "api")[i % 2]
            worst[path].append((by_selector, by_api)[i % 2](phone_of(p)))
    audited = HistoryAccess.objects.count() - audit_before
    looked = rounds * 2 * lookups + sum(len(t) for t in worst.values())

    plan = ""
    if connection.vendor == "postgresql" and records_query:
        # The selector's own statement, for a visitor with 20 records not looked up so far:
        # "read" buffers came from the operating system's cache or the disk.
        query, params = records_query[0]
        params = [phone_of(heavy[2]) if p == phone_of(heavy[0]) else p for p in params]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("SHOW shared_buffers")
            data["shared_buffers"] = cursor.fetchone()[0]

    def med(path: str, key: str) -> float:
        return round(statistics.median(r[path][key] for r in per_round), 2)

    result = {
        "vendor": connection.vendor,
        **machine(connection),
        **data,
        "records_in_db": TransactionRecord.objects.count(),
        "user": USERNAME,
        "lookups_per_round": lookups,
        "rounds": per_round,
        "selector": {k: med("selector", k) for k in ("p50_ms", "p95_ms", "max_ms")},
        "api": {k: med("api", k) for k in ("p50_ms", "p95_ms", "max_ms")},
        "sql_ms_p50": in_database,
        "cpu_ms_p50": in_python,
        "worst_20_records": {path: summary(t) for path, t in worst.items() if t},
        "records_shown_mean": round(statistics.mean(shown), 2) if shown else 0,
        "statements": sent,
        "lookups": looked,
        "audit_entries_written": audited,
        "errors": errors[:5],
        "error_count": len(errors),
        "plan": plan,
    }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1)
    print(json.dumps({k: v for k, v in result.items() if k not in ("plan", "statements")}))


if __name__ == "__main__":
    main(
        sys.argv[1],
        int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000,
        int(sys.argv[3]) if len(sys.argv) > 3 else 300,
        int(sys.argv[4]) if len(sys.argv) > 4 else 3,
    )
