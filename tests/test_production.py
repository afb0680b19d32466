"""The production configuration, booted for real: scripts/serve (gunicorn, DEBUG off,
WhiteNoise, PostgreSQL), then the pages a visitor and an operator need."""

from __future__ import annotations

import gzip
import http.client
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "corpus" / "seed"
PG_ADMIN_URL = os.environ.get("CABLES_TEST_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (our own server)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own server)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextmanager
def serving(log: Path, env: dict[str, str], port: int) -> Iterator[str]:
    """Run scripts/serve with ``env`` until it answers /healthz/ (with a Host it accepts); yield
    its base URL; stop it."""
    hosts = env.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1").split(",")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "serve")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    pytest.fail(f"scripts/serve exited {process.returncode}:\n{log.read_text()}")
                try:
                    if _get(base + "/healthz/", {"Host": hosts[0]})[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.5)
            else:
                pytest.fail(f"server did not come up:\n{log.read_text()}")
            yield base
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "POSTGRES_"))}


def _drop_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """scripts/serve against a throwaway PostgreSQL database with the seed cable loaded."""
    name = f"rr_serve_{uuid.uuid4().hex[:10]}"
    port = _free_port()
    env = {
        **_base_env(),
        "DATABASE_URL": PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}",
        "DJANGO_SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        "DJANGO_STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "CABLES": str(SEED),
        "PY": str(ROOT / ".venv" / "bin" / "python"),
    }
    try:
        with serving(tmp_path_factory.mktemp("log") / "serve.log", env, port) as base:
            yield base
    finally:
        _drop_database(name)


def test_container_start_with_compose_settings_is_healthy_by_its_healthcheck(tmp_path):
    """What the Docker image does (CMD scripts/serve, HEALTHCHECK scripts/healthcheck), with the
    variables docker-compose gives the web service: POSTGRES_* instead of DATABASE_URL, a real
    host name only in DJANGO_ALLOWED_HOSTS, HTTPS settings on, `python -m gunicorn`."""
    url = urlsplit(PG_ADMIN_URL)
    name = f"rr_compose_{uuid.uuid4().hex[:10]}"
    port = _free_port()
    venv = str(ROOT / ".venv" / "bin")
    env = {
        **_base_env(),
        "PATH": f"{venv}:{os.environ.get('PATH', '/usr/bin:/bin')}",  # the image's `python`
        "PY": "python",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": url.username or "postgres",
        "POSTGRES_PASSWORD": url.password or "",
        "POSTGRES_DB": name,
        "DJANGO_SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": "cables.example.org",
        "DJANGO_SECURE_SSL": "1",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    try:
        with serving(tmp_path / "serve.log", env, port) as base:
            health = subprocess.run(
                [str(ROOT / "scripts" / "healthcheck")], env=env, capture_output=True, text=True, timeout=30
            )
            assert health.returncode == 0, health.stderr
            # without the allowed host, Django refuses the request: why the healthcheck sends one
            assert _get(base + "/healthz/")[0] == 400
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/", headers={"Host": "cables.example.org"})
            response = connection.getresponse()
            assert response.status == 301  # HTTPS redirect (DJANGO_SECURE_SSL)
            assert response.getheader("Location") == "https://cables.example.org/"
            connection.close()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        stopped = subprocess.run(
            [str(ROOT / "scripts" / "healthcheck")], env=env, capture_output=True, text=True, timeout=30
        )
        assert stopped.returncode == 1
        assert "unhealthy" in stopped.stderr
    finally:
        _drop_database(name)


def test_health_endpoint_checks_the_database(server):
    status, _, body = _get(server + "/healthz/")
    assert status == 200
    assert b'"database": "postgresql"' in body


def test_home_page_is_served_without_debug(server):
    status, headers, body = _get(server + "/")
    assert status == 200
    assert b"06PARIS6189" in body
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_cable_page(server):
    status, _, body = _get(server + "/cables/06PARIS6189/")
    assert status == 200
    assert b"FRANCE WANTS MORE CONCRETE MEASURES" in body


def test_unknown_page_is_the_friendly_404(server):
    status, _, body = _get(server + "/no/such/page/")
    assert status == 404
    assert b"Not found" in body
    assert b"Traceback" not in body


def test_static_file_is_compressed_and_cached_for_ever(server):
    _, _, home = _get(server + "/")
    start = home.index(b"/static/css/reading-room.")
    href = home[start : home.index(b'"', start)].decode()
    assert href != "/static/css/reading-room.css", "manifest storage gives hashed names"
    status, headers, body = _get(server + href, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"
    assert b"--ink" in gzip.decompress(body)
    assert "max-age=315360000" in headers["Cache-Control"] or "immutable" in headers["Cache-Control"]


def test_admin_login_page(server):
    status, headers, body = _get(server + "/admin/login/")
    assert status == 200
    assert b'name="csrfmiddlewaretoken"' in body
    assert "csrftoken" in headers.get("Set-Cookie", "")
