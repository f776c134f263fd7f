"""The records behind the demo's need histories: a history step "已推荐…N位专家" (status 已匹配) is backed
by N accepted expert matches, decided by the person and at the time the step names, routed as
``match_accept`` routes them; when the need moved on (已对接 or later) the expert answered 有意向对接.

So the need page's matching panel and the history tell the same story (issue 13).
"""

from __future__ import annotations

from datetime import datetime

from kechuang.matching.models import Match, MatchKind
from kechuang.needs.models import Need


def load(s: dict, ctx: dict) -> None:
    needs, experts, users = ctx["needs"], ctx["experts"], ctx["users"]
    user_of_expert = {u.expert_id: u for u in users.values() if u.expert_id and u.is_active}
    first_society = {e["key"]: ctx["orgs"].get(e["societies"][0]) for e in s["experts"] if e["societies"]}
    rows: list[Match] = []
    for n in s["needs"]:
        need = needs[n["key"]]
        hist = n["history"]
        for i, h in enumerate(hist):
            if h["status"] != "matched" or not h.get("experts"):
                continue
            later = hist[i + 1] if i + 1 < len(hist) else None
            answered = later is not None and later["status"] != "returned"
            for rank, key in enumerate(h["experts"], start=1):
                ex = experts[key]
                routed_user = routed_org = None
                if need.confidentiality != Need.Confidentiality.COORDINATORS:
                    routed_user = user_of_expert.get(ex.pk)
                    if routed_user is None:
                        routed_org = first_society.get(key)
                rows.append(
                    Match(
                        need=need,
                        kind=MatchKind.EXPERT,
                        expert=ex,
                        rank=rank,
                        status=Match.Status.ACCEPTED,
                        comment=h.get("note", ""),
                        decided_by=users.get(h["by"]),
                        decided_at=datetime.fromisoformat(h["at"]),
                        routed_to_user=routed_user,
                        routed_to_org=routed_org,
                        response=Match.Response.INTERESTED if answered else "",
                        responded_by=routed_user if answered else None,
                        responded_at=datetime.fromisoformat(later["at"]) if answered else None,
                    )
                )
    Match.objects.bulk_create(rows)
