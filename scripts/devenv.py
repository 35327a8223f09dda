"""The services behind `make run` and `make test`: find or start PostgreSQL and Redis,
then serve the product or run the tests. Everything started here stops on exit (Ctrl-C).

PostgreSQL, in order: $DATABASE_URL; a server answering on 127.0.0.1:5432 (a `triboka`
database is created if missing); for `make test` only, the machine's own cluster started
with pg_ctlcluster; an embedded PostgreSQL 16 (the `pgserver` wheel) under var/pgdata.

Redis: $REDIS_URL; a server answering on 127.0.0.1:6379; for `make test`, redis-server
started here. `make run` without REDIS_URL runs on in-memory layers and inline tasks.

MQTT: `make run` with MQTT_URL set starts `manage.py mqtt_ingest` beside daphne. `make test`
uses $TEST_MQTT_URL, or a broker answering on 127.0.0.1:1883, or starts mosquitto there
(installing the Debian package when it can); without one the MQTT tests are skipped. The
redis-server and mosquitto started for the tests keep running for the next run.
"""

import argparse
import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PYTHON = sys.executable
DEFAULT_DB = "triboka"
LOCAL_PG = ("127.0.0.1", 5432)
LOCAL_REDIS = ("127.0.0.1", 6379)
LOCAL_MQTT = ("127.0.0.1", 1883)

_children: list[subprocess.Popen] = []
_cleanups: list = []


def say(message: str) -> None:
    print(f"[triboka] {message}", flush=True)


def answers(address: tuple[str, int], timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(address, timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


# --- PostgreSQL -----------------------------------------------------------------------


def create_database_if_missing(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/") or DEFAULT_DB
    maintenance = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            say(f"Created database {name}.")


def start_system_postgres() -> bool:
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").exists():
        return False
    for version in sorted(os.listdir("/etc/postgresql"), reverse=True):
        say(f"Starting the machine's PostgreSQL {version} cluster ...")
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False,
        )
        if wait_until(lambda: answers(LOCAL_PG), 20):
            return True
    return False


def start_embedded_postgres() -> str:
    try:
        import pgserver
    except ImportError:
        sys.exit(
            "No PostgreSQL answers and the embedded one (pgserver) is not installed. "
            "Install PostgreSQL 16 or set DATABASE_URL."
        )
    pgdata = VAR / "pgdata"
    pgdata.mkdir(parents=True, exist_ok=True)
    say(f"No PostgreSQL answers on 127.0.0.1:5432; starting the embedded PostgreSQL 16 in {pgdata} ...")
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    _cleanups.append(server.cleanup)
    socket_dir = server.get_postmaster_info().socket_dir
    url = f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DEFAULT_DB}"
    server.psql("SELECT 1;")  # fails loudly if the server is not usable
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DEFAULT_DB}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DEFAULT_DB};")
    os.environ.setdefault("PG_DUMP", str(Path(pgserver.__file__).parent / "pginstall/bin/pg_dump"))
    return url


def ensure_postgres(*, start_system: bool) -> tuple[str, str]:
    """Returns (DATABASE_URL, a sentence saying which database is used)."""
    if os.environ.get("DATABASE_URL"):
        url = os.environ["DATABASE_URL"]
        create_database_if_missing(url)
        return url, "the database in DATABASE_URL"
    url = f"postgres://postgres@{LOCAL_PG[0]}:{LOCAL_PG[1]}/{DEFAULT_DB}"
    if answers(LOCAL_PG) or (start_system and start_system_postgres()):
        create_database_if_missing(url)
        return url, f"the local PostgreSQL on 127.0.0.1:5432 (database {DEFAULT_DB})"
    url = start_embedded_postgres()
    return url, f"the embedded PostgreSQL 16 under {VAR / 'pgdata'}"


# --- Redis -----------------------------------------------------------------------------


def ensure_redis(*, required: bool) -> str:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    url = f"redis://{LOCAL_REDIS[0]}:{LOCAL_REDIS[1]}/0"
    if answers(LOCAL_REDIS):
        return url if required else ""
    if not required:
        return ""
    if not shutil.which("redis-server"):
        sys.exit(
            "Redis is not running and redis-server is not installed. "
            "Install it (Debian/Ubuntu: apt install redis-server) or set REDIS_URL."
        )
    say("Starting redis-server on 127.0.0.1:6379 ...")
    (VAR / "redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(VAR / "redis"),
            "--logfile",
            str(VAR / "redis" / "redis.log"),
        ],
        check=True,
    )
    if not wait_until(lambda: answers(LOCAL_REDIS), 10):
        sys.exit("redis-server did not start; see var/redis/redis.log.")
    return url


