"""The need funnel: how many needs collected in scope reached each stage, and how fast."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef

from kechuang.dashboard.selectors.records import Month, monthly_part, scoped_needs
from kechuang.dashboard.selectors.scope import Scope
from kechuang.needs.models import FUNNEL_STAGES, NeedStageFact, NeedStatus

FUNNEL = FUNNEL_STAGES
_DAYS = tuple(f"days_{s}" for s in FUNNEL[1:])
# One pass over the facts of the cohort (materialised once): a count per furthest stage and a
# histogram of days per stage. Written in full; the cohort's SQL (built by the ORM from the
# restricted needs) is its only input, used as it is.
_HISTOGRAMS = " UNION ALL ".join(
    ["SELECT m, 'reached' AS k, reached AS d, COUNT(*) AS n FROM f WHERE reached IS NOT NULL GROUP BY m, reached"]
    + [
        f"SELECT m, '{s}' AS k, days_{s} AS d, COUNT(*) AS n FROM f WHERE days_{s} IS NOT NULL GROUP BY m, days_{s}"  # noqa: S608 - stage names are code constants
        for s in FUNNEL[1:]
    ]
)
_FUNNEL_SQL = "WITH f (m, reached, " + ", ".join(_DAYS) + ") AS MATERIALIZED ({cohort}) " + _HISTOGRAMS


def median_from_histogram(pairs: list[tuple[int, int]]) -> float | None:
    """Median of values given as (value, count) pairs; None when there are none."""
    pairs = sorted((v, n) for v, n in pairs if n > 0)
    total = sum(n for _, n in pairs)
    if total == 0:
        return None
    lo_idx, hi_idx = (total - 1) // 2, total // 2
    seen, lo = 0, None
    for v, n in pairs:
        if lo is None and seen + n > lo_idx:
            lo = v
        if seen + n > hi_idx:
            return (lo + v) / 2
        seen += n
    return None  # pragma: no cover


def stage_facts(user, scope: Scope):
    """The ``NeedStageFact`` rows of the needs in scope that ``user`` may open.

    The whole city: the facts are read in table order and each need is checked by its primary key
    (a correlated ``EXISTS``); an area: its needs come from a range of the covering index, then
    their facts by primary key (``IN``). Both are plain ORM filters on the restricted needs.
    """
    needs = scoped_needs(user, scope)
    if scope.area_ids is None:
        return NeedStageFact.objects.filter(Exists(needs.filter(pk=OuterRef("need_id"))))
    return NeedStageFact.objects.filter(need__in=needs)


def _histograms(user, scope: Scope) -> dict[str, list[tuple]]:
    """The funnel's histograms of the cohort, per month of collection: {month: [(k, d, n), …]}."""
    try:
        cohort, params = (
            stage_facts(user, scope)
            .annotate(m=Month("need__created_at", is_datetime=True))
            .values("m", "reached", *_DAYS)
            .query.sql_with_params()
        )
    except EmptyResultSet:  # no need can be in scope (e.g. an empty area list)
        return {}
    with connection.cursor() as cur:
        cur.execute(_FUNNEL_SQL.format(cohort=cohort), params)
        rows = cur.fetchall()
    out: dict[str, list[tuple]] = {}
    for m, k, d, n in rows:
        out.setdefault(m, []).append((k, d, n))
    return out


def funnel(user, scope: Scope) -> list[dict]:
    """Needs collected in scope: how many reached each stage, the conversion from the stage before,
    and the median whole days from entering the previous stage to entering this one.

    A need "reached" a stage when its history has that stage or a later one; entering a stage is
    the first history row with that status. Both are kept per need in ``NeedStageFact`` (written
    by the need services with every history row), so this is one SQL query over one row per need:
    a count per furthest stage and a days histogram per stage, per month of collection, with no
    per-need rows travelling to Python. The histograms are kept per month between requests
    (``records.monthly_part``) and added up here; a median from added histograms is exact.
    """
    per_month = monthly_part(scope, "funnel", lambda sc: _histograms(user, sc))
    rows = [r for m in sorted(per_month) for r in per_month[m] or ()]
    return _funnel(rows)


def _funnel(rows) -> list[dict]:
    """The funnel from the histogram rows (k, d, n) of the cohort."""
    furthest = [0] * len(FUNNEL)
    hist: dict[str, list[tuple[int, int]]] = {}
    for k, d, n in rows:
        if k == "reached":
            furthest[int(d)] += int(n)
        else:
            hist.setdefault(k, []).append((int(d), int(n)))
    counts = [sum(furthest[i:]) for i in range(len(FUNNEL))]  # reached a stage = reached it or a later one
    labels = dict(NeedStatus.choices)
    out = []
    for i, s in enumerate(FUNNEL):
        prev = counts[i - 1] if i else None
        out.append(
            {
                "status": s,
                "label": labels[s],
                "reached": counts[i],
                "rate": (counts[i] / prev) if prev else None,
                "overall": (counts[i] / counts[0]) if counts[0] else None,
                "median_days": median_from_histogram(hist.get(s, [])) if i else None,
            }
        )
    return out
