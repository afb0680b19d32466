"""gunicorn settings, shared by the Docker image and `make serve`. Environment overrides."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(max(2, multiprocessing.cpu_count()))))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# gthread (default): a slow search holds one thread, not a whole worker; sync and gthread serve the
# other pages equally fast on the 2-core machine (bench/RESULTS.md, "Pages under load").
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# The app is loaded once in the master and the workers fork from it, so replacing a worker costs
# a fork, not the 0.4 s of CPU a fresh Django start takes. (Nothing opens a database connection
# at import, so no socket is shared across the fork.)
preload_app = True
# Each worker is replaced after about this many requests, a guard against slow leaks (every cache
# of the app is bounded). A replacement still costs the worker its database connections,
# prepared statements and page LRU, and sends its keep-alive clients (a proxy's pool, the bench's
# wrk) to the other worker, where they stay: at 5,000 requests, a worker was replaced every
# few seconds under full load, and the bench's trivial view served half as many requests as with
# no replacement (bench/RESULTS.md, "Pages under load", sixth session).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