# --- MQTT ------------------------------------------------------------------------------

MOSQUITTO_CONF = """\
# Written by scripts/devenv.py for the tests: anonymous, on localhost only, in memory.
listener {port} {host}
allow_anonymous true
persistence false
# the tests queue messages for a stopped ingester; mosquitto's default keeps 1000
max_queued_messages 100000
log_dest file {log}
pid_file {pid}
# as root mosquitto would switch to its own user, who cannot write under var/
user {user}
"""


def ensure_mosquitto() -> str:
    """For `make test`: the broker's URL, or "" when there is none (the MQTT tests skip)."""
    if os.environ.get("TEST_MQTT_URL"):
        return os.environ["TEST_MQTT_URL"]
    url = f"mqtt://{LOCAL_MQTT[0]}:{LOCAL_MQTT[1]}"
    if answers(LOCAL_MQTT):
        return url
    if not _which("mosquitto"):
        say("mosquitto is not installed (Debian/Ubuntu: apt install mosquitto): MQTT tests will be skipped.")
        return ""
    say(f"Starting mosquitto on {LOCAL_MQTT[0]}:{LOCAL_MQTT[1]} ...")
    folder = VAR / "mosquitto"
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "mosquitto.conf"
    conf.write_text(
        MOSQUITTO_CONF.format(
            host=LOCAL_MQTT[0],
            port=LOCAL_MQTT[1],
            log=folder / "mosquitto.log",
            pid=folder / "mosquitto.pid",
            user=getpass.getuser(),
        )
    )
    subprocess.run([_which("mosquitto"), "-d", "-c", str(conf)], check=False)
    if not wait_until(lambda: answers(LOCAL_MQTT), 10):
        say("mosquitto did not start (see var/mosquitto/mosquitto.log): the MQTT tests will be skipped.")
        return ""
    return url


def start_mqtt_ingest() -> None:
    """With MQTT_URL: the devices' MQTT readings stored as they arrive (iot/mqtt.py)."""
    say("Starting the MQTT ingester (manage.py mqtt_ingest) ...")
    _children.append(subprocess.Popen([PYTHON, "manage.py", "mqtt_ingest"], cwd=ROOT))


