from __future__ import annotations

import numpy as np

from classifier.lab.baselines import KeywordBaseline
from classifier.lab.dataset import Sample
from classifier.lab.evaluate import Scorer, cross_validate, figures, score
from classifier.model import TwoStageModel
from classifier.schema import Document
from classifier.taxonomy import load_taxonomy


def test_cross_validation_never_puts_a_repository_on_both_sides(tiny_samples: list[Sample]) -> None:
    seen: list[set[str]] = []

    def train(samples: list[Sample]) -> Scorer:
        seen.append({s.issue.repo for s in samples})
        return KeywordBaseline()

    outcome = cross_validate(tiny_samples, train, folds=4)
    all_repos = {s.issue.repo for s in tiny_samples}
    assert len(seen) == 4
    for train_repos in seen:
        assert train_repos and train_repos != all_repos  # each fold held some repositories out
    held_out = [all_repos - train_repos for train_repos in seen]
    assert set().union(*held_out) == all_repos
    assert sum(len(h) for h in held_out) == len(all_repos)
    assert [s.issue.url for s in outcome.samples] == [s.issue.url for s in tiny_samples]


def test_figures_of_the_keyword_baseline(tiny_samples: list[Sample]) -> None:
    outcome = cross_validate(tiny_samples, lambda _: KeywordBaseline(), folds=2)
    f = figures(outcome, load_taxonomy().slugs)
    assert f.issues == len(tiny_samples)
    assert 0.0 <= f.ptm.precision <= 1.0
    assert sum(c.support for c in f.category.per_class) == sum(s.issue.ptm for s in tiny_samples)
    assert f.applied.ptm_issues == sum(s.issue.ptm for s in tiny_samples)


def test_keyword_baseline_rules() -> None:
    ptm, categories = KeywordBaseline().predict_proba([
        Document("CUDA out of memory on GPU", ""), Document("Dark mode", "please add a theme")])
    assert list(ptm) == [1.0, 0.0]
    assert load_taxonomy().slugs[int(np.argmax(categories[0]))] == "hardware-resources"


def test_each_repository_is_judged_at_its_own_estimated_share(tiny_samples: list[Sample],
                                                               tiny_model: TwoStageModel) -> None:
    own = score(tiny_model, tiny_samples)
    mixed = score(tiny_model, tiny_samples, per_repository=False)
    assert tiny_model.curve is not None
    assert np.allclose(mixed.share, tiny_model.curve.base_share)
    repos = np.array([s.issue.repo for s in tiny_samples])
    for repo in set(repos):  # one estimate per repository, from its issues' scores
        assert len(set(own.share[repos == repo])) == 1
    assert len(set(own.share)) > 1
