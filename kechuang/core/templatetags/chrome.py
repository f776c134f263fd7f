"""base.html's top bar in Python where the template engine cost most on every page (ADR 0051):
``{% nav_links nav_items %}`` writes the main navigation's links, ``{% fixed_url "name" %}`` is
``{% url "name" %}`` for a URL without arguments, reversed once per process (``core.rows.fixed_url``)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import (
    get_language,
    get_language_info,
    gettext,
    gettext_noop,
    ngettext,
    pgettext,
)

from kechuang.core.rows import fixed_url as _fixed_url
from kechuang.core.rows import literal, markup, text

register = template.Library()
ACTIVE = ' class="active" aria-current="page"'


@register.simple_tag
def fixed_url(viewname: str) -> str:
    return _fixed_url(viewname)  # escaped by the simple tag, as {% url %} escapes


_NAV: dict[tuple, str] = {}


@register.simple_tag
def nav_links(items) -> str:
    """``{% for item in nav_items %}<a href="…"{% if item.active %} class="active" aria-current="page"{% endif %}>…</a>{% endfor %}``.

    Written once per language and set of links: the items come from ``home.context_processors.navigation``,
    whose label for a URL is fixed (each app's ``NAV``), so the URLs and the active one decide the markup."""
    items = items or []
    key = (get_language(), *((i["url"], i["active"]) for i in items))
    html = _NAV.get(key)
    if html is None:
        html = _NAV[key] = markup("".join(
            f'<a href="{text(i["url"])}"{ACTIVE if i["active"] else ""}>{text(i["label"])}</a>' for i in items
        ))
    return html


@receiver(setting_changed)
def _forget_translations(*, setting, **kwargs):
    """Tests that change the languages or catalogues get fresh words (a server never does this)."""
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        _NAV.clear()
        _LITERALS.clear()


# the top bar's and footer's fixed words, translated once per language (each gettext reads asgiref
# context-locals; a page printed ~15 of them)
_MESSAGES = {
    "bell": gettext_noop("通知"),
    "brand": gettext_noop("科创对接"),
    "brand_sub": gettext_noop("科创中国 · 试点城市服务平台"),
    "admin": gettext_noop("管理后台"),
    "otp": gettext_noop("双因素认证"),
    "lockouts": gettext_noop("登录锁定"),
    "menu": gettext_noop("菜单"),
    "main_nav": gettext_noop("主导航"),
    "password": gettext_noop("修改密码"),
    "api_tokens": gettext_noop("API 令牌"),
    "logout": gettext_noop("退出"),
    "demo": gettext_noop("演示数据均为虚构"),
    "slogan": gettext_noop("需求上传、资源下沉"),
}
_LITERALS: dict[str | None, dict[str, str]] = {}


def _literals(language: str | None) -> dict[str, str]:
    """``{key: literal(gettext(message))}`` for the active language (and the footer's tagline)."""
    found = _LITERALS.get(language)
    if found is None:
        found = {key: literal(gettext(message)) for key, message in _MESSAGES.items()}
        found["tagline"] = literal(pgettext("footer tagline", "科创对接"))
        _LITERALS[language] = found
    return found


def _csrf_input(context) -> str:
    """``{% csrf_token %}`` (CsrfTokenNode): the hidden input with the page's one masked token, or nothing."""
    token = context.get("csrf_token")
    if token and token != "NOTPROVIDED":  # noqa: S105 — Django's marker for "no token", not a secret
        return f'<input type="hidden" name="csrfmiddlewaretoken" value="{text(str(token))}">'
    return ""


def _bell(unread, tr) -> str:
    """``notifications/_bell.html`` as it printed (the unread count; ``default:0`` for none)."""
    n = unread or 0
    label = ngettext("通知（%(n)s 条未读）", "通知（%(n)s 条未读）", n) % {"n": text(n)}  # as blocktranslate: the value escaped
    count = f'<span class="bell-count" data-testid="bell-count">{text(unread)}</span>' if unread else ""
    return (
        f'<a class="bell{" has-unread" if unread else ""}" href="{text(_fixed_url("notifications:list"))}" '
        f'data-testid="bell" title="{tr["bell"]}" aria-label="{label}">'
        f"{BELL_SVG}{count}</a>\n"
    )


BELL_SVG = (
    '<svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9"/>'
    '<path d="M13.7 21a2 2 0 0 1-3.4 0"/></svg>'
)


@register.simple_tag(takes_context=True)
def topbar(context) -> str:
    """base.html's ``<header>``: brand, the menu of a signed-in reader (navigation, bell, account links,
    log-out) — what its template printed, written once per page instead of node by node (ADR 0051)."""
    user, tr = context.get("user"), _literals(get_language())
    html = [
        '<header class="topbar">\n'
        f'  <a class="brand" href="{text(_fixed_url("home:root"))}">{tr["brand"]} '
        f'<small>{tr["brand_sub"]}</small></a>\n  '
    ]
    if user is not None and user.is_authenticated:
        staff = user.is_staff
        admin = f'<a href="{text(_fixed_url("admin:index"))}">{tr["admin"]}</a>' if staff else ""
        coordinator = user.is_coordinator
        otp = (f'<a class="who-link" href="{text(_fixed_url("accounts:otp_setup"))}">{tr["otp"]}</a>'
               if coordinator or staff else "")
        lockouts = (f'<a class="who-link" href="{text(_fixed_url("accounts:lockouts"))}">{tr["lockouts"]}</a>'
                    if coordinator else "")
        html.append(
            "\n  \n"
            '  <input type="checkbox" id="nav-toggle" class="nav-toggle" aria-controls="site-menu">\n'
            '  <label for="nav-toggle" class="nav-toggle-label" data-testid="nav-toggle"><span aria-hidden="true">☰</span> '
            f'{tr["menu"]}</label>\n'
            '  <div class="site-menu" id="site-menu">\n'
            f'  <nav class="mainnav" aria-label="{tr["main_nav"]}">\n'
            f'    {nav_links(context.get("nav_items"))}\n'
            f"    {admin}\n"
            "  </nav>\n"
            '  <div class="who">\n'
            f'    {_bell(context.get("notifications_unread"), tr)}\n'
            f'    <span class="role-badge">{text(context.get("role_label", ""))}</span> '
            f'<span data-testid="current-user">{text(user)}</span>\n'
            f'    <a class="who-link" href="{text(_fixed_url("accounts:password_change"))}">{tr["password"]}</a>\n'
            f'    <a class="who-link" href="{text(_fixed_url("apitokens:list"))}">{tr["api_tokens"]}</a>\n'
            f"    {otp}\n"
            f"    {lockouts}\n"
            f'    <form method="post" action="{text(_fixed_url("accounts:logout"))}" class="inline">{_csrf_input(context)}'
            f'<button type="submit" class="link">{tr["logout"]}</button></form>\n'
            "  </div>\n"
            "  </div>\n  "
        )
    html.append("\n</header>")
    return markup("".join(html))


@register.simple_tag(takes_context=True)
def footer(context) -> str:
    """base.html's ``<footer>``: the tagline and the language switch (every language but the current one)."""
    user, tr = context.get("user"), _literals(get_language())
    demo = (f' · <span class="muted">{tr["demo"]}</span>'
            if user is not None and user.is_authenticated else "")
    request = context.get("request")
    path = text(request.get_full_path()) if request is not None else ""
    current = get_language()
    buttons = "".join(
        f'<button type="submit" name="language" value="{text(info["code"])}" class="link-dark">{text(info["name_local"])}</button>'
        for info in (get_language_info(code) for code, _name in settings.LANGUAGES)
        if info["code"] != current
    )
    return markup(
        f'<footer class="foot">kechuang {tr["tagline"]} · '
        f'{tr["slogan"]}{demo}\n'
        f'  <form action="{text(_fixed_url("set_language"))}" method="post" class="inline lang-switch">{_csrf_input(context)}'
        f'<input name="next" type="hidden" value="{path}">\n'
        f"  {buttons}</form>\n"
        "</footer>"
    )
