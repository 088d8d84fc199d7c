"""gunicorn's settings for the portal (deploy/portal-web.service and `make prod-check`).

Each web machine runs one gunicorn behind nginx. The processes keep no state of their own:
sessions, rate limits, SMS caps, the upload stash and cached pages live in Redis, records in
PostgreSQL, files in the shared storage, so any number of machines can serve the same site.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two processes per core, each with two threads: a thread waiting on PostgreSQL or Redis
# lets the other run. More threads per process only queue for the same interpreter lock: on
# two cores, four threads gave a mixed-load p95 of 310-410 ms where two gave 265-330
# (docs/caching.md).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# A request taking longer than this is killed (PDF batches and long imports run on the worker).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A process is replaced after this many requests (with jitter, so not all at once), which
# bounds any slow growth of its memory. Not too often: a new process answers its first requests
# slowly (templates compiled, translations and URL patterns loaded again), and at a rush's
# 1,000 requests/s of cached pages 2,000 requests meant each process restarting every few
# seconds (bench/load.py saw second-long answers around each restart).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# nginx on the same machine (or the load balancer's addresses) may say the request was https
# (X-Forwarded-Proto) and who sent it (X-Forwarded-For, read by TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Logs to stderr, where systemd's journal collects them; Django's own lines are JSON already.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
# Load the application before forking: a half-configured production refuses to start once
# (portal.checks), not in every process.
preload_app = True
# gunicorn's control socket (one fixed path per user) is not used; two servers on one machine
# (make prod-check) would fight over it.
control_socket_disable = True
