from __future__ import annotations

import json
from pathlib import Path

from classifier.similar import THRESHOLD, SimilarityIndex

FIXTURE = Path(__file__).parent / "fixtures" / "similar_judgments.json"

OOM = (
    "CUDA out of memory when loading whisper large-v3",
    "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB on my RTX 3060 12GB "
    "while loading whisper large-v3 with fp16 and batch size 16",
)
OOM_AGAIN = (
    "whisper large-v3 CUDA out of memory on RTX 3060",
    "Loading whisper large-v3 gives torch.cuda.OutOfMemoryError CUDA out of memory, 12GB card, fp16, batch size 8",
)
UNRELATED = ("Dark mode for the settings page", "The settings page is too bright at night, please add a dark theme")
TEMPLATE = "**Describe the bug**\nA clear and concise description of what the bug is.\n**To Reproduce**\nSteps"


def test_a_near_duplicate_is_found_and_an_unrelated_issue_is_not() -> None:
    index = SimilarityIndex()
    index.add("1", *OOM, state="closed", has_answer=True)
    index.add("2", *UNRELATED)
    found = index.query(*OOM_AGAIN)
    assert [m.key for m in found] == ["1"]
    assert found[0].score > THRESHOLD and found[0].state == "closed" and found[0].has_answer


def test_closed_and_answered_issues_rank_first_among_near_ties() -> None:
    index = SimilarityIndex()
    index.add("open", *OOM)
    index.add("closed", *OOM, state="closed", has_answer=True)
    assert [m.key for m in index.query(*OOM_AGAIN)] == ["closed", "open"]


def test_state_changes_and_updates() -> None:
    index = SimilarityIndex()
    index.add("1", *OOM)
    index.set_state("1", "closed", has_answer=True)
    assert index.query(*OOM_AGAIN)[0].state == "closed"
    index.set_state("missing", "closed")  # unknown keys are ignored
    index.add("1", *UNRELATED)  # an edit replaces the text
    assert index.query(*OOM_AGAIN) == ()
    assert len(index) == 1
    index.remove("1")
    assert len(index) == 0 and index.doc_freq == {} and index.line_freq == {}


def test_k_exclude_and_empty_queries() -> None:
    index = SimilarityIndex()
    for key in "abcd":
        index.add(key, *OOM)
    assert len(index.query(*OOM_AGAIN, k=2)) == 2
    assert "a" not in {m.key for m in index.query(*OOM, exclude="a")}
    assert index.query("", "") == ()


def test_filled_in_templates_are_not_duplicates() -> None:
    index = SimilarityIndex()
    for n in range(3):
        index.add(str(n), f"Bug: thing {n}", TEMPLATE)
    assert index.query("Bug:", TEMPLATE) == ()


def test_round_trip_through_json() -> None:
    index = SimilarityIndex()
    index.add("1", *OOM, state="closed", has_answer=True)
    index.add("2", *UNRELATED)
    data = json.loads(json.dumps(index.to_data()))
    restored = SimilarityIndex.from_data(data)
    assert restored.query(*OOM_AGAIN) == index.query(*OOM_AGAIN)
    assert restored.doc_freq == index.doc_freq and restored.line_freq == index.line_freq


def test_unknown_data_version_is_refused() -> None:
    try:
        SimilarityIndex.from_data({"version": 99, "issues": {}})
    except ValueError as error:
        assert "version" in str(error)
    else:
        raise AssertionError("expected ValueError")


def test_fixture_has_the_required_size_and_shape() -> None:
    judgments = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert len(judgments) >= 50
    for pair, related in judgments.items():
        later, earlier = pair.split(" -> ")
        assert later.startswith("https://github.com/") and earlier.startswith("https://github.com/")
        assert later.rsplit("/issues/", 1)[0] == earlier.rsplit("/issues/", 1)[0]  # one repository
        assert isinstance(related, bool)
