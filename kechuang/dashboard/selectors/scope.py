"""Who has a dashboard, and the slice of records it shows: a period and an area (``Scope``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from kechuang.accounts.models import Area, Role
from kechuang.dashboard.briefing import period_label

DASHBOARD_ROLES = (Role.COORDINATOR, Role.LEADERSHIP, Role.DISTRICT)


def can_view_dashboard(user) -> bool:
    return bool(user.is_authenticated and (user.is_coordinator or user.role in DASHBOARD_ROLES))


@dataclass
class Scope:
    """The slice of records a dashboard shows: a period (inclusive dates) and an area subtree."""

    start: date | None
    end: date
    area: Area | None  # None = the whole city
    area_ids: list[int] | None  # None = no area filter
    city_name: str = gettext_lazy("全市")
    # True when the figures count every need (coordinators); otherwise only the needs the user may
    # open are counted (docs/adr/0014-dashboard-confidential-figures.md)
    all_needs: bool = True
    # per-scope results shared by several selectors (e.g. the needs counts), filled on first use
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    # where the expensive parts of the figures are kept between requests (set by
    # ``kechuang.dashboard.cache``): ``parts(name, depends_on_apps, compute)`` → the part; None
    # computes every part on every call (see ``records.part``)
    parts: object = field(default=None, repr=False, compare=False)

    @property
    def area_name(self) -> str:
        return self.area.name if self.area else self.city_name

    @property
    def period(self) -> str:
        return period_label(self.start, self.end)

    @property
    def needs_rule(self) -> str:
        """How the needs are counted for this audience, stated on the page and in the briefings."""
        if self.all_needs:
            return gettext("需求数含保密需求（协调员口径，对外引用前请核对）")
        return gettext("需求数只计入查看人有权查看的需求，保密需求不计入")

    @property
    def area_code(self) -> str:
        return self.area.code if self.area and self.area.kind != Area.Kind.CITY else ""

    def dt_range(self) -> tuple[datetime | None, datetime]:
        tz = timezone.get_current_timezone()
        lo = datetime.combine(self.start, time.min, tzinfo=tz) if self.start else None
        hi = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
        return lo, hi


def dashboard_scope(
    *, user, district: str | None = None, start: date | None = None, end: date | None = None
) -> Scope:
    """Resolve the filters against what ``user`` may see; 404 for roles without a dashboard and for
    an area outside a district user's own."""
    if not can_view_dashboard(user):
        raise Http404
    end = end or timezone.localdate()
    if start and start > end:
        start, end = end, start
    city = Area.objects.filter(kind=Area.Kind.CITY).order_by("pk").first()
    extra = {"city_name": city.name if city else gettext("全市"), "all_needs": user.is_coordinator}
    if not user.is_coordinator and user.role == Role.DISTRICT:
        if user.area_id is None:
            raise Http404
        own = user.area_ids()
        if district:
            area = Area.objects.filter(code=district, pk__in=own).first()
            if area is None:
                raise Http404
        else:
            area = user.area
        ids = own if area.pk == user.area_id else area.subtree_ids()
        return Scope(start, end, area, ids, **extra)
    if district:
        area = Area.objects.filter(code=district).first()
        if area is None:
            raise Http404
        if area.kind == Area.Kind.CITY:
            return Scope(start, end, None, None, **extra)
        return Scope(start, end, area, area.subtree_ids(), **extra)
    return Scope(start, end, None, None, **extra)
