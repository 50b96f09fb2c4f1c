"""Where the CDR database is: the default URL and the environment variable that overrides it.

Kept apart from `cdr.store.db` (which needs SQLAlchemy) so that the CLI can name them in its help
without loading a database driver.
"""

from __future__ import annotations

import os

DEFAULT_URL = "sqlite+aiosqlite:///callcenter.db"
URL_ENV = "CALLCENTER_DB"


def default_url() -> str:
    """The database URL from $CALLCENTER_DB, else a SQLite file in the working directory."""
    return os.environ.get(URL_ENV, DEFAULT_URL)
