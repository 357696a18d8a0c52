"""From data files to a shipped model directory: measure by grouped CV, fit on everything, save, card."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from classifier.lab.ablation import SHIPPED, run_study
from classifier.lab.card import policy_section, render_card
from classifier.lab.curve_plot import curve_svg
from classifier.lab.dataset import Sample, data_digest, read_many
from classifier.lab.evaluate import Figures, Outcome, figures
from classifier.lab.report import comparison_table, figures_text, headline, operating_points, targets_text
from classifier.lab.train import fit
from classifier.model_store import ModelMetadata, save
from classifier.taxonomy import load_taxonomy

CARD_NAME = "MODEL_CARD.md"
CURVE_NAME = "operating-curve.svg"


@dataclass(frozen=True)
class BuildResult:
    metadata: ModelMetadata
    card_path: Path
    report: list[str]


def by_source(outcome: Outcome) -> dict[str, Outcome]:
    """The natural file first (the headline: what maintainers receive), then 'all', then the other files."""
    sources = list(dict.fromkeys(s.source for s in outcome.samples))
    if len(sources) == 1:
        return {"all": outcome}
    natural = [s for s in sources if s == SHIPPED.natural_source]
    parts = {source: outcome.of_source(source) for source in natural}
    for source in natural:  # where the labeler was sure: the rest holds most of the label noise
        parts[f"{source}, high confidence"] = outcome.subset(np.array(
            [s.source == source and s.confidence == "high" for s in outcome.samples], dtype=bool))
    parts["all"] = outcome
    parts.update({source: outcome.of_source(source) for source in sources if source not in natural})
    return parts


def study_report(results: dict[str, Outcome], slugs: Sequence[str]) -> tuple[list[str], dict[str, Figures]]:
    """Markdown sections for a grouped-CV study; the figures of the shipped model per source."""
    shipped_name = list(results)[-1]
    shipped = by_source(results[shipped_name])
    shipped_figures = {source: figures(outcome, slugs) for source, outcome in shipped.items()}
    lines: list[str] = []
    for source, f in shipped_figures.items():
        lines += [f"#### Targets, {source}", "", *targets_text(headline(f)), ""]
    for source, f in shipped_figures.items():
        lines += figures_text(f"Shipped model, {source}", f, slugs)
    for source, outcome in shipped.items():
        lines += [f"#### Operating points, {source}", "", *operating_points(outcome, slugs)]
    if len(results) > 1:
        for source in shipped:
            table = {name: headline(figures(by_source(o)[source], slugs)) for name, o in results.items()}
            lines += [f"### Baselines and ablation (cumulative), {source}", "", *comparison_table(table), ""]
    return lines, shipped_figures


def build(data: Sequence[Path | str], output: Path | str, *, folds: int = 5, ablation: bool = False,
          progress: Callable[[str], None] = lambda _: None) -> BuildResult:
    """Train the shipped configuration on `data` and write model.joblib, model.json and MODEL_CARD.md."""
    taxonomy = load_taxonomy()
    samples: list[Sample] = read_many(data, taxonomy)
    report: list[str] = []
    metrics: dict[str, object] = {}
    if folds > 1:
        results = run_study(samples, folds, ablation=ablation, progress=lambda n: progress(f"cross-validating: {n}"))
        report, shipped_figures = study_report(results, taxonomy.slugs)
        metrics = {"cv_folds": folds, **{source: headline(f) for source, f in shipped_figures.items()}}
    progress("fitting the shipped model on all data")
    model = fit(samples, SHIPPED, taxonomy)
    metadata = save(model, output, taxonomy_version=taxonomy.version, data_digest=data_digest(data),
                    metrics=metrics, extra={"config": asdict(SHIPPED), "data_files": [Path(p).name for p in data],
                                            "issues": len(samples)})
    if model.curve is not None:
        (Path(output) / CURVE_NAME).write_text(curve_svg(model.curve), encoding="utf-8")
    card_path = Path(output) / CARD_NAME
    policy = policy_section(model.curve, CURVE_NAME) if model.curve is not None else []
    card_path.write_text(render_card(metadata, SHIPPED, [Path(p).name for p in data], [*policy, *report]),
                         encoding="utf-8")
    return BuildResult(metadata, card_path, report)
