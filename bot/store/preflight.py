"""Checking DATABASE_URL before a process starts: a message that says what to fix instead of a traceback
from SQLAlchemy. Messages never show the URL's password."""

from __future__ import annotations

from sqlalchemy import URL, Engine, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot.store.engine import make_engine, normalise_url

CONNECT_TIMEOUT = 10  # seconds to wait for a PostgreSQL server at start-up
EXAMPLES = "sqlite:///path/to/ptm-triage.db or postgresql://USER:PASSWORD@HOST:5432/DATABASE"


def database_problem(url: str) -> str | None:
    """None when the store at `url` answers; otherwise what is wrong and what to do about it."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return f"DATABASE_URL is not a database URL; use one like {EXAMPLES}"
    shown = parsed.render_as_string(hide_password=True)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        return (f"DATABASE_URL {shown}: the {backend!r} database is not supported; "
                f"use SQLite or PostgreSQL, e.g. {EXAMPLES}")
    try:
        engine = _engine(url, parsed)
    except NoSuchModuleError:
        return (f"DATABASE_URL {shown}: unknown driver {parsed.get_driver_name()!r}; "
                f"use one like {EXAMPLES}")
    except ModuleNotFoundError as exc:
        return (f"DATABASE_URL {shown}: the database driver is not installed ({exc}); for PostgreSQL "
                "install it with pip install 'ptm-triage[scale]', or leave DATABASE_URL unset for SQLite")
    except OSError as exc:  # the SQLite file's directory cannot be created
        return (f"DATABASE_URL {shown}: cannot create the directory of the SQLite file "
                f"({exc.strerror or exc}); check the path, or set DATABASE_URL to another file")
    except ValueError as exc:
        return f"DATABASE_URL {shown}: {str(exc).removeprefix('DATABASE_URL: ')}"
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        return _unreachable(shown, backend, parsed, exc)
    finally:
        engine.dispose()
    return None


def _engine(url: str, parsed: URL) -> Engine:
    if parsed.get_backend_name() == "postgresql":
        return make_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT})
    return make_engine(url)


def _unreachable(shown: str, backend: str, parsed: URL, exc: DBAPIError) -> str:
    # The driver's first line says why (refused, unknown host, password failed); it quotes no password.
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
    if backend == "sqlite":
        return (f"cannot open the SQLite database {parsed.database} ({reason}): check that its directory "
                "exists and is writable, or set DATABASE_URL to another file")
    return (f"cannot connect to the database {shown} ({reason}): start the PostgreSQL server, or fix the "
            "host, port, user, password or database name in DATABASE_URL")
