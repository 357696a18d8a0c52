"""Load test of `ptm-triage serve` as shipped: web threads, embedded job threads and the bundled model in
one gunicorn worker process, talking to the HTTP GitHub double that takes `--latency` seconds per answer.

1. Ack latency: signed `issues.opened` deliveries (each a new issue) at fixed offered rates, open loop
   (latency counts from each request's scheduled send time), each rate for `--seconds`, `--rounds` times
   (rates ascending in each round). The sustained rate is the highest offered rate whose median p99 ack,
   and every lower rate's, is <= 20 ms with every delivery answered 202, while the job threads triage in
   the background.
2. Triage throughput: once the inbox has drained, `--burst` deliveries at once; issues triaged per second
   from the first acknowledgement to the last job done (each issue: config read, labels, comment).
3. Memory: the resident set size of every process of the server (gunicorn master and its worker).

`--control` also starts the web app alone (one gunicorn process, `bot.wsgi:create()`, no job threads) and
offers it each rate right after `serve`, in the same round: the difference in p99 is what the job threads
beside the web threads cost, the rest is the machine.

Deliveries rotate over `--installations` installations (one repository each, labels present): write pacing
holds each installation to GITHUB_WRITES_PER_MINUTE (70, two writes per triaged issue), so with one
installation triage could not pass 35 issues a minute, whatever the machine.

    python benchmarks/serve_load.py [--rates 5,10,20,40] [--seconds 10] [--rounds 3] [--burst 200]
                                    [--latency 0.05] [--installations 50]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import AppServer, free_port, issues_payload  # noqa: E402
from tests.support.github_double.process import DoubleProcess  # noqa: E402
from tests.support.github_fixtures import generate_app_key  # noqa: E402
from tests.support.webhook_examples import signed_delivery  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from e2e_latency import APP_ID, BUILTIN, INSTALLATION, REPO, seed  # noqa: E402

from classifier.taxonomy import load_taxonomy  # noqa: E402

SECRET = "serve-load-0123456789abcdef"
ACK_TARGET = 0.020  # seconds, p99


class Issues:
    """Issues added to the double on demand, one per delivery, rotating over the installations."""

    def __init__(self, double: DoubleProcess, installations: int) -> None:
        self.client = double.client
        self.count = 0
        self.targets = [(INSTALLATION, REPO)]
        taxonomy = load_taxonomy()
        for k in range(1, installations):
            installation, repo = INSTALLATION + k, f"load-org-{k}/app"
            self.client.add_installation(installation, f"load-org-{k}")
            self.client.add_repo(repo, installation)
            for label in (taxonomy.ptm_label, *(category.label for category in taxonomy.categories)):
                self.client.add_label(repo, label.name, label.color, label.description)
            self.targets.append((installation, repo))

    def deliveries(self, n: int) -> list[tuple[bytes, dict[str, str]]]:
        out = []
        for _ in range(n):
            title, body = BUILTIN[self.count % len(BUILTIN)]
            title = f"{title} ({self.count})"
            installation, repo = self.targets[self.count % len(self.targets)]
            number = self.client.add_issue(repo, title, body, user=f"user{self.count % 50}")["number"]
            payload = issues_payload("opened", repo, installation, number, title, body)
            delivery = signed_delivery("issues", payload, SECRET, f"load-{self.count}", APP_ID)
            out.append((delivery.body, delivery.headers))
            self.count += 1
        return out


def offer(port: int, deliveries: list[tuple[bytes, dict[str, str]]], rate: float, threads: int = 16
          ) -> tuple[list[float], int]:
    """Send at `rate` per second (open loop); returns sorted ack latencies and the count of non-202s."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    index = iter(range(len(deliveries)))
    t0 = time.perf_counter() + 0.2

    def client() -> None:
        nonlocal failures
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = next(index, None)
            if i is None:
                break
            due = t0 + i / rate
            if (delay := due - time.perf_counter()) > 0:
                time.sleep(delay)
            body, headers = deliveries[i]
            try:
                conn.request("POST", "/api/github/webhooks", body, headers)
                response = conn.getresponse()
            except (ConnectionError, http.client.RemoteDisconnected):  # an idle keep-alive was closed
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", "/api/github/webhooks", body, headers)
                response = conn.getresponse()
            response.read()
            with lock:
                latencies.append(time.perf_counter() - due)
                failures += response.status != 202
        conn.close()

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(latencies), failures


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident set size, and proportional set size (shared pages split among the processes sharing them)."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        values[name] = int(rest.split()[0]) / 1024
    return values.get("Rss", 0.0), values.get("Pss", 0.0)


