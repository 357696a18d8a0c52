"""Deployment settings: `load_settings(env)` reads the environment (and the files beside the store)."""

from bot.errors import ConfigurationError
from bot.settings.files import default_database_url, local_secret_path, sqlite_path
from bot.settings.load import Settings, load_settings

__all__ = [
    "ConfigurationError",
    "Settings",
    "default_database_url",
    "load_settings",
    "local_secret_path",
    "sqlite_path",
]
