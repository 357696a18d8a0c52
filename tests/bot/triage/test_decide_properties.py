"""Properties of decide() over many inputs: it never removes a label and never adds one that is present or
that a human removed."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.repo_config.model import Triggers
from bot.triage.decide import Trigger
from tests.bot.handlers.factories import prediction
from tests.bot.triage.decide_cases import CASES, DEFAULT, HW, PTM, run


def test_never_removes_labels() -> None:
    # Whatever the input, a Decision has no way to remove: only labels to add, none already present.
    for _, kwargs, *_ in CASES:
        decision = run(**kwargs)
        present = {name.casefold() for name in kwargs.get("labels", ())}
        assert not {name.casefold() for name in decision.labels_to_add} & present


LABEL_NAMES = st.sampled_from(
    [PTM, HW, "PTM: Hardware", "ptm: model usage", "bug", "wontfix", "Pre-Trained Model"]
)


@given(
    labels=st.lists(LABEL_NAMES, max_size=4),
    removed=st.lists(LABEL_NAMES, max_size=4),
    ptm=st.floats(0, 1),
    score=st.floats(0, 1),
    kind=st.sampled_from(["opened", "reopened", "transferred", "edited"]),
)
@settings(max_examples=300, deadline=None)
def test_never_adds_present_or_removed_labels(
    labels: list[str], removed: list[str], ptm: float, score: float, kind: str
) -> None:
    config = replace(DEFAULT, triggers=Triggers(edited_within_minutes=5))
    decision = run(config=config, pred=prediction(ptm=ptm, score=score), labels=tuple(labels),
                   removed=tuple(removed), trigger=Trigger(kind, 1.0))  # type: ignore[arg-type]
    added = {name.casefold() for name in decision.labels_to_add}
    assert not added & {name.casefold() for name in [*labels, *removed]}
    assert len(decision.labels_to_add) == len(added) <= 2
    assert (decision.outcome == "labeled") == bool(added)
    if decision.comment is not None:
        assert decision.category is not None and HW.casefold() in added
