"""Settings for a subcommand: a configuration error becomes a fix-it message on stderr."""

from __future__ import annotations

import sys

from bot import runtime
from bot.settings import ConfigurationError, Settings, load_settings


def settings_or_none(
    *, require_app: bool = True, require_secret: bool = True, local_fallback: bool = False
) -> Settings | None:
    try:
        return load_settings(require_app=require_app, require_secret=require_secret, local_fallback=local_fallback)
    except ConfigurationError as exc:
        print(f"ptm-triage: configuration error: {exc}", file=sys.stderr)
        return None


def start(**requirements: bool) -> Settings | None:
    """Settings for a long-running process, with logging set up and start-up notices logged."""
    settings = settings_or_none(**requirements)
    if settings is not None:
        runtime.start_process(settings)
    return settings
