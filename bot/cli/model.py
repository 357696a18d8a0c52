"""Model subcommands of `ptm-triage` (see bot/cli/main.py): classify, train, evaluate. Thin: arguments and
files here, everything else in classifier/."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bot.cli.comment_preview import print_comment
from bot.cli.train_data import check_training_data
from classifier.lab.dataset import DatasetError
from classifier.model_store import ModelLoadError
from classifier.records import annotate, decision_fields, document_from, parse_lines
from classifier.taxonomy import load_taxonomy

if TYPE_CHECKING:
    from classifier.lab.evaluate import Figures
    from classifier.predict import Classifier

BATCH = 512  # issues scored per model call when classifying a file


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommands; each sets `run=callable(args) -> exit code`."""
    classify = subparsers.add_parser(
        "classify", help="classify issues (JSONL in/out, or one issue with --title/--body)",
        description="Each input line is a JSON object with 'title' and 'body'; other keys are passed through. "
                    "Output lines add ptm_related, ptm_score, category, category_score, top_category, "
                    "category_scores, applied_category, tier, labels.")
    classify.add_argument("--input", metavar="FILE.jsonl", help="issues to classify ('-' for stdin)")
    classify.add_argument("--output", metavar="FILE.jsonl", help="where to write results (default: stdout)")
    classify.add_argument("--title", help="classify one issue with this title")
    classify.add_argument("--body", default="", help="the body of the --title issue")
    classify.add_argument("--comment", action="store_true",
                          help="with --title: print the comment the bot would post (default configuration)")
    classify.add_argument("--model", metavar="PATH", help="a model directory (default: the bundled model)")
    classify.add_argument("--prevalence", type=_share, metavar="P",
                          help="judge as in a repository whose share of PTM-related issues is P (0 < P < 1; "
                               "default: the training mix)")
    classify.set_defaults(run=run_classify)

    train = subparsers.add_parser("train", help="train the model, measure it, write the artifact and its card")
    train.add_argument("--data", metavar="FILE", action="append", required=True,
                       help="labeled JSONL (title, body, ptm, category, repo); repeat for several files")
    train.add_argument("--output", metavar="DIR", required=True,
                       help="model directory to write (e.g. classifier/model to replace the bundled model)")
    train.add_argument("--cv", type=int, default=5, metavar="K",
                       help="repository-grouped folds for the model card's figures (0: skip)")
    train.add_argument("--ablation", action="store_true", help="also measure baselines and ablation steps")
    train.set_defaults(run=run_train)

    evaluate = subparsers.add_parser("evaluate", help="measure a model on labeled data")
    evaluate.add_argument("--data", metavar="FILE", action="append", required=True,
                          help="labeled JSONL; repeat for several files (figures are given per file too)")
    evaluate.add_argument("--model", metavar="PATH", help="a model directory (default: the bundled model)")
    evaluate.add_argument("--cv", type=int, default=0, metavar="K",
                          help="instead of a fixed model: repository-grouped K-fold CV of the shipped "
                               "configuration, with baselines and ablation")
    evaluate.add_argument("--no-ablation", action="store_true", help="with --cv: the shipped configuration only")
    evaluate.add_argument("--training-mix", action="store_true",
                          help="with --cv: judge every repository at the training mix instead of its estimated "
                               "share of PTM-related issues (what the per-repository calibration adds)")
    evaluate.add_argument("--require-targets", action="store_true",
                          help="exit 1 unless the quality targets are met (on every data file)")
    evaluate.set_defaults(run=run_evaluate)


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}")
    return value


def _error(message: str, code: int = 1) -> int:
    print(f"ptm-triage: {message}", file=sys.stderr)
    return code


def _load(path: str | None) -> Classifier:
    from classifier.predict import load_classifier, load_default  # scikit-learn loads only when needed

    return load_default() if path is None else load_classifier(Path(path))