def process_tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(p for child in children for p in process_tree(int(child)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="5,10,20,40", help="offered rates, deliveries per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per offered rate")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--burst", type=int, default=200, help="deliveries for the triage throughput")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the double takes per answer")
    parser.add_argument("--installations", type=int, default=50, help="installations the deliveries rotate over")
    parser.add_argument("--control", action="store_true", help="also measure the web app alone, alternating")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="ptm-serve-load-"))
    key = generate_app_key()

    with DoubleProcess(validate_responses=False) as double:
        seed(double, key.public_key_pem)
        issues = Issues(double, args.installations)
        server = AppServer(workdir, {"APP_ID": str(APP_ID), "PRIVATE_KEY": key.private_key_pem,
                                     "WEBHOOK_SECRET": SECRET, "GITHUB_API_URL": double.url,
                                     "LOG_LEVEL": "WARNING"}).start(timeout=120)
        control = start_web_only(server.env, workdir) if args.control else None
        try:
            assert server.process is not None
            double.client.set_latency(args.latency)
            print(f"ptm-triage serve (defaults: {os.environ.get('WEB_THREADS', 8)} web threads, "
                  f"{os.environ.get('WORKER_THREADS', 2)} job threads, SQLite) against the GitHub double "
                  f"answering in {args.latency * 1000:.0f} ms; {args.installations} installations")
            p99s: dict[float, list[float]] = {rate: [] for rate in rates}
            alone: dict[float, list[float]] = {rate: [] for rate in rates}
            failed: dict[float, int] = dict.fromkeys(rates, 0)
            for round_no in range(args.rounds):
                for rate in rates:
                    server.wait_idle(timeout=900)
                    batch = issues.deliveries(int(rate * args.seconds))
                    latencies, failures = offer(server.port, batch, rate)
                    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
                    p99s[rate].append(p99)
                    failed[rate] += failures
                    backlog = server.inbox_counts().get("pending", 0)
                    print(f"  round {round_no + 1} offered {rate:5.0f}/s for {args.seconds:.0f}s: ack p50 "
                          f"{p50 * 1000:6.2f} ms, p99 {p99 * 1000:7.2f} ms, non-202 {failures}, "
                          f"inbox backlog after {backlog}")
                    if control is not None:
                        server.wait_idle(timeout=900)  # serve's job threads idle while the web app alone runs
                        latencies, _ = offer(control[1], issues.deliveries(int(rate * args.seconds)), rate)
                        alone[rate].append(percentile(latencies, 0.99))
                        print(f"          web app alone at {rate:5.0f}/s: ack p50 "
                              f"{percentile(latencies, 0.5) * 1000:6.2f} ms, p99 {alone[rate][-1] * 1000:7.2f} ms")
            sustained = 0.0
            for rate in rates:
                median = statistics.median(p99s[rate])
                ok = median <= ACK_TARGET and failed[rate] == 0
                versus = f" (web app alone {statistics.median(alone[rate]) * 1000:.2f} ms)" if alone[rate] else ""
                print(f"  offered {rate:5.0f}/s: median p99 ack {median * 1000:7.2f} ms over {args.rounds} rounds"
                      f"{versus}{'' if ok else '  (over target)'}")
                if not ok:
                    break
                sustained = rate
            print(f"sustained rate with p99 ack <= {ACK_TARGET * 1000:.0f} ms: {sustained:.0f} deliveries/s")

            server.wait_idle(timeout=600)
            before = server.inbox_counts().get("done", 0)
            batch = issues.deliveries(args.burst)
            started = time.monotonic()
            offer(server.port, batch, rate=1000.0)
            counts = server.wait_idle(timeout=1200)
            elapsed = time.monotonic() - started
            done = counts.get("done", 0) - before
            print(f"triage throughput: {done} issues in {elapsed:.1f}s = {done / elapsed:.1f} issues/s "
                  f"(dead letters {counts.get('dead', 0)})")
            for pid in process_tree(server.process.pid):
                role = "gunicorn master" if pid == server.process.pid else "worker (web + jobs + model)"
                rss, pss = memory_mb(pid)
                print(f"  pid {pid} ({role}): RSS {rss:.0f} MB, PSS {pss:.0f} MB")
        finally:
            server.stop()
            if control is not None:
                control[0].terminate()
                control[0].wait(30)
    return 0


def start_web_only(env: dict[str, str], workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """The web app alone in one gunicorn gthread process, on its own SQLite file."""
    port = free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--worker-class", "gthread", "--workers", "1",
         "--threads", env.get("WEB_THREADS", "8"), "--bind", f"127.0.0.1:{port}", "bot.wsgi:create()"],
        cwd=ROOT, env={**env, "DATABASE_URL": f"sqlite:///{workdir / 'web-only.db'}"},
        stdout=(workdir / "web-only.log").open("ab"), stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc, port
        except requests.RequestException:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the web app alone did not start")


if __name__ == "__main__":
    sys.exit(main())
