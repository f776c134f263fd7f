"""The edit / retire buttons on expert and achievement pages, shown only to who may use them."""

from __future__ import annotations

from django import template

from kechuang.experts import profile_services as ps
from kechuang.experts import services
from kechuang.experts.models import Achievement, Expert

register = template.Library()


@register.inclusion_tag("experts/_manage_bar.html", takes_context=True)
def expert_manage_bar(context, pk):
    user = context["request"].user
    expert = Expert.objects.filter(pk=pk).first()
    if expert is None:
        return {}
    return {
        "kind": "expert",
        "obj": expert,
        "can_profile": ps.can_edit_profile(user, expert),
        "can_maintain": ps.can_maintain_expert(user, expert),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("experts/_manage_bar.html", takes_context=True)
def achievement_manage_bar(context, pk):
    user = context["request"].user
    a = Achievement.objects.filter(pk=pk).first()
    if a is None:
        return {}
    can = (
        services.can_maintain_library(user)
        and services.societies_for(user).filter(pk=a.owner_society_id).exists()
    )
    return {"kind": "achievement", "obj": a, "can_maintain": can, "csrf_token": context.get("csrf_token")}


@register.simple_tag(takes_context=True)
def keeps_library(context) -> bool:
    """May the reader create experts, achievements and service teams (a coordinator, a liaison)?"""
    return services.can_maintain_library(context["request"].user)
