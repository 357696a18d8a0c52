"""The dotted path RQ stores in every job: `bot.queue.run_delivery` (see `bot.jobs.rq_queue`).

Kept at this path so that jobs already waiting in Redis, and workers of another release, still find it.
"""

from bot.jobs.rq_queue import run_delivery

__all__ = ["run_delivery"]
