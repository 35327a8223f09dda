"""Database connections under daphne: pool, persistent and per-request, side by side.

    .venv/bin/python bench/asgi_connections.py [--requests 300] [--concurrency 4]

Starts daphne on 127.0.0.1 three times against the development database (make run's, with
the demo companies): with psycopg's pool (DB_POOL=1), with persistent connections
(DB_POOL=0, DB_CONN_MAX_AGE=300) and with a new connection per request (DB_CONN_MAX_AGE=0),
sends the same bounded load to `GET /api/v1/me/` (JWT check and a user query), and
reports requests/s and how many PostgreSQL connections each server opened.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triboka")
HOST = "sucacao.localhost"
DEMO_EMAIL, DEMO_PASSWORD = "exportador@sucacao.ec", "cacao-demo-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sessions_so_far() -> int:
    """Sessions ever opened on the database (PostgreSQL 14+), this one included."""
    time.sleep(1.0)  # statistics are flushed when a backend exits or about every second
    with psycopg.connect(DATABASE_URL) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]


def fetch(port: int, token: str = "") -> int:
    """The signed-in user's profile: a token check and a user query in the company schema."""
    headers = {"Host": HOST, "Authorization": f"Bearer {token}"} if token else {"Host": HOST}
    path = "/api/v1/me/" if token else "/accounts/login/"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
        return response.status


def access_token(port: int) -> str:
    body = json.dumps({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/login/",
        data=body,
        headers={"Host": HOST, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["access"]


MODES = {
    "pool": {"DB_POOL": "1"},
    "persistent": {"DB_POOL": "0", "DB_CONN_MAX_AGE": "300"},
    "per-request": {"DB_POOL": "0", "DB_CONN_MAX_AGE": "0"},
}


def run(mode: str, requests: int, concurrency: int) -> tuple[float, int]:
    port = free_port()
    sessions_before = sessions_so_far()
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        **MODES[mode],
        "DJANGO_DEBUG": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "triboka.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                fetch(port)
                break
            except OSError:
                time.sleep(0.1)
        token = access_token(port)
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as executor:
            statuses = list(executor.map(lambda _: fetch(port, token), range(requests)))
        elapsed = time.perf_counter() - started
        assert statuses == [200] * requests, set(statuses)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return requests / elapsed, sessions_so_far() - sessions_before - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    results = {}
    for mode in MODES:
        print(f"{mode}: {args.requests} requests, {args.concurrency} at a time ...", flush=True)
        results[mode] = run(mode, args.requests, args.concurrency)
    baseline = results["per-request"][0]
    for mode, (rate, opened) in results.items():
        print(
            f"{mode:12s} {rate:7.1f} req/s  {rate / baseline:4.2f}x per-request  connections opened: {opened}"
        )


if __name__ == "__main__":
    main()
