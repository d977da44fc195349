"""HTTP load generator of the throughput benchmark (asyncio + aiohttp, one keep-alive
connection per client).

    load.py open      --base URL --config prepared.json
    load.py preflight --base URL --config prepared.json [--ticket ID]
    load.py oneroof   --base URL --config prepared.json --clients 16 --warmup 3 --duration 20
    load.py issue     --base URL --config prepared.json --clients 16 --warmup 3 --duration 20
    load.py reference --base URL --clients 16 --warmup 3 --duration 20

`open` opens each client's counter through the API; `preflight` runs one cycle at the
fan-out counter and says whether completing worked. `oneroof` runs the queue cycle in each
client: issue a ticket (kiosk key, channel "kiosk") -> call next at the client's counter ->
complete the called ticket. `issue` only takes tickets, round the center's other lines.
`reference` posts to the bare endpoint. Requests finishing
during the warm-up are not counted; after the measured window each client finishes its
cycle, so no visitor is left at a counter. Prints one JSON object."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter, defaultdict

import aiohttp


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of `values` (milliseconds in, milliseconds out)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5)) - 1
    return ordered[min(rank, len(ordered) - 1)]


class Recorder:
    def __init__(self, t0: float, t1: float) -> None:
        self.t0, self.t1 = t0, t1
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: Counter[str] = Counter()
        self.cycles = 0
        self.empty_calls = 0
        self.called: list[str] = []

    def in_window(self, t: float) -> bool:
        return self.t0 <= t < self.t1

    def request(self, name: str, status: int, started: float, ended: float) -> None:
        if self.in_window(ended):
            self.latency[name].append((ended - started) * 1000)
            self.status[f"{name} {status}"] += 1


async def post(session: aiohttp.ClientSession, url: str, body: bytes | None, headers: dict):
    started = time.perf_counter()
    async with session.post(url, data=body, headers=headers) as resp:
        payload = await resp.read()
        return resp.status, payload, started, time.perf_counter()


def session_for_one_connection() -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=1, ttl_dns_cache=None)
    return aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=60), skip_auto_headers=["Accept"]
    )


async def oneroof_client(base: str, cfg: dict, employee: dict, rec: Recorder) -> None:
    issue_url = f"{base}/api/v1/centers/{cfg['center_slug']}/tickets"
    call_url = f"{base}/api/v1/counters/{employee['counter']}/call-next"
    kiosk = {"Authorization": f"Bearer {cfg['kiosk_key']}", "Content-Type": "application/json"}
    staff = {"Authorization": f"Bearer {employee['key']}", "Content-Type": "application/json"}
    issue_body = json.dumps({"service": cfg["service"], "channel": "kiosk"}).encode()
    complete_body = json.dumps({"outcome": "completed"}).encode()
    async with session_for_one_connection() as session:
        while time.perf_counter() < rec.t1:
            status, _, t0, t1 = await post(session, issue_url, issue_body, kiosk)
            rec.request("issue", status, t0, t1)
            if status != 201:
                await asyncio.sleep(0.05)
                continue
            status, body, t0, t1 = await post(session, call_url, None, staff)
            rec.request("call-next", status, t0, t1)
            if status == 204:
                rec.empty_calls += 1
                continue
            if status != 200:
                await asyncio.sleep(0.05)
                continue
            ticket = json.loads(body)["id"]
            if rec.in_window(t1):
                rec.called.append(ticket)
            url = f"{base}/api/v1/tickets/{ticket}/complete"
            status, _, t0, t1 = await post(session, url, complete_body, staff)
            rec.request("complete", status, t0, t1)
            if status == 200 and rec.in_window(t1):
                rec.cycles += 1


async def issuing_client(base: str, cfg: dict, index: int, rec: Recorder) -> None:
    """Only take tickets, as a kiosk does (what FQM's published rate counts), going round
    the center's other lines."""
    url = f"{base}/api/v1/centers/{cfg['center_slug']}/tickets"
    kiosk = {"Authorization": f"Bearer {cfg['kiosk_key']}", "Content-Type": "application/json"}
    services = cfg.get("issue_services") or [cfg["service"]]
    bodies = [json.dumps({"service": s, "channel": "kiosk"}).encode() for s in services]
    n = index
    async with session_for_one_connection() as session:
        while time.perf_counter() < rec.t1:
            status, _, t0, t1 = await post(session, url, bodies[n % len(bodies)], kiosk)
            n += 1
            rec.request("issue", status, t0, t1)
            if status != 201:
                await asyncio.sleep(0.05)


async def reference_client(base: str, rec: Recorder) -> None:
    url = f"{base}/issue"
    async with session_for_one_connection() as session:
        while time.perf_counter() < rec.t1:
            status, _, t0, t1 = await post(session, url, b"", {})
            rec.request("issue", status, t0, t1)
            if status != 201:
                await asyncio.sleep(0.05)


async def open_counters(base: str, cfg: dict) -> dict:
    body = json.dumps({"services": [cfg["service"]]}).encode()
    result = {}
    async with session_for_one_connection() as session:
        for employee in [*cfg["employees"], cfg["fanout_employee"]]:
            headers = {
                "Authorization": f"Bearer {employee['key']}",
                "Content-Type": "application/json",
            }
            url = f"{base}/api/v1/counters/{employee['counter']}/open"
            status, payload, _, _ = await post(session, url, body, headers)
            if status != 200:
                raise SystemExit(f"opening counter {employee['counter']}: {status} {payload!r}")
            result[employee["counter"]] = json.loads(payload)["status"]
    return result


async def preflight(base: str, cfg: dict, ticket: str | None) -> dict:
    """One cycle at the fan-out counter (or only the completion of `ticket`): does the
    engine complete a called ticket on this database?"""
    employee = cfg["fanout_employee"]
    staff = {"Authorization": f"Bearer {employee['key']}", "Content-Type": "application/json"}
    kiosk = {"Authorization": f"Bearer {cfg['kiosk_key']}", "Content-Type": "application/json"}
    async with session_for_one_connection() as session:
        if ticket is None:
            url = f"{base}/api/v1/centers/{cfg['center_slug']}/tickets"
            body = json.dumps({"service": cfg["service"], "channel": "kiosk"}).encode()
            status, payload, _, _ = await post(session, url, body, kiosk)
            if status != 201:
                return {"step": "issue", "status": status, "body": payload.decode()[:500]}
            url = f"{base}/api/v1/counters/{employee['counter']}/call-next"
            status, payload, _, _ = await post(session, url, None, staff)
            if status != 200:
                return {"step": "call-next", "status": status, "body": payload.decode()[:500]}
            ticket = json.loads(payload)["id"]
        url = f"{base}/api/v1/tickets/{ticket}/complete"
        body = json.dumps({"outcome": "completed"}).encode()
        status, payload, _, _ = await post(session, url, body, staff)
        return {
            "step": "complete",
            "status": status,
            "ticket": ticket,
            "body": payload.decode()[:500],
        }


async def run(args: argparse.Namespace) -> dict:
    cfg = {}
    if args.config:
        with open(args.config, encoding="utf-8") as fh:
            cfg = json.load(fh)
    if args.mode == "open":
        return {"opened": await open_counters(args.base, cfg)}
    if args.mode == "preflight":
        return await preflight(args.base, cfg, args.ticket)
    start = time.perf_counter()
    rec = Recorder(start + args.warmup, start + args.warmup + args.duration)
    if args.mode == "oneroof":
        clients = [oneroof_client(args.base, cfg, e, rec) for e in cfg["employees"][: args.clients]]
    elif args.mode == "issue":
        clients = [issuing_client(args.base, cfg, i, rec) for i in range(args.clients)]
    else:
        clients = [reference_client(args.base, rec) for _ in range(args.clients)]
    await asyncio.gather(*clients)
    seconds = args.duration
    ok = {
        name: sum(n for key, n in rec.status.items() if key.startswith(name + " 2"))
        for name in rec.latency
    }
    everything = [x for values in rec.latency.values() for x in values]
    requests_ok = sum(ok.values())
    result = {
        "mode": args.mode,
        "clients": args.clients,
        "seconds": seconds,
        "requests_per_s": requests_ok / seconds,
        "statuses": dict(sorted(rec.status.items())),
        "errors": sum(n for key, n in rec.status.items() if not key.split()[-1].startswith("2")),
        "latency_ms": {
            name: {"p50": pct(values, 50), "p99": pct(values, 99), "n": len(values)}
            for name, values in [*sorted(rec.latency.items()), ("all", everything)]
        },
    }
    if args.mode == "issue":
        result.update(tickets_issued_per_s=ok.get("issue", 0) / seconds)
    if args.mode == "oneroof":
        dup_calls = sum(n - 1 for n in Counter(rec.called).values() if n > 1)
        result.update(
            cycles_per_s=rec.cycles / seconds,
            tickets_issued_per_s=ok.get("issue", 0) / seconds,
            empty_calls=rec.empty_calls,
            called_twice_seen_by_clients=dup_calls,
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["open", "preflight", "oneroof", "issue", "reference"])
    parser.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8301")
    parser.add_argument("--config", help="JSON written by prepare.py")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--ticket", help="preflight: only complete this called ticket")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
