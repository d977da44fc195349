"""The command center on a real country's half-year: generate the demo history, then time
the command center's KPI queries over all centers against a naive GROUP BY over raw rows.

    .venv/bin/python bench/insights.py OUT.json [--scale 1] [--months 6] [--repeats 40]
                                        [--end YYYY-MM-DD] [--skip-generate]

`--months` whole months of history ending with the month before this one (or with the
month of `--end`, the history's last day).

Runs against the database of DATABASE_URL (migrated, with `load_demo`; for PostgreSQL a
database of its own). Steps:

1. `generate_history` (as the command runs it): wall time, roll-up rebuild time, peak
   memory (the process's maximum resident set), rows written.
2. The command center's reads for the six whole months before the end's month, over every
   center, through `insights.selectors` as a page or the API calls them: totals; by center;
   by agency; per month. Each timed `repeats` times after a warm-up: p50, p95, max.
3. The reference: the same figures (services delivered, average and 90th-percentile wait,
   average handling, arrivals and no-shows, satisfaction mean; by center, by agency, per
   month) computed with plain GROUP BY queries over tickets, transaction records and survey
   answers. It checks that both give the same counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import time


def _timed(fn, repeats: int) -> dict:
    fn()  # warm-up
    timings = []
    for _i in range(repeats):
        t0 = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return {
        "repeats": repeats,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
        "max_ms": round(timings[-1], 1),
    }


NAIVE = {
    # Services delivered, waits and handling by center, from the records.
    "records_by_center": """
        SELECT r.center_id, COUNT(*),
               AVG(r.wait_seconds) FILTER (WHERE t.transferred_from_id IS NULL),
               PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY r.wait_seconds)
                   FILTER (WHERE t.transferred_from_id IS NULL),
               AVG(r.handling_seconds)
        FROM transactions_transactionrecord r
        LEFT JOIN queueing_ticket t ON t.id = r.ticket_id
        WHERE r.center_id IS NOT NULL AND r.ended_at >= %(low)s AND r.ended_at < %(high)s
        GROUP BY r.center_id""",
    "records_by_agency": """
        SELECT r.agency_id, COUNT(*),
               AVG(r.wait_seconds) FILTER (WHERE t.transferred_from_id IS NULL),
               PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY r.wait_seconds)
                   FILTER (WHERE t.transferred_from_id IS NULL),
               AVG(r.handling_seconds)
        FROM transactions_transactionrecord r
        LEFT JOIN queueing_ticket t ON t.id = r.ticket_id
        WHERE r.center_id IS NOT NULL AND r.ended_at >= %(low)s AND r.ended_at < %(high)s
        GROUP BY r.agency_id""",
    "records_by_month": """
        SELECT date_trunc('month', r.ended_at AT TIME ZONE 'Asia/Qatar'), COUNT(*),
               AVG(r.wait_seconds), AVG(r.handling_seconds)
        FROM transactions_transactionrecord r
        WHERE r.center_id IS NOT NULL AND r.ended_at >= %(low)s AND r.ended_at < %(high)s
        GROUP BY 1""",
    "tickets_by_center": """
        SELECT center_id, COUNT(*), COUNT(*) FILTER (WHERE status = 'no_show')
        FROM queueing_ticket WHERE issued_at >= %(low)s AND issued_at < %(high)s
        GROUP BY center_id""",
    "answers_by_center": """
        SELECT center_id, COUNT(*), AVG(overall)
        FROM feedback_surveyanswer WHERE answered_at >= %(low)s AND answered_at < %(high)s
        GROUP BY center_id""",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--naive-repeats", type=int, default=5)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--skip-generate", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneroof.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from oneroof.insights.selectors import KpiFilter, kpi_breakdown, kpi_series, kpis
    from oneroof.queueing.models import Ticket, TicketEvent
    from oneroof.transactions.models import TransactionRecord

    # `months` whole months, the last one the month before this one (or ending at --end).
    end = args.end or timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    result: dict = {
        "vendor": connection.vendor,
        "scale": args.scale,
        "months": args.months,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "cores": os.cpu_count(),
        "loadavg_at_start": os.getloadavg()[0],
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            result["database_version"] = cursor.fetchone()[0].split()[0]
    if not args.skip_generate:
        from oneroof.insights.actions import history_generate

        t0 = time.monotonic()
        month_complete = (end + dt.timedelta(days=1)).day == 1
        report = history_generate(
            months=args.months - 1 if month_complete else args.months,
            scale=args.scale,
            seed=1,
            end=end,
            progress=lambda msg: print(f"    {msg}", flush=True),
        )
        result.update(
            generate_seconds=round(time.monotonic() - t0, 1),
            rollup_seconds=round(report.rollup_seconds, 1),
            peak_memory_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            rows=report.rows,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # The half-year: the six whole months up to the last one complete by `end`.
    last = end.replace(day=1)
    if (end + dt.timedelta(days=1)).day == 1:
        last = end + dt.timedelta(days=1)
    first = last
    for _i in range(6):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    result["generated"] = {"end": str(end), "months": args.months}
    tz = timezone.get_default_timezone()
    low = dt.datetime.combine(first, dt.time(), tz)
    high = dt.datetime.combine(last, dt.time(), tz)
    result["period"] = {"from": str(first), "to": str(last)}
    result["raw_rows"] = {
        "tickets": Ticket.objects.count(),
        "ticket_events": TicketEvent.objects.count(),
        "records": TransactionRecord.objects.count(),
        "records_in_period": TransactionRecord.objects.filter(
            ended_at__gte=low, ended_at__lt=high
        ).count(),
    }
    everything = KpiFilter()

    def totals():
        return kpis(filt=everything, start=first, end=last)

    def by_center():
        return kpi_breakdown(filt=everything, start=first, end=last, by="center")

    def by_agency():
        return kpi_breakdown(filt=everything, start=first, end=last, by="agency")

    def per_month():
        return kpi_series(filt=everything, start=first, end=last, granularity="month")

    def page():
        return totals(), by_center(), by_agency(), per_month()

    queries = {
        "totals": totals,
        "by_center": by_center,
        "by_agency": by_agency,
        "per_month": per_month,
        "command_center": page,
    }
    result["rollups"] = {name: _timed(fn, args.repeats) for name, fn in queries.items()}
    print(f"    roll-ups: {result['rollups']['command_center']}", flush=True)

    if connection.vendor == "postgresql":
        params = {"low": low, "high": high}

        def naive():
            out = {}
            with connection.cursor() as cursor:
                for name, sql in NAIVE.items():
                    cursor.execute(sql, params)
                    out[name] = cursor.fetchall()
            return out

        result["naive"] = _timed(naive, args.naive_repeats)
        result["ratio_p50"] = round(
            result["naive"]["p50_ms"] / result["rollups"]["command_center"]["p50_ms"], 1
        )
        # Both must give the same figures.
        rows = naive()
        from_raw = {center: n for center, n, *_rest in rows["records_by_center"]}
        from_rollups = {r.key: r.kpis.served for r in by_center()}
        arrivals_raw = sum(n for _c, n, _ns in rows["tickets_by_center"])
        result["same_figures"] = from_raw == from_rollups and arrivals_raw == totals().arrivals
        print(f"    naive GROUP BY: {result['naive']}", flush=True)
    served = totals().served
    result["served_in_period"] = served
    result["served_per_month"] = {str(p.start): p.kpis.served for p in per_month()}
    result["loadavg_at_end"] = os.getloadavg()[0]
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1)
    print(json.dumps({k: v for k, v in result.items() if k != "rollups"}))


if __name__ == "__main__":
    main()
