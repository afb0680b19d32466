"""The docker-compose stack, checked where no Docker engine runs: the files must agree with each
other and with the code (the start itself is booted by test_production.py)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def instructions(dockerfile: list[str], name: str) -> list[str]:
    return [line.split(None, 1)[1] for line in dockerfile if line.split(None, 1)[0].upper() == name]


def test_database_service_keeps_its_data_and_reports_health(compose):
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:")
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"], "a named volume, not a container layer"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


@pytest.mark.parametrize("service", ["web", "load"])
def test_app_services_wait_for_a_healthy_database_and_read_env(compose, service):
    spec = compose["services"][service]
    assert spec["build"] == "."
    assert spec["env_file"] == ".env"
    assert spec["depends_on"]["db"]["condition"] == "service_healthy"
    assert spec["environment"]["POSTGRES_HOST"] == "db"


def test_web_refuses_to_start_without_a_secret_key(compose):
    assert ":?" in compose["services"]["web"]["environment"]["DJANGO_SECRET_KEY"]


def test_load_service_is_a_tool_that_migrates_and_ingests(compose):
    load = compose["services"]["load"]
    assert load["profiles"] == ["tools"]
    command = " ".join(load["command"])
    assert "migrate" in command
    assert "ingest_cables /data" in command
    assert load["volumes"][0].endswith(":/data:ro")


def test_image_is_slim_runs_as_a_user_and_starts_through_scripts_serve(dockerfile):
    image = instructions(dockerfile, "FROM")[0].split()[0]
    assert re.fullmatch(r"python:3\.(\d+)-slim", image)
    minor = int(image.split(".")[1].split("-")[0])
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert minor >= int(requires.split(".")[1]), f"{image} older than requires-python {requires}"
    users = instructions(dockerfile, "USER")
    assert users and users[-1] not in {"root", "0"}
    last_user = max(i for i, line in enumerate(dockerfile) if line.upper().startswith("USER "))
    last_cmd = max(i for i, line in enumerate(dockerfile) if line.upper().startswith("CMD "))
    assert last_user < last_cmd
    assert instructions(dockerfile, "CMD") == ['["scripts/serve"]']
    assert "scripts/healthcheck" in instructions(dockerfile, "HEALTHCHECK")[0]
    assert "pip install -r requirements.lock" in instructions(dockerfile, "RUN")
    assert (ROOT / "scripts" / "serve").stat().st_mode & 0o111
    assert (ROOT / "scripts" / "healthcheck").stat().st_mode & 0o111


def test_scripts_serve_migrates_and_collects_static_at_every_start():
    serve = (ROOT / "scripts" / "serve").read_text()
    assert "manage.py migrate --noinput" in serve
    assert "manage.py collectstatic --noinput" in serve
    steps = [serve.index(f"manage.py {step}") for step in ("migrate", "collectstatic")]
    assert steps == sorted(steps)
    assert steps[-1] < serve.index("-m gunicorn")


def test_every_variable_the_app_reads_is_documented_in_env_example(compose):
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    sources = [ROOT / "gunicorn.conf.py", *sorted((ROOT / "reading_room").glob("*.py"))]
    read = set()
    for path in sources:
        read |= set(
            re.findall(r"(?:environ(?:\.get)?[([]|env_\w+\()\s*\"([A-Z][A-Z0-9_]+)\"", path.read_text())
        )
    compose_vars = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", (ROOT / "docker-compose.yml").read_text()))
    internal = {"DJANGO_TESTING"}  # set by `make test` only
    assert read - internal, "the pattern finds the settings' variables"
    assert sorted((read | compose_vars) - internal - documented) == []


def _gunicorn_settings(monkeypatch, **environ: str) -> dict:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    namespace: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    return namespace


def test_gunicorn_replaces_workers_rarely_and_the_operator_can_say_how_rarely(monkeypatch):
    """A worker replaced every few thousand requests halved the throughput under load (each
    replacement drops its connections, prepared statements and page LRU)."""
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    default = _gunicorn_settings(monkeypatch)
    assert default["preload_app"] is True
    assert default["max_requests"] >= 50_000
    assert 0 < default["max_requests_jitter"] < default["max_requests"]
    assert _gunicorn_settings(monkeypatch, GUNICORN_MAX_REQUESTS="0")["max_requests"] == 0  # never
    assert _gunicorn_settings(monkeypatch, GUNICORN_MAX_REQUESTS="20000")["max_requests"] == 20_000
