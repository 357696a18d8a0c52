"""One worker-like process for the shared-pacing test: writes labels through the real adapter, paced by
the windows the composition root picks (`bot.runtime.write_pacing`), and treats `Throttled` as a worker
does (the job waits, then runs again).

    python -m tests.bot.github.pacing_worker CONFIG_JSON

CONFIG_JSON: api_url, app_id, key_file, database_url, redis_url (or null), shared (false: this
process's memory only), per_window, window, threads, writes (per thread), targets ([installation, repo,
issue number] to write to in turn). Prints "ready" once set up, waits for a line on stdin, then works.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bot.errors import Throttled
from bot.github.client import AppClientFactory, RequestPolicy
from bot.github.pacing import WriteLimits
from bot.runtime import write_pacing
from bot.settings import Settings
from bot.store.engine import create_schema, make_engine

POLICY = RequestPolicy(timeout=10, attempts=3, base_delay=0.05, max_delay=0.2)


def main(config: dict[str, Any]) -> None:
    settings = Settings(
        app_id=int(config["app_id"]), private_key=Path(config["key_file"]).read_text(), webhook_secret="x",
        github_api_url=config["api_url"], database_url=config["database_url"], redis_url=config["redis_url"],
    )
    engine = make_engine(settings.database_url)
    create_schema(engine)
    limits = WriteLimits(per_minute=int(config["per_window"]), per_hour=1000, max_inline_wait=0.5,
                         window=float(config["window"]))
    pacing = write_pacing(settings, engine) if config["shared"] else None
    factory = AppClientFactory(settings, limits=limits, policy=POLICY, pacing=pacing)
    targets = [tuple(target) for target in config["targets"]]
    errors: list[BaseException] = []

    def work(thread: int) -> None:
        try:
            for n in range(int(config["writes"])):
                installation, repo, number = targets[(thread + n) % len(targets)]
                client = factory.for_installation(int(installation))
                while True:
                    try:
                        client.add_labels(str(repo), int(number), [f"w-{thread}-{n}"])
                        break
                    except Throttled as exc:  # a worker reschedules the job this much later
                        time.sleep(exc.delay)
        except BaseException as exc:
            errors.append(exc)

    print("ready", flush=True)
    sys.stdin.readline()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(int(config["threads"]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    factory.close()
    engine.dispose()
    if errors:
        raise errors[0]


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
