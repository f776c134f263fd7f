"""Phone width (390 × 844): the navigation folds into a menu and no page scrolls sideways.

Each demo role signs in on a phone-sized viewport, in Chinese and in English, opens every entry of its own navigation and the
detail pages linked from those lists (a need, an event, an expert, an organisation, an achievement,
a visit, an agreement, a base), and on each page the document is no wider than the screen: wide
tables scroll inside their own box, never the page.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import DEMO_PASSWORDS, shot
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}
ROLES = list(DEMO_PASSWORDS)
# detail pages reached from the lists: the first link of each kind found on the role's pages
DETAIL_KINDS = {
    "need": re.compile(r"^/needs/\d+/$"),
    "event": re.compile(r"^/events/\d+/$"),
    "expert": re.compile(r"^/experts/\d+/$"),
    "achievement": re.compile(r"^/experts/achievements/\d+/$"),
    "organisation": re.compile(r"^/orgs/\d+/$"),
    "visit": re.compile(r"^/followup/visits/\d+/$"),
    "agreement": re.compile(r"^/followup/agreements/\d+/$"),
    "base": re.compile(r"^/followup/bases/\d+/$"),
    "agenda": re.compile(r"^/events/participants/\d+/$"),
    "meeting": re.compile(r"^/events/meetings/\d+/$"),
    "schedule": re.compile(r"^/events/\d+/schedule/$"),
    "suggestions": re.compile(r"^/matching/needs/\d+/$"),
}
# what each role must at least reach (the brief: a demo need, event, expert, visit, agreement)
MUST_REACH = {
    "coordinator": {"need", "event", "expert", "visit", "agreement", "organisation", "achievement", "base", "schedule",
                    "suggestions"},
    "district": {"need", "event", "expert", "visit"},
    "enterprise": {"need", "event"},
    "liaison": {"need", "event", "expert"},
    "expert": {"event"},
    "leadership": {"need", "event", "expert", "organisation"},
}


# English words are longer than Chinese ones: every page is checked in both languages
LANGUAGES = {"zh": ("zh-CN", "zh-CN,zh;q=0.9", "用户名", "密码"), "en": ("en-US", "en-US,en;q=0.9", "Username", "Password")}


@pytest.fixture(params=list(LANGUAGES))
def phone(request, browser, live_server, demo):
    locale, accept, _, _ = LANGUAGES[request.param]
    context = browser.new_context(base_url=live_server.url, locale=locale, viewport=PHONE,
                                  device_scale_factor=1, is_mobile=True, has_touch=True,
                                  extra_http_headers={"Accept-Language": accept})
    pg = context.new_page()
    pg.set_default_timeout(20000)
    pg.lang = request.param
    yield pg
    context.close()


def _sign_in(page, role):
    _, _, username, password = LANGUAGES[page.lang]
    page.goto("/accounts/login/")
    page.get_by_label(username).fill(role)
    page.get_by_label(password).fill(DEMO_PASSWORDS[role])
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/(home|dashboard)/$"))  # leadership lands on the dashboard


def _overflow(page) -> tuple[int, list[str]]:
    """The document's scroll width, and (to say what is wrong) the elements that stick out on the right."""
    width = page.evaluate("document.documentElement.scrollWidth")
    culprits = page.evaluate("""() => {
        const out = [];
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.right > document.documentElement.clientWidth + 1) {
                let inScroller = false;
                for (let p = el.parentElement; p; p = p.parentElement) {
                    const ox = getComputedStyle(p).overflowX;
                    if (ox === 'auto' || ox === 'scroll') { inScroller = true; break; }
                }
                if (!inScroller) out.push(el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className ? '.' + el.className : '') + ' right=' + Math.round(r.right));
            }
        }
        return out.slice(0, 8);
    }""")
    return width, culprits


def _links(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('main a[href]')].map(a => a.getAttribute('href'))")


@pytest.mark.parametrize("role", ROLES)
def test_every_main_page_fits_a_phone(phone, role):
    from kechuang.events.models import Event

    page = phone
    scheduled_event = Event.objects.filter(meeting_day__isnull=False).order_by("pk").first()
    _sign_in(page, role)
    # the navigation is folded: its links are hidden until the menu is opened
    toggle = page.get_by_test_id("nav-toggle")
    expect(toggle).to_be_visible()
    first_link = page.locator(".mainnav a").first
    expect(first_link).to_be_hidden()
    nav_urls = page.evaluate("() => [...document.querySelectorAll('.mainnav a')].map(a => a.getAttribute('href'))")
    nav_urls = [u for u in nav_urls if not u.startswith("/admin/")]  # Django's own admin has its own layout
    assert len(nav_urls) >= 3
    toggle.click()
    expect(first_link).to_be_visible()
    shot(page, f"phone-{page.lang}-{role}-menu-open")
    toggle.click()
    expect(first_link).to_be_hidden()

    found: dict[str, str] = {}
    too_wide: list[str] = []

    def visit(url: str, label: str) -> None:
        response = page.goto(url, timeout=90000)  # the first suggestions page builds the index
        assert response is not None and response.status == 200, f"{role}: {url} answered {response and response.status}"
        width, culprits = _overflow(page)
        if width > PHONE["width"]:
            too_wide.append(f"{url} scrollWidth={width} {culprits}")
        shot(page, f"phone-{page.lang}-{role}-{label}")
        for href in _links(page):
            for kind, pattern in DETAIL_KINDS.items():
                if kind not in found and pattern.match(href or ""):
                    found[kind] = href

    for url in nav_urls:
        visit(url, url.strip("/").replace("/", "-") or "root")
    # a matchmaking meeting (its schedule page has the widest table), when the role may see events
    if "/events/" in nav_urls:
        visit(f"/events/{scheduled_event.pk}/", "event-scheduled")
    # the detail pages linked from those lists, then the ones linked from them (agendas, meetings)
    visited = set(nav_urls)
    for _depth in range(2):
        for kind, url in list(found.items()):
            if url not in visited:
                visited.add(url)
                visit(url, kind)

    missing = MUST_REACH[role] - set(found)
    assert not missing, f"{role} reached no {sorted(missing)} page from its navigation"
    assert not too_wide, f"{role}: pages wider than the phone:\n" + "\n".join(too_wide)
