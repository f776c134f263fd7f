"""Helpers the browser tests share: log in through the form, take a named screenshot."""

from __future__ import annotations

import re
from pathlib import Path

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
DEMO_PASSWORDS = {"coordinator": "demo-coord-2026", "district": "demo-district-2026", "enterprise": "demo-ent-2026",
                  "liaison": "demo-liaison-2026", "expert": "demo-expert-2026", "leadership": "demo-lead-2026"}


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{re.sub(r'[^A-Za-z0-9_-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True, timeout=60_000)  # slow on a loaded machine, never wrong
    return path


def login(page, username: str, password: str | None = None) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password or DEMO_PASSWORDS[username])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/(home|dashboard)/$"))  # leadership lands on the dashboard
