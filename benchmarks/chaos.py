"""Chaos run: nothing lost, nothing twice, under GitHub faults and killed workers.

Starts the HTTP GitHub API double, the web processes (the Procfile's gunicorn line, `--web-processes` of
them) and two separate `ptm-triage worker` processes sharing one inbox: a SQLite file, or PostgreSQL with
`--postgres URL` (a fresh schema, dropped afterwards). Sends `--deliveries` webhook deliveries for
`--issues` issues (opened, reopened, and redeliveries of both with the same delivery id), while the
double fails 20% of writes with 502 AFTER applying them, times out 5% of requests, and answers one burst
of secondary-rate-limit 403s; two workers are killed with SIGKILL mid-run and restarted.

Reports: lost deliveries (accepted but never done), duplicate comments, issues missing the labels the
model gives them, dead letters, and the time to drain after the last delivery.

    python benchmarks/chaos.py [--issues 1000] [--deliveries 5000] [--seed 1] [--web-processes 2]
                               [--postgres postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.store.inbox import open_inbox  # noqa: E402
from classifier.predict import load_default  # noqa: E402
from classifier.schema import Document  # noqa: E402
from classifier.taxonomy import load_taxonomy  # noqa: E402
from tests.e2e.harness import free_port, issues_payload  # noqa: E402
from tests.support.github_double.process import DoubleProcess  # noqa: E402
from tests.support.github_fixtures import generate_app_key  # noqa: E402
from tests.support.webhook_examples import signed_delivery  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from e2e_latency import APP_ID, BUILTIN, INSTALLATION, REPO, seed  # noqa: E402
from ingest import drop_schema, postgres_schema  # noqa: E402

SECRET = "chaos-secret-0123456789abcdef"
PLAIN = [
    ("Add a dark mode toggle", "The settings page is too bright at night; please add a dark theme."),
    ("Typo in the README", "The installation section says 'intall' instead of 'install'."),
    ("CLI flag --output is ignored", "Passing --output out.txt still writes to stdout."),
]


def expected_labels(title: str, body: str) -> set[str]:
    prediction = load_default().predict(Document(title, body))
    taxonomy = load_taxonomy()
    if prediction.applied_category is None:
        return set()
    return {taxonomy.ptm_label.name, taxonomy.get(prediction.applied_category).label.name}


def start_workers(env: dict[str, str], workdir: Path, count: int) -> list[subprocess.Popen[bytes]]:
    procs = []
    for i in range(count):
        log = (workdir / f"worker{i}.log").open("ab")
        procs.append(subprocess.Popen([sys.executable, "-m", "bot.cli", "worker", "--threads", "4"],
                                      cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    return procs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=1000)
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--web-processes", type=int, default=2, help="gunicorn web processes")
    parser.add_argument("--postgres", metavar="URL", help="the inbox on this PostgreSQL database")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="ptm-chaos-"))
    key = generate_app_key()
    database_url = f"sqlite:///{workdir / 'inbox.db'}"
    schema = f"chaos_{rng.getrandbits(40):010x}"
    if args.postgres:
        database_url = postgres_schema(args.postgres, schema)

    with DoubleProcess(validate_responses=False) as double:
        seed(double, key.public_key_pem)
        gh = double.client
        corpus = BUILTIN + PLAIN
        issues = []
        for i in range(args.issues):
            title, body = corpus[i % len(corpus)]
            title = f"{title} ({i})"
            number = gh.add_issue(REPO, title, body, user=f"user{i % 50}")["number"]
            issues.append((number, title, body))
        expected = {n: expected_labels(t, b) for n, t, b in issues}

        env = {**os.environ, "APP_ID": str(APP_ID), "PRIVATE_KEY": key.private_key_pem, "WEBHOOK_SECRET": SECRET,
               "GITHUB_API_URL": double.url, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING",
               "PYTHONPATH": str(ROOT), "GITHUB_WRITES_PER_MINUTE": "100000", "GITHUB_WRITES_PER_HOUR": "1000000",
               "GITHUB_TIMEOUT": "2"}
        port = free_port()
        web = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "python:bot.web.gunicorn_conf",
             "--worker-class", "gthread", "--workers", str(args.web_processes), "--threads", "8",
             "--bind", f"127.0.0.1:{port}", "bot.wsgi:create()"],
            cwd=ROOT, env=env, stdout=(workdir / "web.log").open("ab"), stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/api/github/webhooks"
        for _ in range(300):
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        workers = start_workers(env, workdir, 2)

        gh.add_fault("error", method="WRITE", route="*", status=502, after_apply=True, probability=0.2,
                     count=None, seed=args.seed)
        gh.add_fault("timeout", method="*", route="*", probability=0.05, count=None, seed=args.seed + 1, hold=3.0)

        # The delivery plan, in time order: each issue is opened, later reopened; the remaining deliveries
        # are redeliveries (same delivery id) of either, some time after the original.
        n = len(issues)
        timeline: list[tuple[float, str, int, str]] = []
        for slot, (number, _, _) in zip(rng.sample(range(n), n), issues, strict=True):
            timeline.append((slot, "opened", number, f"open-{number}"))
            timeline.append((slot + rng.uniform(1, n), "reopened", number, f"reopen-{number}"))
        originals = list(timeline)
        while len(timeline) < args.deliveries:
            at, action, number, delivery_id = rng.choice(originals)
            timeline.append((at + rng.uniform(0.5, n / 2), action, number, delivery_id))
        plan = [(action, number, delivery_id) for _, action, number, delivery_id in sorted(timeline)]
        texts = {n: (t, b) for n, t, b in issues}

        accepted: set[str] = set()
        statuses: dict[int, int] = {}
        kills = {len(plan) // 3: 0, 2 * len(plan) // 3: 1}
        session = requests.Session()
        started = time.monotonic()
        for index, (action, number, delivery_id) in enumerate(plan):
            if index == len(plan) // 2:
                gh.add_fault("secondary_rate_limit", method="*", route="*", count=25, retry_after=5)
            if index in kills:
                victim = kills[index]
                workers[victim].send_signal(signal.SIGKILL)
                workers[victim].wait()
                workers[victim] = start_workers(env, workdir, 1)[0]
            payload = issues_payload(action, REPO, INSTALLATION, number, *texts[number])
            delivery = signed_delivery("issues", payload, SECRET, delivery_id, APP_ID)
            response = session.post(url, data=delivery.body, headers=delivery.headers, timeout=30)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code in (200, 202):
                accepted.add(delivery_id)
        sent_at = time.monotonic()
        inbox = open_inbox(database_url)
        while True:
            counts = inbox.stats().counts
            if counts["pending"] == 0 and counts["running"] == 0:
                break
            if time.monotonic() - sent_at > 1800:
                print("gave up waiting after 30 minutes:", counts)
                break
            time.sleep(0.5)
        drained = time.monotonic()
        for proc in [*workers, web]:
            proc.terminate()
        for proc in [*workers, web]:
            proc.wait(60)

        done = {d.delivery_id for d in inbox.recent(limit=100000) if d.state == "done"}
        dead = inbox.dead_letters(limit=100000)
        lost = accepted - done - {d.delivery_id for d in dead}
        state = gh.state()  # one snapshot; per-issue look-ups would fetch the whole state each time
        bot_comments: dict[int, int] = {}
        for comment in state["comments"]:
            if comment["user"].endswith("[bot]"):
                bot_comments[comment["issue_number"]] = bot_comments.get(comment["issue_number"], 0) + 1
        labels = {i["number"]: set(i["labels"]) for r in state["repos"] if r["full_name"] == REPO
                  for i in r["issues"]}
        duplicates = sum(max(0, n - 1) for n in bot_comments.values())
        missing = sum(bool(expected[number] - labels[number]) for number, _, _ in issues)
        requests_log = gh.requests()
        faults: dict[str, int] = {}
        for record in requests_log:
            if record.get("fault"):
                faults[record["fault"]] = faults.get(record["fault"], 0) + 1

    inbox.engine.dispose()
    if args.postgres:
        drop_schema(args.postgres, schema)
    store = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{args.web_processes} web processes, 2 worker processes, inbox on {store}")
    print(f"{len(plan)} deliveries for {len(issues)} issues ({sum(bool(v) for v in expected.values())} "
          f"should be labeled); HTTP answers {statuses}")
    print(f"faults injected: {faults}; 2 workers killed with SIGKILL and restarted")
    print(f"accepted distinct deliveries {len(accepted)}, done {len(done)}, dead letters {len(dead)}")
    print(f"lost deliveries: {len(lost)} (target 0)")
    print(f"duplicate comments: {duplicates} (target 0)")
    print(f"issues missing labels: {missing} (target 0)")
    print(f"send time {sent_at - started:.1f}s, drain after last delivery {drained - sent_at:.1f}s")
    return 0 if not lost and not duplicates and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
