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


def pick(page, label: str, typed: str, option: str | None = None) -> None:
    """Choose in a searchable select (kechuang.core.widgets.Searchable*, Tom Select): type part of the
    name into the field labelled ``label``, then click the option whose text contains ``option`` (or
    ``typed``). Multi-selects stay open for the next pick; Escape closes the list.

    Tom Select filters the list 300 ms after the last key (``refreshThrottle``): the click waits
    for Tom Select's own state to say the list shown is the one for what was typed. Clicking the
    option found in the list before that picked whichever option the re-rendered list then put
    under the mouse."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.locator("xpath=..").click()  # the control (a single select's input is hidden while it shows a choice)
    box.fill(typed)
    dropdown_id = box.get_attribute("aria-controls")
    page.wait_for_function(
        "([id, q]) => { const t = document.getElementById(id).tomselect; return t.lastQuery === q && !t.refreshTimeout; }",
        arg=[dropdown_id.removesuffix("-ts-dropdown"), typed],
    )
    page.locator(f"#{dropdown_id}").get_by_role("option", name=option or typed).first.click()
    box.press("Escape")


def choose(page, field_id: str, values) -> None:
    """Set a searchable select's choice(s) through Tom Select's own API (values are primary keys)."""
    for v in values if isinstance(values, list | tuple) else [values]:
        page.evaluate("([id, v]) => document.getElementById(id).tomselect.addItem(String(v))", [field_id, v])
