"""gunicorn for `make serve` and the systemd unit (deploy/): settings from the environment.

PORT (8000) and BIND (127.0.0.1: nginx in front; 0.0.0.0 when web machines sit behind a separate
proxy), WEB_CONCURRENCY worker processes (default 2 × cores + 1, at most 8), GUNICORN_TIMEOUT seconds
for one request (long jobs are background tasks, so 60 s is generous). Request lines are logged by
the application as JSON (kechuang.ops.middleware), so gunicorn's own access log stays off.
"""

import multiprocessing
import os

bind = f"{os.environ.get('BIND', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then (bounded memory over weeks)
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "kechuang"
control_socket_disable = True  # one fixed socket path per user would clash between instances
