"""`python -m amity.bench.pgdb URL`: create the benchmark's PostgreSQL database if it is missing."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def ensure_database(url: str) -> bool:
    """Create the database named in `url` (connecting to `postgres`); return whether it was new."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        # C collation keeps name sorts fast (DESIGN §10).
        conn.execute(
            sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
            ).format(sql.Identifier(name))
        )
        return True


if __name__ == "__main__":
    if ensure_database(sys.argv[1]):
        print(f"Created the database {urlsplit(sys.argv[1]).path.lstrip('/')}.")
