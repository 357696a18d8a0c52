"""The pool of PyGithub clients (bot/github/http.py): a client serves one call at a time, idle ones are reused,
and the oldest idle ones are closed beyond the cap."""

from __future__ import annotations

from collections.abc import Hashable

from bot.github.http import MAX_IDLE, Pool


class Client:
    def __init__(self, key: Hashable) -> None:
        self.key = key
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_a_borrowed_client_is_never_lent_twice_and_is_reused_after() -> None:
    made: list[Client] = []
    pool: Pool[Client] = Pool(lambda key: made.append(Client(key)) or made[-1])
    with pool.borrow(1) as first, pool.borrow(1) as second:
        assert first is not second
    with pool.borrow(1) as again:
        assert again in (first, second)
    with pool.borrow(2) as other:
        assert other.key == 2 and len(made) == 3


def test_idle_clients_beyond_the_cap_are_closed_oldest_first() -> None:
    made: list[Client] = []
    pool: Pool[Client] = Pool(lambda key: made.append(Client(key)) or made[-1])
    for key in range(MAX_IDLE + 2):
        with pool.borrow(key):
            pass
    assert [c.closed for c in made] == [True, True] + [False] * MAX_IDLE
    pool.close()
    assert all(c.closed for c in made)
