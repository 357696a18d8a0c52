"""Settings for a subcommand: a configuration error becomes a fix-it message on stderr."""

from __future__ import annotations

import sys

from bot import runtime
from bot.settings import ConfigurationError, Settings, load_settings
from bot.store.preflight import database_problem


def settings_or_none(
    *, require_app: bool = True, require_secret: bool = True, local_fallback: bool = False
) -> Settings | None:
    try:
        return load_settings(require_app=require_app, require_secret=require_secret, local_fallback=local_fallback)
    except ConfigurationError as exc:
        print(f"ptm-triage: configuration error: {exc}", file=sys.stderr)
        return None
    except OSError as exc:  # the secret or credentials file beside the SQLite database
        print(f"ptm-triage: cannot use {exc.filename or 'the directory of the database'} "
              f"({exc.strerror or exc}): check the path in DATABASE_URL, or set it to a writable place",
              file=sys.stderr)
        return None


def start(**requirements: bool) -> Settings | None:
    """Settings for a long-running process whose store answers, with logging set up and start-up notices
    logged. None (after saying what to fix) when it cannot start."""
    settings = settings_or_none(**requirements)
    if settings is None:
        return None
    problem = database_problem(settings.database_url)
    if problem is not None:
        print(f"ptm-triage: {problem}", file=sys.stderr)
        return None
    runtime.start_process(settings)
    return settings
