# The reading room for production: gunicorn + WhiteNoise, PostgreSQL from docker-compose.
# The container runs scripts/serve, the same start as `make serve` (tested by
# tests/test_production.py): database check, migrations, collectstatic, then gunicorn.
FROM python:3.13-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PY=python \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /app
RUN groupadd --system app && useradd --system --gid app --home /app app

COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY --chown=app:app . .
RUN chown app:app /app
USER app
# Static files at build time too, so that a first start is quick (settings import without a
# real secret here); scripts/serve collects again at start.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["scripts/healthcheck"]

CMD ["scripts/serve"]
