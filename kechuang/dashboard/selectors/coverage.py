"""The industry-chain map: needs per chain next to the experts and achievements that cover it."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy

from kechuang.core.access import restrict
from kechuang.dashboard.selectors.records import need_counts, part, sum_by
from kechuang.dashboard.selectors.scope import Scope
from kechuang.experts.models import Achievement, Expert
from kechuang.orgs.models import IndustryChain

THIN_RATIO = 3  # a chain is "thin" when it has more than 3 needs per covering expert
GAP_LABELS = {"gap": gettext_lazy("缺口"), "thin": gettext_lazy("薄弱"), "covered": gettext_lazy("已覆盖"), "none": gettext_lazy("暂无需求")}


def expert_covers(terms: list[str], keywords: list[str]) -> bool:
    """An expert covers a chain when one of their fields/keywords and one of the chain's keywords
    contain each other (e.g. "伺服驱动" and "伺服", "石墨烯" and "石墨")."""
    return any(k and t and (k in t or t in k) for t in terms for k in keywords)


def coverage_counts(user, chains: list[IndustryChain]) -> dict[int, dict]:
    """Covering experts and achievements per chain. Terms are matched once per distinct term, not
    once per expert, so this stays cheap with thousands of experts."""
    experts = restrict(Expert.objects.all(), user).order_by().values_list("fields", "keywords")
    keywords = {c.pk: [str(k) for k in c.keywords or []] for c in chains}
    covers: dict[str, frozenset[int]] = {}
    counts = dict.fromkeys(keywords, 0)
    for f, k in experts:
        hit: set[int] = set()
        for t in {str(t) for t in (f or []) + (k or [])}:
            if t not in covers:
                covers[t] = frozenset(pk for pk, kws in keywords.items() if expert_covers([t], kws))
            hit |= covers[t]
        for pk in hit:
            counts[pk] += 1
    ach = dict(
        restrict(Achievement.objects.filter(chain__isnull=False), user)
        .order_by()
        .values("chain_id")
        .annotate(n=Count("pk"))
        .values_list("chain_id", "n")
    )
    return {c.pk: {"experts": counts[c.pk], "achievements": ach.get(c.pk, 0)} for c in chains}


def gap_level(needs: int, experts: int) -> str:
    """ "gap" (needs but no covering expert), "thin" (more than THIN_RATIO needs per expert),
    "covered", or "none" (no needs in scope)."""
    if needs == 0:
        return "none"
    if experts == 0:
        return "gap"
    if needs > THIN_RATIO * experts:
        return "thin"
    return "covered"


def by_chain(user, scope: Scope) -> list[dict]:
    """Per industry chain / task force: needs, major, signed, and expert coverage (see ``coverage``)."""
    chains = list(IndustryChain.objects.filter(active=True))
    counts = sum_by(need_counts(user, scope), "chain_id")
    # the experts' coverage does not depend on the period or area: kept until experts or chains change
    cover = part(scope, "coverage", frozenset({"experts", "orgs"}), lambda: coverage_counts(user, chains))
    out = []
    for c in chains:
        r = counts.get(c.pk, {})
        needs, experts = r.get("n", 0), cover[c.pk]["experts"]
        out.append(
            {
                "chain": c,
                "needs": needs,
                "major": r.get("major", 0),
                "open": r.get("open", 0),
                "signed": r.get("signed", 0),
                "experts": experts,
                "achievements": cover[c.pk]["achievements"],
                "gap": gap_level(needs, experts),
                "gap_label": GAP_LABELS[gap_level(needs, experts)],
            }
        )
    return out
