"""A repository's policy: preset, explicit targets and expert thresholds, at its estimated share."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.repo_config.model import PrecisionTargets, build_config, default_config
from bot.repo_config.schema import schema_errors
from bot.triage.policy import raw_thresholds, repository_policy, repository_share, targets
from classifier.policy import PRESETS, Targets
from classifier.predict import load_default

DEFAULT = default_config()


def test_the_default_is_the_balanced_preset() -> None:
    assert targets(DEFAULT) == (PRESETS["balanced"].label, PRESETS["balanced"].comment)


def test_explicit_precision_overrides_the_preset_one_target_at_a_time() -> None:
    config = build_config({"policy": "eager", "precision": {"ptm": 0.92, "comment_category": 0.97}})
    label, comment = targets(config)
    assert label == Targets(0.92, PRESETS["eager"].label.category_precision)
    assert comment == Targets(PRESETS["eager"].comment.ptm_precision, 0.97)


def test_eager_labels_more_than_balanced_and_cautious_less() -> None:
    model = load_default()
    thresholds = {name: repository_policy(model, replace(DEFAULT, policy=name), None).label.ptm
                  for name in PRESETS}
    assert thresholds["eager"] <= thresholds["balanced"] <= thresholds["cautious"]
    assert thresholds["eager"] < thresholds["cautious"]


def test_expert_thresholds_may_lower_the_policy_and_complete_from_it() -> None:
    model = load_default()
    config = replace(DEFAULT, ptm_threshold=0.1)
    raw = raw_thresholds(config, model, None)
    assert raw is not None and raw.ptm == 0.1
    assert raw.category == model.policy().label.category
    assert repository_policy(model, config, None).label.ptm == 0.1
    assert raw_thresholds(DEFAULT, model, None) is None


def test_a_repository_full_of_model_issues_gets_a_lower_threshold() -> None:
    model = load_default()
    wrapper = repository_share(model, [0.95] * 200)
    general_app = repository_share(model, [0.05] * 200)
    assert wrapper.share > 0.8 and general_app.share < 0.1
    assert (repository_policy(model, DEFAULT, wrapper.share).label.ptm
            < repository_policy(model, DEFAULT, general_app.share).label.ptm)


def test_precision_targets_are_validated_by_the_schema() -> None:
    assert schema_errors({"precision": {"ptm": 1.5}})
    assert schema_errors({"policy": "reckless"})
    assert not schema_errors({"policy": "cautious", "precision": {"category": 0.9}})
    assert PrecisionTargets() == DEFAULT.precision


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_is_accepted(name: str) -> None:
    assert build_config({"policy": name}).policy == name
