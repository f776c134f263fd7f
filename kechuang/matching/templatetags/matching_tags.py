"""Template helpers of the matching pages: highlighted evidence, and the panels other pages include
(the need page, the home page). Every query goes through ``kechuang.matching.selectors``."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

register = template.Library()

EVIDENCE_KINDS = {
    "publication": gettext_lazy("论文"),
    "patent": gettext_lazy("专利"),
    "achievement": gettext_lazy("科技成果"),
    "profile": gettext_lazy("档案"),
    "problem": gettext_lazy("技术难题"),
    "goal": gettext_lazy("技术目标"),
    "background": gettext_lazy("需求背景"),
    "document": gettext_lazy("材料"),
}


@register.filter
def highlight(evidence: dict) -> str:
    """The evidence sentence with its matched spans in ``<mark>`` (everything else escaped)."""
    sentence = evidence.get("sentence", "") or ""
    out, pos = [], 0
    for span in sorted(evidence.get("spans") or []):
        a, b = int(span[0]), int(span[1])
        if a < pos or b > len(sentence) or a >= b:
            continue
        out.append(sentence[pos:a])
        out.append(format_html("<mark>{}</mark>", sentence[a:b]))
        pos = b
    out.append(sentence[pos:])
    return format_html_join("", "{}", ((part,) for part in out))  # plain parts escaped, marks kept


@register.filter
def evidence_kind(kind: str) -> str:
    return EVIDENCE_KINDS.get(kind, kind)


@register.filter
def percent(score) -> int:
    try:
        return round(float(score) * 100)
    except (TypeError, ValueError):
        return 0


@register.filter
def band_label(band: str) -> str:
    """高 / 中 / 低: where a suggestion stands against the best one of its need (ranking.apply_cutoff)."""
    labels = {"high": pgettext("匹配度分档", "高"), "medium": pgettext("匹配度分档", "中"), "low": pgettext("匹配度分档", "低")}
    return labels.get(band, "")


CONTEXT_SOURCES = {"background": gettext_lazy("来自企业简介"), "chain": gettext_lazy("来自所属产业链")}


@register.filter
def context_terms(explanation: dict) -> list[tuple[str, list[str]]]:
    """Matched words that are not the need's own, grouped and labelled by where they came from."""
    groups: dict[str, list[str]] = {}
    for item in (explanation or {}).get("context_terms") or []:
        groups.setdefault(item.get("source", ""), []).append(item.get("term", ""))
    return [
        (str(CONTEXT_SOURCES.get(src, _("来自需求背景"))), terms) for src, terms in groups.items() if terms
    ]


@register.inclusion_tag("matching/_home.html", takes_context=True)
def matching_home(context):
    from kechuang.matching import selectors

    user = context["request"].user
    items = sorted(selectors.inbox_latest(user=user, limit=10), key=lambda m: bool(m.response))  # to answer first
    return {
        "user": user,
        "items": items,
        "pending": sum(1 for m in items if not m.response),
        "expert_id": user.expert_id if user.role == "expert" else None,
    }


@register.simple_tag
def decided_rows(matches) -> str:
    """The rows of matching/_decided.html (what its ``{% for m in matches %}`` wrote), in Python, as the
    other row tags do (``kechuang/core/rows.py``; ADR 0051, amended in session 16): the need page's
    matching panel, where a need's decided matches were a third of the panel's calls."""
    from kechuang.core.rows import literal, markup, text

    waiting = literal(_("等待回复"))
    out = []
    for m in matches:
        accepted = m.status == "accepted"
        decision = f'<span class="tag {"st-met" if accepted else "st-closed"}">{text(m.get_status_display())}</span>'
        if m.reason:
            decision += f" {text(m.get_reason_display())}"
        if m.comment:
            decision += f'<div class="muted">{text(m.comment)}</div>'
        if m.response:
            reply = text(m.get_response_display())
            if m.response_text:
                reply += f'<div class="muted">{text(m.response_text)}</div>'
        else:
            reply = f'<span class="muted">{waiting}</span>' if accepted else "—"
        out.append(f"<tr>\n    <td>{text(m.get_kind_display())}</td>\n    <td>{text(str(m.candidate))}</td>\n"
                   f"    <td>{decision}</td>\n    <td>{reply}</td>\n  </tr>")
    return markup("".join(out))


@register.simple_tag
def invitation_rows(matches) -> str:
    """The need page's invitations (what matching/_need_panel.html's ``{% for m in panel.mine %}`` wrote), in
    Python (ADR 0051, amended in session 16). ``{% blocktranslate %}`` is its message formatted with the
    values printed as ``{{ }}`` prints them."""
    from django.utils.html import conditional_escape

    from kechuang.core.rows import fixed_url, literal, markup, text

    reply = f'<a href="{conditional_escape(fixed_url("matching:inbox"))}">{literal(_("去回复"))}</a>'
    out = []
    for m in matches:
        # one whole sentence per addressee: fragments glued in English ("invitationyouto take up")
        if m.routed_to_org_id:
            invitation = _("协调员邀请贵学会对接此需求（%(candidate)s）。")
        else:
            invitation = _("协调员邀请您对接此需求（%(candidate)s）。")
        line = invitation % {"candidate": text(str(m.candidate))}
        if m.response:
            line += _("已回复：%(get_response_display)s") % {"get_response_display": text(m.get_response_display())}
        else:
            line += reply
        out.append(f"<p>{line}</p>")
    return markup("".join(out))