def _without_password(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    return parsed._replace(netloc=f"{parsed.username}:***@{parsed.hostname}:{parsed.port or 1883}").geturl()


# --- commands --------------------------------------------------------------------------


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def stop_everything(*_):
    for child in _children:
        if child.poll() is None:
            child.terminate()
    for child in _children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
    for cleanup in reversed(_cleanups):
        cleanup()


def banner(host: str, port: int, db_sentence: str, redis_url: str, mqtt_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    from master.companies import demo_data as demo

    redis_state = (
        f"{redis_url} (channel layer; Celery worker and beat running)"
        if redis_url
        else "not set: in-memory channel layer, tasks run inline"
    )
    mqtt_state = (
        f"{_without_password(mqtt_url)} (mqtt_ingest storing devices' readings)"
        if mqtt_url
        else "MQTT_URL not set: no MQTT ingestion"
    )
    lines = [
        "",
        "Triboka is running.",
        f"  Database: {db_sentence}",
        f"  Redis:    {redis_state}",
        f"  MQTT:     {mqtt_state}",
        "",
        f"  Master panel:  http://localhost:{port}/admin/   {demo.MASTER_EMAIL} / {demo.DEMO_PASSWORD}",
    ]
    for slug, name, _ruc, kind, admin_email, email_domain in demo.DEMO_COMPANIES:
        lines.append(f"  {name} ({kind}): http://{slug}.localhost:{port}/")
        lines.append(f"      {admin_email} / {demo.DEMO_PASSWORD}  (company admin, /admin/ for users)")
        for local_part, role in demo.DEMO_ROLE_USERS:
            lines.append(f"      {local_part}@{email_domain} / {demo.DEMO_PASSWORD}  ({role})")
    lines.append(f"  API docs: http://sucacao.localhost:{port}/api/docs/")
    lines.append("Press Ctrl-C to stop.")
    print("\n".join(lines), flush=True)


def run(args) -> int:
    db_url, db_sentence = ensure_postgres(start_system=False)
    os.environ["DATABASE_URL"] = db_url
    redis_url = ensure_redis(required=False) if os.environ.get("REDIS_URL") else ""
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("PUBLIC_URL_PORT", str(args.port))
    say(f"Using {db_sentence}.")
    say("Migrating the public schema, the tenant template and every company ...")
    manage("migrate_schemas", "--noinput", "-v", "0")
    manage("bootstrap_demo")
    if redis_url:
        start_celery()
    mqtt_url = os.environ.get("MQTT_URL", "")
    if mqtt_url:
        start_mqtt_ingest()
    daphne = subprocess.Popen(
        [PYTHON, "-m", "daphne", "-b", args.host, "-p", str(args.port), "triboka.asgi:application"],
        cwd=ROOT,
    )
    _children.append(daphne)
    if not wait_until(lambda: answers((args.host, args.port)) or daphne.poll() is not None, 60):
        say("daphne did not start listening within 60 s.")
    if daphne.poll() is not None:
        return daphne.returncode
    banner(args.host, args.port, db_sentence, redis_url, mqtt_url)
    try:
        return daphne.wait()
    except KeyboardInterrupt:
        say("Stopping ...")
        return 0


def start_celery() -> None:
    """With REDIS_URL: the schedules in the database, one worker and beat beside daphne.
    Without it, tasks run inline in the web process (CELERY_TASK_ALWAYS_EAGER)."""
    manage("setup_periodic_tasks")
    for role in (["worker", "--concurrency", "2", "--loglevel", "INFO"], ["beat", "--loglevel", "INFO"]):
        say(f"Starting the Celery {role[0]} ...")
        _children.append(subprocess.Popen([PYTHON, "-m", "celery", "-A", "triboka", *role], cwd=ROOT))


def test(args) -> int:
    db_url, db_sentence = ensure_postgres(start_system=True)
    os.environ["DATABASE_URL"] = db_url
    # Database 15 of a local Redis: the tests flush it, so never the one `make run` uses.
    redis = urlparse(ensure_redis(required=True))
    os.environ["REDIS_URL"] = os.environ.get("TEST_REDIS_URL") or redis._replace(path="/15").geturl()
    say(
        f"Tests use {db_sentence} (pytest creates its own test_ database there) "
        f"and Redis at {os.environ['REDIS_URL']}."
    )
    ensure_test_packages()
    mqtt_url = ensure_mosquitto()
    if mqtt_url:
        os.environ["TEST_MQTT_URL"] = mqtt_url
        say(f"MQTT tests use the broker at {mqtt_url}.")
    manage("makemigrations", "--check", "--dry-run", "-v", "1")
    return subprocess.run([PYTHON, "-m", "pytest", *args.pytest_args], cwd=ROOT).returncode


# Debian packages some tests use: the browser tests drive chromium, the nginx test runs `nginx -t`
# on the configuration render_nginx writes, the MQTT tests need a mosquitto broker when none
# runs. Without them those tests are skipped, saying why.
TEST_PACKAGES = {
    "chromium": "chromium",
    "chromedriver": "chromium-driver",
    "nginx": "nginx-light",
    "mosquitto": "mosquitto",
}


def ensure_test_packages() -> None:
    """Installs the missing TEST_PACKAGES like the other services (as root through apt-get)."""
    missing = {package for binary, package in TEST_PACKAGES.items() if not _which(binary)}
    if os.environ.get("TEST_MQTT_URL") or answers(LOCAL_MQTT):
        missing.discard("mosquitto")  # a broker runs already
    missing = sorted(missing)
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        say(
            f"{', '.join(missing)} missing and cannot be installed here: "
            "the tests that need them will be skipped."
        )
        return
    say(f"Installing {', '.join(missing)} (Debian packages) for the browser, nginx and MQTT tests ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    installed = subprocess.run(["apt-get", "install", "-y", "-q", *missing], env=env)
    if installed.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env)
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], env=env)


def _which(binary: str) -> str | None:
    return shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/sbin")


def read_dot_env() -> None:
    """The same .env that settings.py reads, so this launcher and Django agree."""
    path = ROOT / ".env"
    if path.exists():
        import environ

        environ.Env.read_env(path, overwrite=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="serve the product with demo companies")
    run_parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    test_parser = sub.add_parser("test", help="run the test suite")
    test_parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.command == "run":
        read_dot_env()
    else:
        os.environ["DJANGO_READ_DOT_ENV"] = "0"  # the tests expect the development defaults
    try:
        return run(args) if args.command == "run" else test(args)
    finally:
        stop_everything()


if __name__ == "__main__":
    sys.exit(main())
