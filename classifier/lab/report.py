"""Plain-text (markdown) rendering of evaluation figures, for the terminal and the model card."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from classifier.lab.calibration import STUDY_PREVALENCE, precision_at_prevalence
from classifier.lab.evaluate import Figures, Outcome

TARGETS = {  # the quality bar, on natural issues under the default (balanced) policy
    "ptm_precision": 0.90, "ptm_recall": 0.70, "category_accuracy": 0.75,
    "applied_precision": 0.85, "applied_coverage": 0.55, "comment_precision": 0.93,
}


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    cells = [[str(c) for c in header]] + [[f"{c:.3f}" if isinstance(c, float) else str(c) for c in row]
                                           for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return lines


def headline(f: Figures) -> dict[str, float]:
    """The figures the quality targets are about, flat, for the sidecar and tables."""
    return {
        "issues": f.issues,
        "ptm_f1": f.ptm.f1, "ptm_precision": f.ptm.precision, "ptm_recall": f.ptm.recall,
        "ptm_precision_at_10pct": f.ptm.precision_at_prevalence,
        "ptm_f1_at_0.5": f.ptm_at_half.f1, "ptm_precision_at_10pct_at_0.5": f.ptm_at_half.precision_at_prevalence,
        "category_macro_f1": f.category.macro_f1, "category_accuracy": f.category.accuracy,
        "applied_precision": f.applied.precision, "applied_coverage": f.applied.coverage,
        "comment_precision": f.comment.precision, "comment_coverage": f.comment.coverage,
        "ptm_threshold": f.thresholds[0], "category_threshold": f.thresholds[1],
    }


def figures_text(title: str, f: Figures, slugs: Sequence[str]) -> list[str]:
    a = f.applied
    lines = [f"### {title} ({f.issues} issues, {a.ptm_issues} PTM-related)", ""]
    lines += _table(
        ["PTM-related", "precision", "recall", "F1", f"precision at {STUDY_PREVALENCE:.0%} prevalence"],
        [[f"at threshold {f.thresholds[0]:.2f}", f.ptm.precision, f.ptm.recall, f.ptm.f1,
          f.ptm.precision_at_prevalence],
         ["at 0.5", f.ptm_at_half.precision, f.ptm_at_half.recall, f.ptm_at_half.f1,
          f.ptm_at_half.precision_at_prevalence]])
    lines += ["", f"Category on PTM-related issues (most likely category): macro-F1 {f.category.macro_f1:.3f}, "
              f"accuracy {f.category.accuracy:.3f}", ""]
    lines += _table(["category", "precision", "recall", "F1", "support"],
                    [[slug, c.precision, c.recall, c.f1, c.support]
                     for slug, c in zip(slugs, f.category.per_class, strict=True)])
    short = [slug.split("-")[-1][:6] for slug in slugs]
    lines += ["", "Confusion matrix (rows: true, columns: predicted)", ""]
    lines += _table(["true \\ predicted", *short], [[s, *row] for s, row in zip(short, f.category.confusion,
                                                                                 strict=True)])
    lines += ["", f"Labels applied at thresholds {f.thresholds[0]:.2f} (PTM) and {f.thresholds[1]:.2f} (category): "
              f"precision {a.precision:.3f}, coverage {a.coverage:.3f} of PTM-related issues. Comment tier: "
              f"{f.comment.commented} comments, category right in {f.comment.precision:.3f} of them "
              f"({f.comment.coverage:.3f} of PTM-related issues)", ""]
    lines += _table(["outcome", "issues"], [
        ["match (PTM issue, right category label)", a.matches],
        ["mismatch (PTM issue, wrong category label)", a.mismatches],
        ["abstention (PTM issue, no category label)", a.abstentions],
        ["false alarm (unrelated issue, category label)", a.false_alarms],
        ["unrelated issue, PTM label only", a.ptm_label_only],
        ["unrelated issue, left alone", a.other_issues - a.false_alarms - a.ptm_label_only],
    ])
    return [*lines, ""]


def operating_points(outcome: Outcome, slugs: Sequence[str]) -> list[str]:
    """What other thresholds would have given, so the shipped trade-off can be judged."""
    truth = [s.issue.ptm for s in outcome.samples]
    rows: list[list[object]] = []
    for t in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        pos = [p >= t for p, y in zip(outcome.ptm_score, truth, strict=True) if y]
        neg = [p >= t for p, y in zip(outcome.ptm_score, truth, strict=True) if not y]
        recall, fpr = sum(pos) / max(len(pos), 1), sum(neg) / max(len(neg), 1)
        rows.append([f"{t:.2f}", recall, fpr, precision_at_prevalence(recall, fpr)])
    lines = ["PTM threshold trade-off", "", *_table(["threshold", "recall", "false positive rate",
                                                    "precision at 10%"], rows), ""]
    crows: list[list[object]] = []
    ptm_rows = [i for i, y in enumerate(truth) if y]
    for t in (0.3, 0.5, 0.6, 0.7, 0.8, 0.9):
        applied = [i for i in ptm_rows if outcome.category_scores[i].max() >= t]
        right = [i for i in applied
                 if slugs[int(outcome.category_scores[i].argmax())] == outcome.samples[i].issue.category]
        crows.append([f"{t:.2f}", len(applied) / max(len(ptm_rows), 1), len(right) / max(len(applied), 1)])
    lines += ["Category threshold trade-off (on PTM-related issues)", "",
              *_table(["threshold", "coverage", "precision"], crows)]
    return [*lines, ""]


def comparison_table(results: Mapping[str, Mapping[str, float]]) -> list[str]:
    """One row per model or ablation step: the headline figures side by side."""
    keys = ["ptm_f1_at_0.5", "ptm_precision", "ptm_recall", "category_accuracy", "category_macro_f1",
            "applied_precision", "applied_coverage", "comment_precision"]
    header = ["model", "PTM F1 @0.5", "PTM precision", "PTM recall", "category accuracy", "category macro-F1",
              "applied precision", "applied coverage", "comment precision"]
    return _table(header, [[name, *(float(r[k]) for k in keys)] for name, r in results.items()])


def targets_met(h: Mapping[str, float]) -> bool:
    return all(h[key] >= target for key, target in TARGETS.items())


def targets_text(h: Mapping[str, float]) -> list[str]:
    rows = []
    for key, target in TARGETS.items():
        rows.append([key, f">= {target:.2f}", float(h[key]), "met" if h[key] >= target else "NOT met"])
    return _table(["figure", "target", "measured", ""], rows)


