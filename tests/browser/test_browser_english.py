"""The platform in English: the switcher in the footer, and each role's main pages with an English browser.

Names of people, organisations, places and the needs' own texts are data and stay as entered; what
must be English is the interface: the navigation, page headings, table headers, field labels and
buttons. A list page's heading may carry data after a separator ("Dashboard · 青岛市"), so only the
part before the separator is checked there; a detail page's heading is the object's name (data).
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import DEMO_PASSWORDS, login, shot
from playwright.sync_api import expect

CJK = re.compile(r"[\u3400-\u9fff]")
# interface elements that carry no data of their own
UI_SELECTORS = ".mainnav a, .nav-toggle-label, th, dt, label, button, .who-link, h2"
ENGLISH_ROLES = ["coordinator", "enterprise", "expert", "liaison", "district", "leadership"]


@pytest.fixture
def english(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900},
                                  extra_http_headers={"Accept-Language": "en-US,en;q=0.9"})
    pg = context.new_page()
    pg.set_default_timeout(20000)
    yield pg
    context.close()


def _sign_in_english(page, role):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Username").fill(role)
    page.get_by_label("Password").fill(DEMO_PASSWORDS[role])
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/(home|dashboard)/$"))  # leadership lands on the dashboard


def _chinese_in_interface(page, heading: bool = True, data: tuple[str, ...] = ()) -> list[str]:
    """Interface texts with Chinese in them; a detail page's heading is the object's own name (data)."""
    texts = page.evaluate(
        """([sel, heading]) => {
            const out = [];
            for (const el of document.querySelectorAll(sel)) {
                if (el.closest('.lang-switch') || el.closest('[data-data]')) continue;  // a language's own name
                // the element's own text, without the data it embeds (links to named things, tags, values)
                const clone = el.cloneNode(true);
                clone.querySelectorAll('a, .tag, select, input, textarea, option, [data-data], .muted, small')
                     .forEach(n => n.remove());
                const t = clone.textContent.replace(/\\s+/g, ' ').trim();
                if (t) out.push(t);
            }
            const h1 = document.querySelector('main h1');
            if (h1 && heading) {
                const clone = h1.cloneNode(true);
                clone.querySelectorAll('a, .tag, small').forEach(n => n.remove());
                out.push(clone.textContent.split(/[·:：]/)[0].trim());
            }
            return out;
        }""",
        [UI_SELECTORS, heading],
    )
    for name in data:  # the user's own organisation or area named in a heading ("莱西市 home")
        texts = [t.replace(name, "") for t in texts]
    return [t for t in texts if CJK.search(t)]


def test_the_language_switcher_turns_the_interface_english_and_back(page):
    login(page, "coordinator")
    expect(page.locator(".mainnav")).to_contain_text("工作台")
    page.locator(".lang-switch").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("home-heading")).to_have_text("Coordinator home")
    expect(page.locator(".mainnav")).to_contain_text("Needs")
    assert not CJK.search(page.locator(".mainnav").inner_text())
    shot(page, "english-coordinator-home")
    # the choice sticks on the next page, and the way back is labelled in Chinese
    page.locator(".mainnav").get_by_role("link", name="Needs", exact=True).click()
    expect(page.locator("main h1")).to_contain_text("Needs")
    page.locator(".lang-switch").get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main h1")).to_contain_text("需求库")


@pytest.mark.parametrize("role", ENGLISH_ROLES)
def test_main_pages_in_english(english, role):
    from kechuang.accounts.models import User

    page = english
    user = User.objects.select_related("organisation", "area").get(username=role)
    names = tuple(x.name for x in (user.organisation, user.area) if x is not None)
    _sign_in_english(page, role)
    nav_urls = page.evaluate("() => [...document.querySelectorAll('.mainnav a')].map(a => a.getAttribute('href'))")
    nav_urls = [u for u in nav_urls if not u.startswith("/admin/")]  # Django's admin has its own translations
    problems: list[str] = []
    detail: dict[str, str] = {}
    patterns = {
        "need": re.compile(r"^/needs/\d+/$"),
        "event": re.compile(r"^/events/\d+/$"),
        "expert": re.compile(r"^/experts/\d+/$"),
        "visit": re.compile(r"^/followup/visits/\d+/$"),
        "agreement": re.compile(r"^/followup/agreements/\d+/$"),
        "suggestions": re.compile(r"^/matching/needs/\d+/$"),  # a need's suggested experts and achievements
        "agenda": re.compile(r"^/events/participants/\d+/$"),  # reached from an event
        "schedule": re.compile(r"^/events/\d+/schedule/$"),
    }
    for url in nav_urls:
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        problems += [f"{url}: {t}" for t in _chinese_in_interface(page, data=names)]
        shot(page, f"english-{role}-{url.strip('/').replace('/', '-') or 'root'}")
        for href in page.evaluate("() => [...document.querySelectorAll('main a[href]')].map(a => a.getAttribute('href'))"):
            for kind, pattern in patterns.items():
                if kind not in detail and pattern.match(href or ""):
                    detail[kind] = href
    if "/events/" in nav_urls:  # a matchmaking meeting with a schedule: its page links to the agendas
        from kechuang.events.models import Event

        scheduled = Event.objects.filter(meeting_day__isnull=False).order_by("pk").first()
        detail["event-scheduled"] = f"/events/{scheduled.pk}/"
    visited: set[str] = set()
    while todo := [(k, u) for k, u in detail.items() if u not in visited]:  # details, then what they link to
        for kind, url in todo:
            visited.add(url)
            page.goto(url, timeout=90000)  # the first suggestions page builds the index
            problems += [f"{url}: {t}" for t in _chinese_in_interface(page, heading=False, data=names)]
            shot(page, f"english-{role}-{kind}")
            for href in page.evaluate("() => [...document.querySelectorAll('main a[href]')].map(a => a.getAttribute('href'))"):
                for k, pattern in patterns.items():
                    if k not in detail and pattern.match(href or ""):
                        detail[k] = href
    if role == "coordinator":  # the main journeys: a need, its suggestions, an event and an agenda, the dashboard
        assert {"need", "suggestions", "event", "agenda"} <= set(detail), sorted(detail)
        assert "/dashboard/" in nav_urls and "/needs/new/" in nav_urls, nav_urls
    assert len(nav_urls) >= 3
    assert not problems, f"{role}: Chinese left in the English interface:\n" + "\n".join(problems)
