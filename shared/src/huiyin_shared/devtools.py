"""Small helpers for the set-up scripts (no shell client for PostgreSQL needed).

python -m huiyin_shared.devtools create-databases ADMIN_URL NAME [NAME ...]
python -m huiyin_shared.devtools wait-ready URL SECONDS
"""

from __future__ import annotations

import asyncio
import re
import sys
import time

import asyncpg
import httpx

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


async def create_databases(admin_url: str, names: list[str]) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        for name in names:
            if not _NAME.match(name):
                raise ValueError(f"not a plain database name: {name!r}")
            exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def wait_ready(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "create-databases":
        asyncio.run(create_databases(argv[1], argv[2:]))
        return 0
    if len(argv) == 3 and argv[0] == "wait-ready":
        return 0 if wait_ready(argv[1], float(argv[2])) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
