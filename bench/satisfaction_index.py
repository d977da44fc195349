"""The satisfaction index of one center over a year, with hundreds of thousands of survey
answers in the database, as `GET /api/v1/satisfaction?center=&from=&to=` computes it.

    .venv/bin/python bench/satisfaction_index.py OUT.json [ANSWERS] [REPEATS] [ROUNDS]

Runs against the database of DATABASE_URL (already migrated, with `load_demo`) in the
environment bench/run.sh sets (ONEROOF_DEBUG=false, a secret key). Replaces the survey
invitations and answers with ANSWERS answers (500,000 by default), each with its
invitation and its transaction record, written with COPY on PostgreSQL (batched INSERTs
elsewhere): services as each center hosts them, a few busy centers (Al Rayyan the busiest),
scores mostly 4-5, over the last 365 days in the order they would have been written. Then
ROUNDS rounds (3) of REPEATS (40) indices of Al Rayyan over that year, alternately
- through `feedback.selectors.satisfaction_index`, as the API calls it, and
- through the API with supervisor.rayyan's bearer key, in this process
  (`django.test.Client`: Django's full handler, middleware and authentication),
and, for context, the index of every center together over the same year. Writes
p50/p95/max in milliseconds per path and round, and the plan of the query. Answers already
written by an earlier run with the same ANSWERS are reused."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time

CENTER = "al-rayyan"
USERNAME = "supervisor.rayyan"
MARK = "survey-bench-"  # idempotency key of the records this benchmark writes
OVERALL = [(5, 45), (4, 25), (3, 12), (2, 8), (1, 10)]
COMMENTS = ["Quick and polite.", "Waited too long.", "The staff explained everything."]
COMMENTS += ["I had to come back for a missing paper."]
RECORD_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "channel",
    "phone",
    "national_id",
    "ended_at",
    "outcome",
    "missing_documents",
    "fee_charged",
    "notes",
    "idempotency_key",
    "agency_id",
    "center_id",
    "service_id",
]
INVITE_COLUMNS = [
    "id",
    "token",
    "phone",
    "lang",
    "created_at",
    "due_at",
    "sent_at",
    "expires_at",
    "answered_at",
    "record_id",
]
ANSWER_COLUMNS = [
    "overall",
    "waiting",
    "courtesy",
    "one_visit",
    "comment",
    "answered_at",
    "agency_id",
    "center_id",
    "service_id",
    "invite_id",
    "version_id",
]


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


def write(cursor, vendor: str, table: str, columns: list[str], rows) -> None:
    if vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    names, marks = ", ".join(columns), ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (constant names)
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == 5000:
            cursor.executemany(sql, batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)


def generate(answers: int, rng: random.Random) -> dict:
    """Write the answers, unless an earlier run of the same size did."""
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from oneroof.centers.models import Center, CenterService
    from oneroof.feedback.models import SurveyAnswer, SurveyInvite, SurveyVersion
    from oneroof.transactions.models import TransactionRecord

    offered: dict[int, list[tuple[int, int]]] = {}
    for center_id, service_id, agency_id in CenterService.objects.order_by(
        "center_id", "service_id"
    ).values_list("center_id", "service_id", "service__agency_id"):
        offered.setdefault(center_id, []).append((service_id, agency_id))
    busiest = Center.objects.get(slug=CENTER).pk
    centers = [busiest, *sorted(c for c in offered if c != busiest)]
    center_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(centers))]
    popularity = {s: rng.paretovariate(1.2) for c in centers for s, _a in offered[c]}
    service_weights = {c: [popularity[s] for s, _a in offered[c]] for c in centers}
    described = {"answers": answers, "centers": len(centers), "services": len(popularity)}
    if (
        SurveyAnswer.objects.count() == answers
        and SurveyInvite.objects.filter(token=f"{MARK}{answers - 1}").exists()
    ):
        return {**described, "reused": True}

    started = time.perf_counter()
    version = SurveyVersion.objects.get(is_active=True).pk
    table = TransactionRecord._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE feedback_surveyanswer, feedback_surveyinvite")
        else:
            cursor.execute("DELETE FROM feedback_surveyanswer")
            cursor.execute("DELETE FROM feedback_surveyinvite")
        # The records of an earlier run (their invitations and answers are gone).
        sql = f"DELETE FROM {table} WHERE idempotency_key LIKE %s"  # noqa: S608 (constant)
        cursor.execute(sql, [f"{MARK}%"])
    first_record = (TransactionRecord.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    first_invite = (SurveyInvite.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    now = timezone.now().replace(microsecond=0)
    start = now - dt.timedelta(days=365)
    span = (now - dt.timedelta(days=2) - start).total_seconds()
    scores, score_w = zip(*OVERALL, strict=True)
    drawn = []  # (ended, center, service, agency, phone), in time order
    for i in range(answers):
        c = rng.choices(centers, center_weights)[0]
        service_id, agency_id = rng.choices(offered[c], service_weights[c])[0]
        ended = start + dt.timedelta(seconds=int(span * i / answers) + rng.randrange(600))
        phone = f"+974{'3567'[i % 4]}{rng.randrange(10**7):07d}"
        drawn.append((ended, c, service_id, agency_id, phone))

    def records():
        for i, (ended, c, service_id, agency_id, phone) in enumerate(drawn):
            yield (
                first_record + i,
                ended,
                ended,
                "desk",
                phone,
                "",
                ended,
                "completed",
                "[]",
                "0",
                "",
                f"{MARK}{i}",
                agency_id,
                c,
                service_id,
            )

    def invites():
        for i, (ended, _c, _s, _a, phone) in enumerate(drawn):
            due = ended + dt.timedelta(minutes=10)
            answered = min(due + dt.timedelta(seconds=int(rng.expovariate(1 / 5400))), now)
            yield (
                first_invite + i,
                f"{MARK}{i}",
                phone,
                "ar" if rng.random() < 0.7 else "en",
                ended,
                due,
                due,
                due + dt.timedelta(days=7),
                answered,
                first_record + i,
            )

    def answer_rows():
        for i, (ended, c, service_id, agency_id, _p) in enumerate(drawn):
            overall = rng.choices(scores, score_w)[0]
            near = [max(1, min(5, overall + d)) for d in (-1, 0, 0, 1)]
            answered = min(ended + dt.timedelta(minutes=10 + rng.randrange(240)), now)
            yield (
                overall,
                rng.choice(near),
                rng.choice(near),
                overall >= 3 or rng.random() < 0.5,
                rng.choice(COMMENTS) if rng.random() < 0.15 else "",
                answered,
                agency_id,
                c,
                service_id,
                first_invite + i,
                version,
            )

    vendor = connection.vendor
    with connection.cursor() as cursor:
        write(cursor, vendor, table, RECORD_COLUMNS, records())
        write(cursor, vendor, "feedback_surveyinvite", INVITE_COLUMNS, invites())
        write(cursor, vendor, "feedback_surveyanswer", ANSWER_COLUMNS, answer_rows())
        if vendor == "postgresql":
            for model in (TransactionRecord, SurveyInvite):
                db_table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{db_table}', 'id'),"  # noqa: S608
                    f" (SELECT max(id) FROM {db_table}))"
                )
    written = time.perf_counter() - started
    with connection.cursor() as cursor:
        # As autovacuum would have by now: statistics and the visibility map.
        for model in (TransactionRecord, SurveyInvite, SurveyAnswer):
            cursor.execute(
                f"VACUUM (ANALYZE) {model._meta.db_table}" if vendor == "postgresql" else "ANALYZE"
            )
    return {
        **described,
        "reused": False,
        "write_seconds": round(written, 1),
        "prepare_seconds": round(time.perf_counter() - started, 1),
    }


def main(out: str, answers: int, repeats: int, rounds: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneroof.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from oneroof.accounts.actions import api_key_create
    from oneroof.accounts.models import User
    from oneroof.centers.models import Center
    from oneroof.feedback.models import SurveyAnswer
    from oneroof.feedback.selectors import satisfaction_index

    data = generate(answers, random.Random(10))
    print(json.dumps(data), file=sys.stderr)
    center = Center.objects.get(slug=CENTER)
    # A year of whole days, as the API takes them ("to" is exclusive).
    last = timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=1)
    first = last - dt.timedelta(days=365)
    start = dt.datetime.combine(first, dt.time(), dt.UTC)
    end = dt.datetime.combine(last, dt.time(), dt.UTC)
    _key, raw_key = api_key_create(user=User.objects.get(username=USERNAME), name="bench")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    params = {"center": CENTER, "from": first.isoformat(), "to": last.isoformat()}
    errors: list[str] = []

    def by_selector(center_id: int | None) -> tuple[float, dict]:
        t0 = time.perf_counter()
        index = satisfaction_index(center_id=center_id, start=start, end=end)
        return (time.perf_counter() - t0) * 1000, index.__dict__

    def by_api() -> tuple[float, dict]:
        t0 = time.perf_counter()
        response = client.get("/api/v1/satisfaction", params)
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            errors.append(f"{response.status_code} {response.content[:200]!r}")
            return elapsed, {}
        return elapsed, response.json()

    for _ in range(3):  # warm-up
        by_selector(center.pk)
        by_api()
    index = by_selector(center.pk)[1]
    if by_api()[1] != index:
        errors.append(f"the API's index differs from the selector's: {by_api()[1]} {index}")
    per_round, everywhere = [], []
    for _ in range(rounds):
        with open("/proc/loadavg") as fh:
            load = float(fh.read().split()[0])
        timings: dict[str, list[float]] = {"selector": [], "api": []}
        for _ in range(repeats):  # alternate, so both paths meet the same conditions
            timings["selector"].append(by_selector(center.pk)[0])
            timings["api"].append(by_api()[0])
        everywhere += [by_selector(None)[0] for _ in range(max(repeats // 4, 3))]
        per_round.append({"loadavg": load, **{path: summary(t) for path, t in timings.items()}})

    plan = ""
    if connection.vendor == "postgresql":  # the selector's own statement, explained
        seen: list[tuple[str, tuple]] = []

        def capture(execute, sql, params, many, context):
            seen.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            satisfaction_index(center_id=center.pk, start=start, end=end)
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {seen[-1][0]}", seen[-1][1])
            plan = "\n".join(r[0] for r in cursor.fetchall())

    def med(path: str, key: str) -> float:
        return round(statistics.median(r[path][key] for r in per_round), 2)

    result = {
        "vendor": connection.vendor,
        **machine(connection),
        **data,
        "answers_in_db": SurveyAnswer.objects.count(),
        "center": CENTER,
        "center_answers_in_year": index["responses"],
        "index": index,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "user": USERNAME,
        "repeats_per_round": repeats,
        "rounds": per_round,
        "selector": {k: med("selector", k) for k in ("p50_ms", "p95_ms", "max_ms")},
        "api": {k: med("api", k) for k in ("p50_ms", "p95_ms", "max_ms")},
        "all_centers": summary(everywhere),
        "all_centers_answers_in_year": by_selector(None)[1]["responses"],
        "errors": errors[:5],
        "error_count": len(errors),
        "plan": plan,
    }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1)
    print(json.dumps({k: v for k, v in result.items() if k != "plan"}))


if __name__ == "__main__":
    main(
        sys.argv[1],
        int(sys.argv[2]) if len(sys.argv) > 2 else 500_000,
        int(sys.argv[3]) if len(sys.argv) > 3 else 40,
        int(sys.argv[4]) if len(sys.argv) > 4 else 3,
    )