def _write_lines(handle: IO[str], records: Iterable[dict[str, Any]]) -> None:
    for record in records:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_classify(args: argparse.Namespace) -> int:
    if args.comment:
        return print_comment(args)
    if (args.input is None) == (args.title is None):
        return _error("give either --input FILE.jsonl or --title (with --body)", 2)
    taxonomy = load_taxonomy()
    if args.title is not None:
        try:
            document = document_from(args.title, args.body)
        except ValueError as exc:
            return _error(str(exc).replace("'title'", "--title"), 2)
    else:
        try:
            raw = sys.stdin.buffer.read() if args.input == "-" else Path(args.input).read_bytes()
        except OSError as exc:
            return _error(f"cannot read {args.input}: {exc.strerror or exc}")
        records, errors = parse_lines(raw.splitlines())
        if errors:
            shown = "\n  ".join(errors[:10])
            more = f"\n  … and {len(errors) - 10} more" if len(errors) > 10 else ""
            return _error(f"{args.input}: {len(errors)} bad line(s), nothing classified:\n  {shown}{more}")
    try:
        classifier = _load(args.model)
    except ModelLoadError as exc:
        return _error(str(exc))
    policy = classifier.policy(share=args.prevalence)
    if args.title is not None:
        out: list[dict[str, Any]] = [decision_fields(classifier.predict(document, policy), taxonomy)]
    else:
        out = []
        for start in range(0, len(records), BATCH):
            chunk = records[start:start + BATCH]
            predictions = classifier.predict_many([r.document for r in chunk], policy)
            out.extend(annotate(r.fields, p, taxonomy) for r, p in zip(chunk, predictions, strict=True))
    if args.output is None:
        _write_lines(sys.stdout, out)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8") as handle:
            _write_lines(handle, out)
    except OSError as exc:
        return _error(f"cannot write {args.output}: {exc.strerror or exc}")
    return 0


def _progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def run_train(args: argparse.Namespace) -> int:
    from classifier.lab.build import build

    output = Path(args.output)
    problem = check_training_data(args.data, args.cv)
    if problem is not None:
        return _error(problem)
    try:
        result = build(args.data, output, folds=args.cv, ablation=args.ablation, progress=_progress)
    except DatasetError as exc:
        return _error(str(exc))
    except OSError as exc:
        return _error(f"cannot write the model to {output}: {exc.strerror or exc}")
    print("\n".join(result.report))
    meta = result.metadata
    print(f"model {meta.model_version}: thresholds PTM {meta.thresholds['ptm']:.3f}, "
          f"category {meta.thresholds['category']:.3f}")
    print(f"wrote {output / 'model.joblib'} (sha256 {meta.sha256[:16]}…), {output / 'model.json'}, "
          f"{result.card_path}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from classifier.lab.ablation import run_study
    from classifier.lab.build import by_source, study_report
    from classifier.lab.dataset import read_many
    from classifier.lab.evaluate import figures, score
    from classifier.lab.report import figures_text, headline, operating_points, targets_text

    taxonomy = load_taxonomy()
    try:
        samples = read_many(args.data, taxonomy)
    except DatasetError as exc:
        return _error(str(exc))
    if args.cv:
        if args.cv < 2:
            return _error("--cv needs at least 2 folds", 2)
        if args.cv > len({s.issue.repo for s in samples}):
            return _error(f"--cv {args.cv}: more folds than repositories in the data", 2)
        results = run_study(samples, args.cv, ablation=not args.no_ablation, per_repository=not args.training_mix,
                            progress=_progress)
        lines, shipped = study_report(results, taxonomy.slugs)
        print(f"Repository-grouped {args.cv}-fold cross-validation, {len(samples)} issues\n")
        print("\n".join(lines))
        return 1 if args.require_targets and not _all_met(shipped.values()) else 0
    try:
        classifier = _load(args.model)
    except ModelLoadError as exc:
        return _error(str(exc))
    trained_on = set((classifier.metadata.extra if classifier.metadata else {}).get("data_files", []))
    lines = [f"Model {classifier.model_version} on {len(samples)} issues", ""]
    if trained_on & {Path(p).name for p in args.data}:
        lines += ["Note: the model was trained on these files, so these figures are optimistic; "
                  "`--cv 5` gives honest ones.", ""]
    measured = []
    for source, outcome in by_source(score(classifier, samples)).items():
        f = figures(outcome, taxonomy.slugs)
        measured.append(f)
        lines += [f"#### Targets, {source}", "", *targets_text(headline(f)), ""]
        lines += figures_text(source, f, taxonomy.slugs)
        lines += operating_points(outcome, taxonomy.slugs)
    print("\n".join(lines))
    return 1 if args.require_targets and not _all_met(measured) else 0


def _all_met(measured: Iterable[Figures]) -> bool:
    from classifier.lab.report import headline, targets_met

    return all(targets_met(headline(f)) for f in measured)
