"""End-to-end benchmark: webhook POST -> last write on GitHub, and API calls per triaged issue.

Runs the real App (`ptm-triage serve`: gunicorn + embedded workers + bundled model) against the HTTP GitHub
API double in its own process, answering every API call after `--latency` seconds (default 50 ms). The
repository already has the taxonomy's labels and the installation token is warmed by one issue first.
Then `--issues` PTM issues are opened (one delivery every `--interval` seconds) and, per issue, the time
from the webhook POST to the end of the last write the double received for it is measured.

    python benchmarks/e2e_latency.py [--issues 200] [--latency 0.05] [--data LABELED.jsonl]

Without --data, issue texts come from a small built-in set of PTM reports.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.taxonomy import load_taxonomy  # noqa: E402
from tests.e2e.harness import AppServer, deliver, issues_payload  # noqa: E402
from tests.support.github_double.process import DoubleProcess  # noqa: E402
from tests.support.github_fixtures import generate_app_key  # noqa: E402

APP_ID, INSTALLATION, OWNER, REPO = 4242, 1001, "octo-org", "octo-org/hello-ptm"
SECRET = "bench-e2e-secret-0123456789abcdef"
BUILTIN = [
    ("CUDA out of memory loading the large model", "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to "
     "allocate 2.00 GiB on my 8 GB GPU when loading the large checkpoint. The small model works."),
    ("Cannot download model weights: 401 from the hub", "OSError: We couldn't connect to huggingface.co to "
     "download the checkpoint; the repo is gated and my token gives 401 Unauthorized."),
    ("How to fine-tune the model on my own dataset?", "I want to fine-tune the pretrained checkpoint on a custom "
     "dataset in another language. Is there a training script and what learning rate do you recommend?"),
    ("Transcription quality got worse after updating the model", "Since the new model version the output has "
     "many hallucinations and repeated words; the previous checkpoint was much more accurate on the same audio."),
    ("ImportError after pip install: transformers version conflict", "pip install fails: torch 2.1 requires a "
     "different transformers version; ImportError: cannot import name 'AutoModel' from transformers."),
    ("Tokenizer error when passing a long prompt to the model", "ValueError: Input length exceeds the model's "
     "maximum sequence length of 512 tokens when I call the pipeline with a long prompt."),
]


def texts(data: Path | None, count: int) -> list[tuple[str, str]]:
    if data is None:
        return [(f"{t} (#{i})", b) for i, (t, b) in enumerate(BUILTIN * (count // len(BUILTIN) + 1))][:count]
    rows = [json.loads(line) for line in data.read_text().splitlines() if line.strip()]
    ptm = [(r["title"], r["body"] or "") for r in rows if r.get("ptm")]
    random.Random(7).shuffle(ptm)
    return (ptm * (count // max(1, len(ptm)) + 1))[:count]


def seed(double: DoubleProcess, public_key: str) -> None:
    client = double.client
    client.set_app(APP_ID, "ptm-triage", public_key, name="ptm-triage")
    client.add_installation(INSTALLATION, OWNER)
    client.add_repo(REPO, INSTALLATION)
    taxonomy = load_taxonomy()
    client.add_label(REPO, taxonomy.ptm_label.name, taxonomy.ptm_label.color, taxonomy.ptm_label.description)
    for category in taxonomy.categories:
        client.add_label(REPO, category.label.name, category.label.color, category.label.description)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the double takes per answer")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between deliveries")
    parser.add_argument("--data", type=Path, help="JSONL with title, body, ptm (its PTM issues are used)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ptm-e2e-"))
    key = generate_app_key()
    with DoubleProcess(latency=args.latency, validate_responses=False) as double:
        seed(double, key.public_key_pem)
        server = AppServer(workdir, {
            "APP_ID": str(APP_ID), "PRIVATE_KEY": key.private_key_pem, "WEBHOOK_SECRET": SECRET,
            "GITHUB_API_URL": double.url, "LOG_LEVEL": "WARNING",
            # The double is one installation; GitHub's pacing of writes would dominate the figure.
            "GITHUB_WRITES_PER_MINUTE": "100000", "GITHUB_WRITES_PER_HOUR": "1000000",
        }).start()
        try:
            issues = texts(args.data, args.issues + 1)
            numbers = []
            for title, body in issues:
                numbers.append(double.client.add_issue(REPO, title, body, user="reporter")["number"])
            # Warm-up: the first issue fetches the installation token and the repository config.
            warm = issues_payload("opened", REPO, INSTALLATION, numbers[0], *issues[0])
            deliver(server, SECRET, "issues", warm)
            server.wait_idle()
            mark = len(double.client.requests())
            sent: dict[int, float] = {}
            for number, (title, body) in zip(numbers[1:], issues[1:], strict=True):
                payload = issues_payload("opened", REPO, INSTALLATION, number, title, body)
                sent[number] = time.time()
                _, response = deliver(server, SECRET, "issues", payload)
                assert response.status_code == 202, response.status_code
                time.sleep(args.interval)
            server.wait_idle(timeout=600)
            log = double.client.requests(since=mark)
        finally:
            server.stop()

    calls_per_issue: dict[int, int] = collections.Counter()
    last_write: dict[int, float] = {}
    other_calls = collections.Counter()
    for record in log:
        path = record["path"].split("?")[0]
        parts = path.split("/")
        number = int(parts[5]) if len(parts) > 5 and parts[4] == "issues" and parts[5].isdigit() else None
        if number is None:
            other_calls[f"{record['method']} {record['template']}"] += 1
            continue
        calls_per_issue[number] += 1
        if record["method"] in ("POST", "PATCH", "PUT", "DELETE"):
            end = record["started"] + record["duration_ms"] / 1000
            last_write[number] = max(last_write.get(number, 0.0), end)
    latencies = sorted(last_write[n] - sent[n] for n in sent if n in last_write)
    triaged = len(latencies)
    total_calls = sum(calls_per_issue.values()) + sum(other_calls.values())
    print(f"{len(sent)} issues opened, {triaged} triaged with writes; double latency {args.latency * 1000:.0f} ms")
    if latencies:
        p50 = statistics.median(latencies)
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
        print(f"POST -> last write: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
              f"max {latencies[-1] * 1000:.0f} ms")
        per_issue = [calls_per_issue[n] for n in sent if n in last_write]
        print(f"API calls per triaged issue: median {statistics.median(per_issue):.0f}, max {max(per_issue)}; "
              f"all calls incl. repo-level ones / triaged issues: {total_calls / triaged:.2f}")
    print("repo-level calls during the run:", dict(other_calls) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
