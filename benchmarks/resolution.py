"""The resolution-time report from a backfill against the GitHub API double.

    .venv/bin/python benchmarks/resolution.py [--data FILE.jsonl] [--issues 300] [--slowdown 2.0]
                                              [--output DIR]

Seeds one repository of the double with issues drawn from the natural issue file (their real titles and
descriptions, read at run time), runs `ptm-triage backfill OWNER/NAME --state all` over it (a dry run:
nothing is written to GitHub) and then `ptm-triage report --resolution --format html`, which writes the
report and its plot to DIR (default .artifacts/resolution).

The natural file has no closing times, so they are drawn: log-normal times to close with a median of 5 days
for issues labelled not PTM-related, `--slowdown` times that for PTM-related ones (an assumption standing
in for the study's finding that they take longer), and one issue in seven left open. The report then shows
how much of that difference the bot's own view of each issue (its model, or a category label on the issue)
recovers.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.cli.main import main as ptm_triage  # noqa: E402
from tests.support.github_double.server import DoubleCore, GitHubDouble, default_spec  # noqa: E402
from tests.support.github_fixtures import generate_app_key  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared/data/ptm-issues-natural.jsonl"
APP_ID, INSTALLATION, OWNER = 4242, 1001, "octo-org"
REPO = f"{OWNER}/resolution-demo"
MEDIAN_DAYS = 5.0  # time to close of an issue that is not PTM-related
SIGMA = 1.2  # log-normal spread
OPEN_SHARE = 1 / 7
START = datetime(2024, 1, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed(double: GitHubDouble, public_key: str, rows: list[dict[str, object]], slowdown: float,
         rng: random.Random) -> int:
    """The repository and its issues, with drawn opening and closing times; returns how many are closed."""
    world = double.core.world
    world.set_app(APP_ID, "ptm-triage", public_key, name="ptm-triage", owner=OWNER)
    world.add_installation(INSTALLATION, OWNER)
    repo = world.add_repo(REPO, INSTALLATION)
    closed = 0
    for row in rows:
        opened = START + timedelta(days=rng.uniform(0, 365))
        median = MEDIAN_DAYS * (slowdown if row["ptm"] else 1.0)
        days = rng.lognormvariate(math.log(median), SIGMA)
        is_closed = rng.random() >= OPEN_SHARE
        issue = world.add_issue(repo, str(row["title"]), str(row["body"] or ""), user="reporter",
                                state="closed" if is_closed else "open", created_at=iso(opened))
        if is_closed:
            issue.closed_at = issue.updated_at = iso(opened + timedelta(days=days))
            closed += 1
    return closed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the natural issue file (JSON lines)")
    parser.add_argument("--issues", type=int, default=300)
    parser.add_argument("--slowdown", type=float, default=2.0, help="PTM-related median / other median")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / ".artifacts/resolution")
    args = parser.parse_args()
    if not args.data.exists():
        parser.error(f"{args.data} not found: give the natural issue file with --data")
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(args.seed)
    sample = rng.sample(rows, min(args.issues, len(rows)))
    args.output.mkdir(parents=True, exist_ok=True)
    store = args.output / "store.db"
    store.unlink(missing_ok=True)

    key = generate_app_key()
    double = GitHubDouble(DoubleCore(default_spec())).start()
    try:
        closed = seed(double, key.public_key_pem, sample, args.slowdown, rng)
        print(f"{REPO}: {len(sample)} issues, {closed} closed, PTM-related median x{args.slowdown:g}")
        os.environ.update({
            "APP_ID": str(APP_ID), "PRIVATE_KEY": key.private_key_pem, "GITHUB_API_URL": double.url,
            "DATABASE_URL": f"sqlite:///{store}", "LOG_LEVEL": "WARNING",
        })
        for name in ("WEBHOOK_SECRET", "DRY_RUN", "PRIVATE_KEY_PATH", "REDIS_URL"):
            os.environ.pop(name, None)
        code = ptm_triage(["backfill", REPO, "--state", "all", "--output", str(args.output / "backfill")])
        if code != 0:
            return code
    finally:
        double.stop()
    database = ["--database-url", f"sqlite:///{store}", "--repo", REPO]
    ptm_triage(["report", "--resolution", *database])
    return ptm_triage(["report", "--resolution", *database, "--format", "html",
                       "--output", str(args.output / "resolution.html"), "--plot", str(args.output / "resolution.svg")])


if __name__ == "__main__":
    raise SystemExit(main())
