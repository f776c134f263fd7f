"""The dashboard's figures, computed from records for a period and an area (never typed in).

Definitions: docs/adr/0004-dashboard-figures.md; what a figure may count:
docs/adr/0014-dashboard-confidential-figures.md. Every read starts from ``restrict()``:

- *figures* (counts, sums, medians) count only the records the user may open — coordinators count
  every need, leadership and district staff only the needs they may open, so no figure, breakdown
  or difference of two figures reveals a confidential need;
- *rows* (titles shown in drill-downs and exports) come through the need and follow-up selectors.

Every breakdown is one grouped query, so the number of queries does not grow with the data
(pinned in tests/dashboard/test_dashboard_views.py).

Modules, by job: ``scope`` (who has a dashboard, the period and area), ``records`` (the scoped
querysets and the shared needs counts), ``headline``, ``breakdowns`` (district, society, month),
``coverage`` (the industry-chain map), ``funnel``, ``rows`` (restricted lists), ``board`` (all
figures together). The names below are the public interface; import them from here.
"""

from kechuang.dashboard.selectors.board import Dashboard, dashboard
from kechuang.dashboard.selectors.breakdowns import Month, by_district, by_month, by_society
from kechuang.dashboard.selectors.coverage import (
    GAP_LABELS,
    THIN_RATIO,
    by_chain,
    coverage_counts,
    expert_covers,
    gap_level,
)
from kechuang.dashboard.selectors.funnel import FUNNEL, funnel, median_from_histogram, stage_facts
from kechuang.dashboard.selectors.headline import engaged_society_ids, headline, headline_tuple
from kechuang.dashboard.selectors.records import (
    CITY_EVENT_KINDS,
    MEETING_KINDS,
    need_counts,
    scoped_agreements,
    scoped_bases,
    scoped_events,
    scoped_needs,
    scoped_visits,
    visible_needs,
)
from kechuang.dashboard.selectors.rows import recent_agreements, recent_major_needs, visible_major_needs
from kechuang.dashboard.selectors.scope import DASHBOARD_ROLES, Scope, can_view_dashboard, dashboard_scope

__all__ = [
    "CITY_EVENT_KINDS",
    "DASHBOARD_ROLES",
    "FUNNEL",
    "GAP_LABELS",
    "MEETING_KINDS",
    "THIN_RATIO",
    "Dashboard",
    "Month",
    "Scope",
    "by_chain",
    "by_district",
    "by_month",
    "by_society",
    "can_view_dashboard",
    "coverage_counts",
    "dashboard",
    "dashboard_scope",
    "engaged_society_ids",
    "expert_covers",
    "funnel",
    "gap_level",
    "headline",
    "headline_tuple",
    "median_from_histogram",
    "need_counts",
    "recent_agreements",
    "recent_major_needs",
    "scoped_agreements",
    "scoped_bases",
    "scoped_events",
    "scoped_needs",
    "scoped_visits",
    "stage_facts",
    "visible_major_needs",
    "visible_needs",
]
