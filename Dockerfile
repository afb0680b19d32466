# The reading room for production: gunicorn + WhiteNoise, PostgreSQL from docker-compose.
FROM python:3.13-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN groupadd --system app && useradd --system --gid app --home /app app

COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY --chown=app:app . .
# collectstatic needs settings that import without a real secret.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz/', timeout=4).status != 200)"

CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py createcachetable && exec gunicorn reading_room.wsgi:application --config gunicorn.conf.py"]
