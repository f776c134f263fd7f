"""Locust users for bench/load/run.py: log in once (demo accounts), then read pages and API lists.

The server runs with production settings behind a pretend proxy (KECHUANG_BEHIND_PROXY=1): every
request says ``X-Forwarded-Proto: https`` and the secure session cookie is sent over plain HTTP on
127.0.0.1 only (the cookie jar is told it is not secure).
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, task

HEADERS = {"X-Forwarded-Proto": "https"}
ACCOUNTS = [
    ("coordinator", "demo-coord-2026"),
    ("leadership", "demo-lead-2026"),
    ("district", "demo-district-2026"),
]
NEED_IDS = [int(x) for x in os.environ.get("BENCH_NEED_IDS", "1").split(",")]


class Reader(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        user, password = random.choice(ACCOUNTS)
        page = self.client.get("/accounts/login/", headers=HEADERS, name="login form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self._unsecure()
        self.client.post(
            "/accounts/login/",
            data={"username": user, "password": password, "csrfmiddlewaretoken": token},
            headers=HEADERS | {"Referer": f"https://{self.host.split('://')[1]}/accounts/login/"},
            name="login",
        )
        self._unsecure()

    def _unsecure(self):
        for c in list(self.client.cookies):
            c.secure = False

    def _get(self, url, name, follow=False):
        """A page must answer 200 (after the redirect when ``follow``); anything else is a failure."""
        with self.client.get(
            url, headers=HEADERS, name=name, catch_response=True, allow_redirects=follow
        ) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")

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
