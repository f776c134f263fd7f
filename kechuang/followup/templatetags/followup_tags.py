"""``{% expert_followup expert %}``: the visits and agreements an expert took part in, as far as the
viewer may see — a tag, so the experts app needs no import of followup."""

from __future__ import annotations

from django import template

from kechuang.followup.selectors import expert_followup as _expert_followup

register = template.Library()


@register.inclusion_tag("followup/_expert_history.html", takes_context=True)
def expert_followup(context, expert):
    return _expert_followup(user=context["request"].user, expert=expert)
