"""Installation bookkeeping is recorded once per delivery and writes nothing to GitHub."""

from __future__ import annotations

from sqlalchemy import select

from bot.handlers import installation
from bot.store.decisions import Records, installation_events
from tests.bot.handlers.factories import context, event
from tests.support.fake_github import FakeGitHub


def test_installation_created_and_repositories_changed(records: Records, github: FakeGitHub) -> None:
    created = {
        "action": "created",
        "installation": {"id": 42, "account": {"login": "octo"}},
        "repositories": [{"full_name": "octo/a"}, {"full_name": "octo/b"}, {"bogus": 1}],
    }
    for _ in range(2):  # a redelivery records nothing new
        delivered = event(created, name="installation", delivery="i-1")
        installation.on_installation(delivered, context(records, github))
    changed = {
        "action": "removed",
        "installation": {"id": 42, "account": {"login": "octo"}},
        "repositories_added": [],
        "repositories_removed": [{"full_name": "octo/b"}],
    }
    installation.on_installation_repositories(
        event(changed, name="installation_repositories", delivery="i-2"), context(records, github)
    )
    with records.engine.connect() as conn:
        rows = conn.execute(select(installation_events).order_by(installation_events.c.id)).mappings().all()
    summary = [(r["action"], r["account"], r["repositories_added"], r["repositories_removed"]) for r in rows]
    assert summary == [
        ("created", "octo", ["octo/a", "octo/b"], []),
        ("removed", "octo", [], ["octo/b"]),
    ]
    assert github.calls == []
