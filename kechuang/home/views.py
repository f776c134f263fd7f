"""Each role's home page: what that person has to do today."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from kechuang.accounts.models import Role
from kechuang.core.pagecache import cached_page
from kechuang.events.selectors import home_participations
from kechuang.experts.selectors import achievement_list, expert_list, team_list
from kechuang.home.progress import with_progress
from kechuang.needs.models import NeedStatus
from kechuang.needs.selectors import for_table, need_counts_by_status, need_list


def _lands_on_dashboard(user) -> bool:
    """Leadership's work is the figures: their landing page is the dashboard."""
    return user.role == Role.LEADERSHIP and not user.is_coordinator


def root(request):
    """Straight to the reader's landing page: one redirect, not two for leadership (under load each
    hop waits in the queue again; ADR 0051)."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    return redirect("dashboard:index" if _lands_on_dashboard(user) else "home:home")


@login_required
@cached_page  # kept per reader until a table it read is written (ADR 0059)
def home(request):
    user = request.user
    if _lands_on_dashboard(user):
        return redirect("dashboard:index")
    counts = need_counts_by_status(user=user)
    ctx = {
        "counts": [(s, label, counts.get(s, 0)) for s, label in NeedStatus.choices],
        "total": sum(counts.values()),
        "role": user.role,
    }
    if user.is_coordinator:
        ctx["queue"] = for_table(need_list(user=user, filters={"status": NeedStatus.SUBMITTED}), user=user)[:10]
        ctx["stalled"] = for_table(need_list(user=user, filters={"stalled": True}), user=user)[:10]
        ctx["heading"] = gettext("协调员工作台")
    elif user.role == Role.DISTRICT:
        ctx["queue"] = for_table(need_list(user=user, filters={"status": NeedStatus.SUBMITTED}), user=user)[:10]
        ctx["stalled"] = for_table(need_list(user=user, filters={"stalled": True}), user=user)[:10]
        ctx["heading"] = gettext("%(value)s工作台") % {"value": user.area.name if user.area else ''}
    elif user.role == Role.ENTERPRISE:
        ctx["mine"] = with_progress(list(need_list(user=user)[:20]))
        ctx["participations"] = home_participations(user=user)
        ctx["heading"] = gettext("%(name)s · 企业工作台") % {"name": user.organisation.name if user.organisation else ''}
    elif user.role == Role.LIAISON:
        ctx["n_experts"] = expert_list(user=user).count()
        ctx["n_achievements"] = achievement_list(user=user).count()
        ctx["teams"] = team_list(user=user)
        ctx["open_needs"] = for_table(need_list(user=user), user=user)[:10]
        ctx["heading"] = gettext("%(value)s · 学会工作台") % {"value": user.organisation.name if user.organisation else ''}
    elif user.role == Role.EXPERT:
        ctx["expert"] = user.expert
        ctx["participations"] = home_participations(user=user)
        ctx["open_needs"] = for_table(need_list(user=user), user=user)[:10]
        ctx["heading"] = gettext("专家工作台")
    else:
        ctx["heading"] = gettext("领导视图")
        ctx["n_experts"] = expert_list(user=user).count()
        ctx["n_achievements"] = achievement_list(user=user).count()
    return render(request, "home/home.html", ctx)
