"""Display-board fan-out: N websocket clients on /ws/board/<center id>/ of an ASGI server,
then "call next" through the HTTP API, repeatedly; the latency of a call is the time from
sending the call request to each client receiving its `ticket.called` event.

    fanout.py --ws ws://127.0.0.1:8303 --http http://127.0.0.1:8301 --config prepared.json \
        --clients 500 --rounds 3 --calls 20

Before each call a ticket is issued (kiosk key) so someone waits; after it the called
ticket is completed. Events are matched to the call by the ticket id the call returns.
Prints one JSON object: per round p50/p95/max over every (call, client) delivery, the
deliveries missing after 5 s, and the call request's own latency."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from collections import defaultdict

import aiohttp
from websockets.asyncio.client import connect

WAIT_FOR_DELIVERY = 5.0


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5)) - 1
    return ordered[min(rank, len(ordered) - 1)]


class Board:
    """Arrival times of `ticket.called` events, per ticket, over all clients."""

    def __init__(self, clients: int) -> None:
        self.clients = clients
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.complete: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.other_messages = 0

    def received(self, raw: str | bytes) -> None:
        now = time.perf_counter()
        message = json.loads(raw)
        if message.get("event") != "ticket.called":
            self.other_messages += 1
            return
        ticket = message["payload"]["ticket"]
        arrivals = self.arrivals[ticket]
        arrivals.append(now)
        if len(arrivals) >= self.clients:
            self.complete[ticket].set()


async def watch(url: str, origin: str, board: Board, ready: asyncio.Queue) -> None:
    try:
        async with connect(url, origin=origin, ping_interval=None, open_timeout=30) as ws:
            await ready.put(True)
            async for raw in ws:
                board.received(raw)
    except Exception as exc:  # a failed client is counted, not fatal
        await ready.put(repr(exc))


async def post(session: aiohttp.ClientSession, url: str, key: str, body: dict | None):
    headers = {"Authorization": f"Bearer {key}"}
    async with session.post(url, json=body, headers=headers) as resp:
        return resp.status, await resp.read()


async def run(args: argparse.Namespace) -> dict:
    with open(args.config, encoding="utf-8") as fh:
        cfg = json.load(fh)
    employee = cfg["fanout_employee"]
    board = Board(args.clients)
    ws_url = f"{args.ws}/ws/board/{cfg['center_id']}/"
    origin = args.ws.replace("ws://", "http://")
    ready: asyncio.Queue = asyncio.Queue()
    watchers = []
    outcomes = []
    connect_started = time.perf_counter()
    for first in range(0, args.clients, 50):  # connect in batches of 50
        batch = min(50, args.clients - first)
        watchers += [asyncio.create_task(watch(ws_url, origin, board, ready)) for _ in range(batch)]
        outcomes += [await ready.get() for _ in range(batch)]
    connect_seconds = time.perf_counter() - connect_started
    failures = [o for o in outcomes if o is not True]
    board.clients = args.clients - len(failures)

    issue_url = f"{args.http}/api/v1/centers/{cfg['center_slug']}/tickets"
    call_url = f"{args.http}/api/v1/counters/{employee['counter']}/call-next"
    rounds = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        status, body = await post(
            session,
            f"{args.http}/api/v1/counters/{employee['counter']}/open",
            employee["key"],
            {"services": [cfg["service"]]},
        )
        if status != 200:
            raise SystemExit(f"opening the fan-out counter: {status} {body[:300]!r}")

        async def one_call() -> tuple[list[float], int, float]:
            ticket_in = {"service": cfg["service"], "channel": "kiosk"}
            status, body = await post(session, issue_url, cfg["kiosk_key"], ticket_in)
            if status != 201:
                raise SystemExit(f"issue: {status} {body[:300]!r}")
            await asyncio.sleep(0.05)
            sent = time.perf_counter()
            status, body = await post(session, call_url, employee["key"], None)
            answered = time.perf_counter()
            if status != 200:
                raise SystemExit(f"call-next: {status} {body[:300]!r}")
            ticket = json.loads(body)["id"]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(board.complete[ticket].wait(), WAIT_FOR_DELIVERY)
            latencies = [(t - sent) * 1000 for t in board.arrivals[ticket]]
            status, body = await post(
                session,
                f"{args.http}/api/v1/tickets/{ticket}/complete",
                employee["key"],
                {"outcome": "completed"},
            )
            if status != 200:
                raise SystemExit(f"complete: {status} {body[:300]!r}")
            await asyncio.sleep(0.1)
            return latencies, board.clients - len(latencies), (answered - sent) * 1000

        for _ in range(2):  # warm-up calls, not counted
            await one_call()
        for _ in range(args.rounds):
            deliveries: list[float] = []
            missing = 0
            call_ms: list[float] = []
            per_call_max: list[float] = []
            for _ in range(args.calls):
                latencies, lost, answered_ms = await one_call()
                deliveries += latencies
                missing += lost
                call_ms.append(answered_ms)
                per_call_max.append(max(latencies) if latencies else WAIT_FOR_DELIVERY * 1000)
            rounds.append(
                {
                    "calls": args.calls,
                    "deliveries": len(deliveries),
                    "missing": missing,
                    "p50_ms": pct(deliveries, 50),
                    "p95_ms": pct(deliveries, 95),
                    "max_ms": max(deliveries) if deliveries else None,
                    "last_client_p50_ms": pct(per_call_max, 50),
                    "call_request_p50_ms": pct(call_ms, 50),
                }
            )
    for task in watchers:
        task.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)
    return {
        "clients": args.clients,
        "connected": board.clients,
        "connect_failures": failures[:5],
        "connect_seconds": connect_seconds,
        "rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ws", required=True, help="e.g. ws://127.0.0.1:8303")
    parser.add_argument("--http", required=True, help="where to call next, e.g. http://...")
    parser.add_argument("--config", required=True)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
