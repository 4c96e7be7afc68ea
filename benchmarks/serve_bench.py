"""`tracker serve` under load: signed Linear deliveries posted over loopback to a real
`tracker serve` process (uvicorn, one worker) storing into SQLite.

    python benchmarks/serve_bench.py            # 3,000 deliveries per phase
    python benchmarks/serve_bench.py --quick    # 600

Two phases, each a fixed number of deliveries (bounded; loopback only):
- **paced**: an open loop that sends at a fixed rate (default 200/s) whatever the answers
  take, so a slow answer cannot hide by slowing the sender; latency per delivery.
- **flat out**: ``--concurrency`` senders, each posting its next delivery as soon as the last
  is answered: the most the receiver sustains, and its latency at that load.
The mix is what a busy Linear workspace sends: 70 % description saves (each a new exact
revision and two snapshots), 20 % comments, 5 % retries of an earlier delivery (stored once)
and 5 % events tracker does not keep. After each phase the database is checked: every save
and comment stored, nothing twice. Prints a Markdown table; never asserts anything about time.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

SECRET = "bench-linear-webhook-secret-0123456789"
ISSUES = 200


@dataclass(frozen=True, slots=True)
class Delivery:
    body: bytes
    headers: dict[str, str]
    kind: str  # save | comment | retry | ignored


@dataclass(slots=True)
class PhaseResult:
    label: str
    sent: int
    wall: float
    latencies_ms: list[float]
    statuses: dict[int, int]
    saves_stored: int
    saves_sent: int
    comments_stored: int
    comments_sent: int

    @property
    def rate(self) -> float:
        return self.sent / self.wall

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Deliveries:
    """Builds realistic signed deliveries; each save has its own moment, so each is a new
    exact revision. ``webhookTimestamp`` is stamped at sending time, as Linear does."""

    def __init__(self, phase: str) -> None:
        self.phase = phase
        self.seq = 0
        self.texts = dict.fromkeys(range(ISSUES), "## Acceptance Criteria\n- first criterion")
        self.start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        self.sent: list[Delivery] = []

    def next(self) -> Delivery:
        self.seq += 1
        roll = self.seq % 20
        if roll == 19 and self.sent:
            earlier = self.sent[self.seq // 3 % len(self.sent)]
            return Delivery(earlier.body, earlier.headers, "retry")
        if roll == 18:
            return self._sign(
                {"type": "Project", "action": "update", "data": {"id": "p"}}, "ignored"
            )
        if roll in (14, 15, 16, 17):
            return self._sign(self._comment(), "comment")
        return self._sign(self._save(), "save")

    def _save(self) -> dict[str, Any]:
        number = self.seq % ISSUES
        at = self.start + timedelta(seconds=self.seq)
        before = self.texts[number]
        after = f"{before}\n- criterion {self.phase}-{self.seq} added while the sprint ran"
        self.texts[number] = after
        return {
            "action": "update",
            "type": "Issue",
            "actor": {
                "id": "u-priya",
                "name": "Priya Nair",
                "email": "priya@acme.com",
                "type": "user",
            },
            "createdAt": _iso(at),
            "data": {
                "id": f"issue-{self.phase}-{number}",
                "identifier": f"{self.phase.upper()}-{number}",
                "title": f"Issue {number}",
                "description": after,
                "updatedAt": _iso(at),
                "url": f"https://linear.app/acme/issue/ENG-{number}",
            },
            "updatedFrom": {"description": before, "updatedAt": _iso(at - timedelta(seconds=1))},
            "organizationId": "org",
            "webhookId": "hook",
        }

    def _comment(self) -> dict[str, Any]:
        number = self.seq % ISSUES
        at = self.start + timedelta(seconds=self.seq)
        return {
            "action": "create",
            "type": "Comment",
            "actor": {"id": "u-alice", "name": "Alice", "email": "alice@acme.com", "type": "user"},
            "createdAt": _iso(at),
            "data": {
                "id": f"comment-{self.phase}-{self.seq}",
                "body": "What does this cost us? See https://acme.slack.com/archives/C1/p1",
                "createdAt": _iso(at),
                "updatedAt": _iso(at),
                "issueId": f"issue-{self.phase}-{number}",
                "issue": {
                    "id": f"issue-{self.phase}-{number}",
                    "identifier": f"{self.phase.upper()}-{number}",
                },
                "user": {"id": "u-alice", "name": "Alice", "email": "alice@acme.com"},
            },
            "organizationId": "org",
            "webhookId": "hook",
        }

    def _sign(self, payload: dict[str, Any], kind: str) -> Delivery:
        payload["webhookTimestamp"] = int(time.time() * 1000)
        body = json.dumps(payload, separators=(",", ":")).encode()
        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "Linear-Delivery": str(uuid.uuid4()),
            "Linear-Event": str(payload["type"]),
            "Linear-Signature": digest,
        }
        delivery = Delivery(body, headers, kind)
        if kind != "ignored":
            self.sent.append(delivery)
        return delivery


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    (folder / "tracker.toml").write_text(
        'database = "sqlite:///serve.db"\n[[source]]\nname = "eng"\ntype = "linear"\n'
        'token_env = "BENCH_LINEAR_KEY"\nteams = ["ENG"]\n'
        'webhook_secret_env = "BENCH_LINEAR_HOOK"\n'
    )
    port = _free_port()
    env = {
        **os.environ,
        "BENCH_LINEAR_HOOK": SECRET,
        "TRACKER_CONFIG": str(folder / "tracker.toml"),
    }
    env.pop("TRACKER_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", "--port", str(port)],
        cwd=folder,
        env=env,
        stderr=open(folder / "serve.log", "wb"),  # noqa: SIM115 - lives as long as the server
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("tracker serve did not start")


class _Connections:
    """A minimal HTTP/1.1 keep-alive client: the load generator must cost far less CPU than
    the server it measures (a full client such as httpx costs more per request than the
    receiver does, and both share the machine's cores)."""

    def __init__(self, base: str) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened: list[asyncio.StreamWriter] = []

    async def post(self, path: str, delivery: Delivery) -> int:
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in delivery.headers.items()]
        head.append(f"Content-Length: {len(delivery.body)}")
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + delivery.body
        for attempt in range(2):  # an idle connection the server closed (keep-alive): anew
            if self.idle and attempt == 0:
                reader, writer = self.idle.pop()
            else:
                reader, writer = await asyncio.open_connection(self.host, self.port)
                self.opened.append(writer)
            try:
                writer.write(request)
                status_line = await reader.readline()
            except ConnectionError:
                status_line = b""
            if status_line:
                break
        status = int(status_line.split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length:
            await reader.readexactly(length)
        self.idle.append((reader, writer))
        return status

    async def close(self) -> None:
        for writer in self.opened:
            writer.close()


async def _post(connections: _Connections, delivery: Delivery, result: PhaseResult) -> None:
    started = time.perf_counter()
    status = await connections.post("/webhooks/linear/eng", delivery)
    result.latencies_ms.append((time.perf_counter() - started) * 1000)
    result.statuses[status] = result.statuses.get(status, 0) + 1


async def _paced(
    base: str, count: int, rate: float, result: PhaseResult, source: Deliveries
) -> None:
    """An open loop: a delivery is sent on schedule even when earlier ones are still
    unanswered (on a new connection), so a slow answer cannot slow the sender down."""
    connections = _Connections(base)
    tasks = []
    start = time.perf_counter()
    for n in range(count):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_post(connections, source.next(), result)))
    await asyncio.gather(*tasks)
    result.wall = time.perf_counter() - start
    await connections.close()


