"""Where one queue cycle spends its time: the three API requests (issue, call next,
complete) run in this process, one client, through Django's full handler and middleware
(django.test.Client), against the database in DATABASE_URL.

For each request: wall and CPU milliseconds, SQL statements, channel-layer sends and the
time spent in them; then the top functions of a cProfile of a second pass. Also the bare
reference view, when its tables exist, for the same numbers. Prints one JSON object.

    profile_hotpath.py prepared.json [cycles]"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections import defaultdict


def main(config_path: str, cycles: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneroof.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from oneroof.core import events

    with open(config_path, encoding="utf-8") as fh:
        cfg = json.load(fh)
    employee = cfg["fanout_employee"]
    client = Client(HTTP_HOST="127.0.0.1")
    kiosk = {"HTTP_AUTHORIZATION": f"Bearer {cfg['kiosk_key']}"}
    staff = {"HTTP_AUTHORIZATION": f"Bearer {employee['key']}"}
    issue_url = f"/api/v1/centers/{cfg['center_slug']}/tickets"
    call_url = f"/api/v1/counters/{employee['counter']}/call-next"
    issue_body = json.dumps({"service": cfg["service"], "channel": "kiosk"})
    complete_body = json.dumps({"outcome": "completed"})

    stats: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    sends = {"n": 0, "s": 0.0}
    real_send = events._send_to_channel_layer

    def timed_send(*args):
        t = time.perf_counter()
        real_send(*args)
        sends["n"] += 1
        sends["s"] += time.perf_counter() - t

    events._send_to_channel_layer = timed_send
    queries = {"n": 0}
    statements: dict[str, list[str]] = defaultdict(list)
    current = {"name": "", "capture": False}

    def count(execute, sql, params, many, context):
        queries["n"] += 1
        if current["capture"]:
            statements[current["name"]].append(" ".join(sql.split())[:160])
        return execute(sql, params, many, context)

    def request(name: str, url: str, body: str | None, headers: dict, expect: int):
        sends.update(n=0, s=0.0)
        queries["n"] = 0
        current["name"] = name
        w, c = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            resp = client.post(url, body or "", content_type="application/json", **headers)
        wall, cpu = time.perf_counter() - w, time.process_time() - c
        if resp.status_code != expect:
            raise SystemExit(f"{name}: {resp.status_code} {resp.content[:300]!r}")
        s = stats[name]
        s["n"] += 1
        s["wall_ms"] += wall * 1000
        s["cpu_ms"] += cpu * 1000
        s["queries"] += queries["n"]
        s["channel_sends"] += sends["n"]
        s["channel_send_ms"] += sends["s"] * 1000
        return resp

    def cycle():
        request("issue", issue_url, issue_body, kiosk, 201)
        resp = request("call-next", call_url, None, staff, 200)
        ticket = resp.json()["id"]
        request("complete", f"/api/v1/tickets/{ticket}/complete", complete_body, staff, 200)

    # The fan-out counter may still be open from a run, or not yet: open it (idempotent).
    client.post(
        f"/api/v1/counters/{employee['counter']}/open",
        json.dumps({"services": [cfg["service"]]}),
        content_type="application/json",
        **staff,
    )
    for _ in range(20):  # warm caches, connections, imports
        cycle()
    # The SQL of one cycle, statement by statement (transaction BEGIN/COMMIT are not
    # cursor statements on PostgreSQL and do not show).
    current["capture"] = True
    cycle()
    current["capture"] = False
    stats.clear()
    for _ in range(cycles):
        cycle()
    per_request = {
        name: {k: round(v / s["n"], 2) for k, v in s.items() if k != "n"}
        for name, s in stats.items()
    }
    # A second pass under cProfile (slower) for where the time goes.
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(max(cycles // 2, 10)):
        cycle()
    profiler.disable()
    cumulative, own, ours = io.StringIO(), io.StringIO(), io.StringIO()
    pstats.Stats(profiler, stream=cumulative).sort_stats("cumulative").print_stats(60)
    pstats.Stats(profiler, stream=ours).sort_stats("cumulative").print_stats(r"/oneroof/", 50)
    pstats.Stats(profiler, stream=own).sort_stats("tottime").print_stats(30)
    events._send_to_channel_layer = real_send
    return {
        "cycles": cycles,
        "database": connection.vendor,
        "channel_layer": django.conf.settings.CHANNEL_LAYERS["default"]["BACKEND"],
        "per_request": per_request,
        "sql_of_one_cycle": statements,
        "cprofile_cumulative": cumulative.getvalue(),
        "cprofile_own": own.getvalue(),
        "cprofile_oneroof": ours.getvalue(),
    }


if __name__ == "__main__":
    result = main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200)
    print(json.dumps(result))
