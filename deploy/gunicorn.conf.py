"""gunicorn settings for Scalepress behind nginx: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Sync workers, since nginx buffers every request and response: a worker is busy only while the
page is built, never while a slow client sends or reads. Two workers per two cores measured
best (DESIGN.md, "Performance notes"). Each setting can be overridden from the environment.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
# A page that takes longer than this is killed and logged; nginx answers from its cache or 502.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 20000
max_requests_jitter = 2000
# Requests come only from nginx on this machine (or the private network in front of it).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# With each request, what the app did for a public page: rebuilt it (page=miss) or answered
# from its own cache (page=hit); nginx's log cannot tell for a copy it revalidated.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(L)ss page=%({x-page-cache}o)s'
errorlog = "-"
