"""Locust users for bench/load/run.py: log in once (demo accounts), then read pages and API lists.

Two phases, both from locust's own statistics: the **ramp-up** (users arrive at the spawn rate, log in
and make the server's processes warm) and the **steady state**. When every user has logged in and
BENCH_WARMUP seconds more have passed, the ramp-up's statistics are written with locust's CSV writer
(BENCH_RAMP_CSV, the same columns as ``--csv``'s ``_stats.csv``; logins included), the statistics are
reset (``RequestStats.reset_all``, what ``--reset-stats`` does at spawning complete — which is too
early here: users are still logging in then) and the run stops BENCH_STEADY seconds later, so the
``--csv`` files hold the steady state alone. The ramp-up file also says when the steady state began
and the CPU seconds this locust process had used (it runs on the same machine as the server).

The server runs with production settings behind a pretend proxy (KECHUANG_BEHIND_PROXY=1): every
request says ``X-Forwarded-Proto: https`` and the secure session cookie is sent over plain HTTP on
127.0.0.1 only (see ``_secure_cookies_over_plain_http``).
"""

from __future__ import annotations

import csv
import http.cookiejar
import json
import os
import random
import re
import time

import gevent
from locust import HttpUser, between, task
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

HEADERS = {"X-Forwarded-Proto": "https"}
ACCOUNTS = [
    ("coordinator", "demo-coord-2026"),
    ("leadership", "demo-lead-2026"),
    ("district", "demo-district-2026"),
]
NEED_IDS = [int(x) for x in os.environ.get("BENCH_NEED_IDS", "1").split(",")]
WARMUP = float(os.environ.get("BENCH_WARMUP", "10"))
STEADY = float(os.environ.get("BENCH_STEADY", "0"))  # 0: no steady phase (locust's -t alone ends the run)
RAMP_CSV = os.environ.get("BENCH_RAMP_CSV", "")
_logged_in = 0


def _steady(environment) -> None:
    """End of the ramp-up: keep its statistics, reset them, and stop after the steady window."""
    if RAMP_CSV:
        tmp = f"{RAMP_CSV}.tmp"
        with open(tmp, "w", newline="") as f:
            StatsCSV(environment, PERCENTILES_TO_REPORT).requests_csv(csv.writer(f))
        with open(f"{RAMP_CSV}.json.tmp", "w") as f:
            json.dump({"steady_from": time.time(), "locust_cpu_s": time.process_time()}, f)
        os.replace(f"{RAMP_CSV}.json.tmp", f"{RAMP_CSV}.json")
        os.replace(tmp, RAMP_CSV)  # last: run.py waits for this file
    environment.stats.reset_all()
    gevent.spawn_later(STEADY, environment.runner.quit)


def _secure_cookies_over_plain_http(self, cookie, request):
    return True


# Send the Secure session cookie over plain HTTP to 127.0.0.1 (the pretend proxy), in this locust
# process only. Marking the cookies not secure once after login is not enough: the server sends the
# cookie again whenever the session changes — the idle-logout middleware notes the last request once
# a minute — and runs longer than a minute were logged out (every page then a 302 to the login
# form). A policy on the session's own jar is not used (requests merges cookies into a new jar per
# request), hence the class attribute.
http.cookiejar.DefaultCookiePolicy.return_ok_secure = _secure_cookies_over_plain_http


class Reader(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        user, password = random.choice(ACCOUNTS)
        page = self.client.get("/accounts/login/", headers=HEADERS, name="login form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            data={"username": user, "password": password, "csrfmiddlewaretoken": token},
            headers=HEADERS | {"Referer": f"https://{self.host.split('://')[1]}/accounts/login/"},
            name="login",
            catch_response=True,
            allow_redirects=False,  # the login alone (its redirect is to the landing page, read by tasks)
        ) as r:
            if r.status_code != 302:
                r.failure(f"HTTP {r.status_code}")
        global _logged_in
        _logged_in += 1
        if STEADY and _logged_in == self.environment.parsed_options.num_users:
            gevent.spawn_later(WARMUP, _steady, self.environment)

    def _get(self, url, name, follow=False):
        """A page must answer 200 (after the redirect when ``follow``); anything else is a failure."""
        with self.client.get(
            url, headers=HEADERS, name=name, catch_response=True, allow_redirects=follow
        ) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            elif "/accounts/login/" in r.url:  # a redirect followed to the login form: logged out
                r.failure("logged out")

    @task(3)
    def bare(self):
        self._get("/bench/bare/", "bare view")

    @task(3)
    def home(self):
        self._get("/", "home (→ role landing page)", follow=True)  # "/" redirects to the role's page

    @task(3)
    def needs_list(self):
        self._get("/needs/", "needs list")

    @task(3)
    def need_detail(self):
        self._get(f"/needs/{random.choice(NEED_IDS)}/", "need detail")

    @task(2)
    def experts_list(self):
        self._get("/experts/", "experts list")

    @task(2)
    def dashboard(self):
        self._get("/dashboard/", "dashboard")

    @task(2)
    def api_needs(self):
        self._get("/api/needs/", "API needs list")

    @task(2)
    def api_experts(self):
        self._get("/api/experts/", "API experts list")