async def _flat_out(
    base: str, count: int, concurrency: int, result: PhaseResult, source: Deliveries
) -> None:
    connections = _Connections(base)
    remaining = iter(range(count))

    async def sender() -> None:
        for _ in remaining:
            await _post(connections, source.next(), result)

    start = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    result.wall = time.perf_counter() - start
    await connections.close()


def _count(db: Path, phase: str) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        saves = conn.execute(
            "SELECT count(*) FROM revisions WHERE issue_key LIKE ?", (f"{phase.upper()}-%",)
        ).fetchone()[0]
        comments = conn.execute(
            "SELECT count(*) FROM comments WHERE issue_key LIKE ?", (f"{phase.upper()}-%",)
        ).fetchone()[0]
    return int(saves), int(comments)


def run_phase(
    base: str, db: Path, label: str, count: int, *, rate: float, concurrency: int
) -> PhaseResult:
    phase = "paced" if rate else "flat"
    source = Deliveries(phase)
    result = PhaseResult(label, count, 0.0, [], {}, 0, 0, 0, 0)
    if rate:
        asyncio.run(_paced(base, count, rate, result, source))
    else:
        asyncio.run(_flat_out(base, count, concurrency, result, source))
    result.saves_sent = sum(1 for d in source.sent if d.kind == "save")
    result.comments_sent = sum(1 for d in source.sent if d.kind == "comment")
    result.saves_stored, result.comments_stored = _count(db, phase)
    return result


def render(results: list[PhaseResult]) -> str:
    lines = [
        "| phase | deliveries | per second | p50 ms | p95 ms | p99 ms | max ms | answers | stored saves / comments |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        answers = ", ".join(f"{code}: {n:,}" for code, n in sorted(r.statuses.items()))
        stored = f"{r.saves_stored:,}/{r.saves_sent:,} · {r.comments_stored:,}/{r.comments_sent:,}"
        lines.append(
            f"| {r.label} | {r.sent:,} | {r.rate:,.0f} | {statistics.median(r.latencies_ms):.1f} "
            f"| {r.pct(0.95):.1f} | {r.pct(0.99):.1f} | {max(r.latencies_ms):.1f} | {answers} | {stored} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="600 deliveries per phase")
    parser.add_argument("--count", type=int, default=3000, help="deliveries per phase")
    parser.add_argument("--rate", type=float, default=200.0, help="paced phase: deliveries/s")
    parser.add_argument("--concurrency", type=int, default=8, help="flat-out phase: senders")
    args = parser.parse_args(argv)
    count = 600 if args.quick else args.count
    with tempfile.TemporaryDirectory(prefix="tracker-serve-bench-") as tmp:
        folder = Path(tmp)
        process, base = _start_server(folder)
        try:
            results = [
                run_phase(
                    base,
                    folder / "serve.db",
                    f"paced at {args.rate:.0f}/s",
                    count,
                    rate=args.rate,
                    concurrency=0,
                ),
                run_phase(
                    base,
                    folder / "serve.db",
                    f"flat out, {args.concurrency} senders",
                    count,
                    rate=0,
                    concurrency=args.concurrency,
                ),
            ]
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(f"tracker serve, SQLite, loopback; {os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d')}\n")
    print(render(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
