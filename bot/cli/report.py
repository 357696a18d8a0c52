"""Operations subcommands of `ptm-triage` (see bot/cli/main.py): `report` (labels kept) and
`report --resolution` (time to close of PTM-related and other issues)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.resolution.plot import ecdf_svg
from bot.resolution.render import FORMATS, build_report, render
from bot.resolution.stats import ResolutionReport
from bot.settings import ConfigurationError, load_settings
from bot.store.decisions import Records
from bot.store.engine import make_engine
from bot.store.keep_report import ALL, KeepStats, known_repositories
from bot.triage.policy import describe_share, repository_share
from classifier.prior import ShareEstimate


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommands; each sets `run=callable(args) -> exit code`."""
    report = subparsers.add_parser(
        "report",
        help="of the labels the bot applied, how many did maintainers keep? (per repository and overall)",
        description=(
            "Precision as maintainers see it: for every repository, the labels the bot applied, how many "
            "are still on their issues (not removed by a human), and the feedback recorded "
            "(confirmed / corrected / rejected)."
        ),
    )
    report.add_argument("--repo", help="only this repository (owner/name)")
    report.add_argument("--database-url", help="the store to read (default: DATABASE_URL or the local file)")
    report.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    report.add_argument(
        "--resolution",
        action="store_true",
        help="time to close of PTM-related and other issues, and per category: medians with bootstrap "
        "intervals and Mann-Whitney U tests, from the recorded and backfilled issue history",
    )
    report.add_argument(
        "--format", choices=FORMATS, help="text (default) or json (as --json); html with --resolution"
    )
    report.add_argument("--output", type=Path, help="write the report to this file instead of standard output")
    report.add_argument("--plot", type=Path, help="with --resolution: also write the plot as an SVG file")
    report.set_defaults(run=run_report)


def run_report(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out if out is not None else sys.stdout
    url = args.database_url
    if not url:
        try:
            url = load_settings(os.environ, require_app=False, require_secret=False).database_url
        except ConfigurationError as exc:
            print(f"ptm-triage report: {exc}", file=sys.stderr)
            return 2
    if (args.format == "html" or args.plot) and not args.resolution:
        print("ptm-triage report: --format html and --plot go with --resolution (the keep report is a "
              "table: --format text or json)", file=sys.stderr)
        return 2
    args.json = args.json or args.format == "json"
    resolution: ResolutionReport | None = None
    rows: list[KeepStats] = []
    shares: dict[str, ShareEstimate] = {}
    engine = make_engine(url)
    try:
        records = Records(engine)
        records.create_schema()  # an empty store reports zeros instead of failing
        if args.repo is not None:
            known = known_repositories(engine)
            args.repo = next((name for name in known if name.casefold() == args.repo.casefold()), None) or args.repo
            if args.repo not in known:
                print(f"ptm-triage report: {_unknown(args.repo, known, url)}", file=sys.stderr)
                return 1
        if args.resolution:
            resolution = build_report(engine, args.repo)
        else:
            rows = records.keep_report(args.repo)
            shares = _shares(records, [row.repo for row in rows if row.repo != ALL])
    except SQLAlchemyError as exc:
        print(f"ptm-triage report: cannot read the store: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if args.output is not None:
        with args.output.open("w", encoding="utf-8") as handle:
            return _write(args, handle, resolution, rows, shares)
    return _write(args, out, resolution, rows, shares)


def _shares(records: Records, repos: list[str]) -> dict[str, ShareEstimate]:
    """Each repository's estimated share of PTM-related issues, which its policy is calibrated to."""
    if not repos:
        return {}
    from classifier.predict import load_default  # scikit-learn loads only when a report has rows

    model = load_default()
    return {repo: repository_share(model, records.recent_ptm_scores(repo)) for repo in repos}


def _unknown(repo: str, known: list[str], url: str) -> str:
    """What to say of a repository the store has never seen."""
    store = make_url(url).render_as_string(hide_password=True)
    listed = ", ".join(known[:20]) + (f" and {len(known) - 20} more" if len(known) > 20 else "")
    hint = f"it knows {listed}" if known else "it is empty: is this the store the bot writes to (DATABASE_URL)?"
    return f"{repo} is unknown to the store {store}: no decision or issue of it is recorded; {hint}"


def _write(args: argparse.Namespace, out: TextIO, resolution: ResolutionReport | None, rows: list[KeepStats],
           shares: dict[str, ShareEstimate]) -> int:
    if resolution is not None:
        out.write(render(resolution, "json" if args.json else args.format or "text"))  # --format json sets --json
        if args.plot is not None:
            args.plot.write_text(ecdf_svg(resolution), encoding="utf-8")
        return 0
    if args.json:
        for row in rows:
            share = shares.get(row.repo)
            extra = {} if share is None else {"ptm_share": round(share.share, 4), "ptm_share_issues": share.issues}
            out.write(json.dumps({**row.__dict__, "keep_rate": row.keep_rate, **extra}) + "\n")
    else:
        out.write(format_report(rows))
        for repo, share in shares.items():
            out.write(f"{repo}: {describe_share(share)}\n")
    return 0


def format_report(rows: list[KeepStats]) -> str:
    header = ("repository", "applied", "kept", "keep rate", "confirmed", "corrected", "rejected")
    table = [header] + [
        (
            row.repo,
            str(row.applied),
            str(row.kept),
            "-" if row.keep_rate is None else f"{row.keep_rate:.1%}",
            str(row.confirmed),
            str(row.corrected),
            str(row.rejected),
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in table
    ]
    return "\n".join(lines) + "\n"
