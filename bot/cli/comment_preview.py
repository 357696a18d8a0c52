"""`ptm-triage classify --comment --title T --body B`: print the comment the bot would post on such an
issue under the default configuration (through the same decide() and rendering as a webhook)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.repo_config.model import default_config
from bot.triage.preview import preview
from classifier.model_store import ModelLoadError
from classifier.records import document_from


def print_comment(args: argparse.Namespace) -> int:
    """The comment on stdout; when the bot would not comment, why on stderr (exit 0 either way)."""
    if args.title is None or args.input is not None:
        print("ptm-triage: --comment needs --title (and --body), not --input", file=sys.stderr)
        return 2
    try:
        document = document_from(args.title, args.body)
    except ValueError as exc:
        print("ptm-triage: " + str(exc).replace("'title'", "--title"), file=sys.stderr)
        return 2
    from classifier.predict import load_classifier, load_default  # scikit-learn loads only when needed

    try:
        classifier = load_default() if args.model is None else load_classifier(Path(args.model))
    except ModelLoadError as exc:
        print(f"ptm-triage: {exc}", file=sys.stderr)
        return 1
    decision = preview(document, classifier, default_config()).decision
    if decision.comment is None:
        reasons = "; ".join(decision.reasons) or decision.why
        print(f"ptm-triage: no comment ({decision.outcome}: {reasons})", file=sys.stderr)
        return 0
    sys.stdout.write(decision.comment + "\n")
    return 0
