"""The stored similar-issues index: survives a new engine, merges rewrites, and links only what it may."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.store import similar
from bot.store.decisions import Records
from bot.store.engine import make_engine
from bot.store.similar import IndexedIssue, find_similar, forget_issue, index_issue, is_indexed
from bot.store.tables import similar_issues

OOM_TITLE = "CUDA out of memory loading whisper large-v3"
OOM_BODY = "torch.cuda.OutOfMemoryError when transcribing with whisper large-v3 on a 12 GB RTX 3060 GPU."


def issue(number: int, repo: str = "octo/app", *, title: str = OOM_TITLE, body: str | None = None,
          state: str = "open", answered: bool = False, private: bool = False) -> IndexedIssue:
    # Each body line differs a little: the index discounts lines shared by several issues (a template).
    text = OOM_BODY.replace("12 GB", f"{number + 7} GB") if body is None else body
    return IndexedIssue(repo, number, title, text, f"https://github.com/{repo}/issues/{number}", state,
                        answered, private)


TOPICS = [
    "dark mode toggle in settings", "typo in README install section", "add French translation",
    "crash when the config file is empty", "support Python 3.13 wheels", "keyboard shortcut for export",
    "slow startup on Windows laptops", "broken link in the changelog", "sort the table by date",
    "logo looks blurry on retina screens", "allow custom fonts in the editor", "migrate CI to newer runners",
    "timezone shown wrong in reports", "search box ignores accents", "add a CSV download button",
    "paginate the history view", "remember the last opened folder", "email notifications arrive twice",
    "spelling of colour in the menu", "print layout cuts the footer", "drag and drop reorders wrongly",
    "tooltip hides the save button", "upgrade the bundled sqlite", "password reset link expires early",
]


def filler(records: Records, repo: str = "octo/app") -> None:
    """Unrelated issues, so that word weights mean something (words in many issues stop counting)."""
    for n, topic in enumerate(TOPICS, start=100):
        index_issue(records.engine, issue(n, repo, title=topic, body=f"Please look at this: {topic}."))


def test_a_near_duplicate_is_found_with_its_state(records: Records) -> None:
    filler(records)
    index_issue(records.engine, issue(1, state="closed", answered=True))
    found = find_similar(records.engine, "octo/app", OOM_TITLE, OOM_BODY + " Any fix?", exclude=2)
    assert [(f.repo, f.number, f.state, f.has_answer) for f in found] == [("octo/app", 1, "closed", True)]
    assert found[0].url == "https://github.com/octo/app/issues/1" and found[0].title == OOM_TITLE
    assert 0.5 < found[0].score <= 1.0


def test_the_issue_itself_is_excluded(records: Records) -> None:
    filler(records)
    index_issue(records.engine, issue(1))
    assert find_similar(records.engine, "octo/app", OOM_TITLE, OOM_BODY, exclude=1) == ()


def test_unrelated_text_finds_nothing(records: Records) -> None:
    filler(records)
    index_issue(records.engine, issue(1))
    assert find_similar(records.engine, "octo/app", "Logo is blurry", "The logo on the homepage is blurry.") == ()


def test_it_survives_a_restart(records: Records, database_url: str) -> None:
    filler(records)
    index_issue(records.engine, issue(1, state="closed", answered=True))
    records.engine.dispose()
    fresh = make_engine(database_url)
    try:
        found = find_similar(fresh, "octo/app", OOM_TITLE, OOM_BODY, exclude=2)
    finally:
        fresh.dispose()
    assert [f.number for f in found] == [1]


def test_reindexing_replaces_the_row(records: Records) -> None:
    filler(records)
    index_issue(records.engine, issue(1))
    index_issue(records.engine, issue(1, state="closed", answered=True))
    index_issue(records.engine, issue(1, state="closed", answered=True))
    with records.engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(similar_issues)
                             .where(similar_issues.c.issue_number == 1)).scalar_one()
    assert count == 1
    assert is_indexed(records.engine, "octo/app", 1)
    assert find_similar(records.engine, "octo/app", OOM_TITLE, OOM_BODY, exclude=2)[0].state == "closed"


def test_closed_and_answered_come_first(records: Records) -> None:
    filler(records)
    index_issue(records.engine, issue(1))
    index_issue(records.engine, issue(2, state="closed", answered=True))
    index_issue(records.engine, issue(3, state="closed"))
    found = find_similar(records.engine, "octo/app", OOM_TITLE, OOM_BODY, exclude=9)
    assert [f.number for f in found] == [2, 3, 1]


def test_at_most_three(records: Records) -> None:
    filler(records)
    for n in range(1, 7):
        index_issue(records.engine, issue(n))
    assert len(find_similar(records.engine, "octo/app", OOM_TITLE, OOM_BODY, exclude=9)) == 3


def test_other_repositories_only_when_allowed_and_never_private_ones(records: Records) -> None:
    filler(records)
    filler(records, "octo/other")
    index_issue(records.engine, issue(5, "octo/other"))
    index_issue(records.engine, issue(6, "octo/secret", private=True))
    index_issue(records.engine, issue(7, "someone/else"))
    args = ("octo/app", OOM_TITLE, OOM_BODY)
    assert find_similar(records.engine, *args) == ()
    across = find_similar(records.engine, *args, across_repositories=True)
    assert [(f.repo, f.number) for f in across] == [("octo/other", 5)]


def test_a_private_repository_sees_its_own_issues(records: Records) -> None:
    filler(records, "octo/secret")
    index_issue(records.engine, issue(6, "octo/secret", private=True))
    found = find_similar(records.engine, "octo/secret", OOM_TITLE, OOM_BODY, exclude=7)
    assert [(f.repo, f.number) for f in found] == [("octo/secret", 6)]


def test_like_wildcards_in_the_owner_match_nothing_else(records: Records) -> None:
    index_issue(records.engine, issue(5, "octoXapp/other"))
    assert find_similar(records.engine, "octo_app/x", OOM_TITLE, OOM_BODY, across_repositories=True) == ()


def test_a_deleted_issue_is_forgotten(records: Records) -> None:
    filler(records)
    index_issue(records.engine, issue(1))
    forget_issue(records.engine, "octo/app", 1)
    assert not similar.is_indexed(records.engine, "octo/app", 1)
    assert find_similar(records.engine, "octo/app", OOM_TITLE, OOM_BODY) == ()


def test_a_repository_made_private_leaves_other_repositories_suggestions(records: Records) -> None:
    filler(records)
    index_issue(records.engine, issue(5, "octo/other"))
    args = ("octo/app", OOM_TITLE, OOM_BODY)
    assert [f.number for f in find_similar(records.engine, *args, across_repositories=True)] == [5]
    index_issue(records.engine, issue(8, "octo/other", title="Unrelated", body="docs", private=True))
    assert find_similar(records.engine, *args, across_repositories=True) == ()
