"""Matching API: suggestions for a need (coordinators: the ranked lists; others who may see the need:
the accepted matches only) and the needs an expert could serve (only needs the caller may see)."""

from __future__ import annotations

from ninja import Router, Schema

from kechuang.api.common import READ_ERRORS, pk_path
from kechuang.experts.selectors import expert_get
from kechuang.matching import selectors
from kechuang.needs.selectors import need_get, need_label
from kechuang.needs.services import need_record_view

router = Router(tags=["matching"])


class EvidenceOut(Schema):
    kind: str
    title: str
    sentence: str
    spans: list[list[int]]
    terms: list[str]


class SuggestionOut(Schema):
    kind: str
    id: int
    name: str
    rank: int
    score: float
    matched_terms: list[str]
    evidence: list[EvidenceOut]
    flag: str | None = None
    status: str = "suggested"


class ExcludedOut(Schema):
    kind: str
    id: int
    name: str
    reason: str


class SuggestionsOut(Schema):
    need: int
    full: bool  # True: the ranked lists (coordinators); False: the accepted matches the caller may see
    dense_used: bool
    warnings: list[str]
    suggestions: list[SuggestionOut]
    excluded: list[ExcludedOut]


def _name(obj) -> str:
    return getattr(obj, "name", None) or getattr(obj, "title", None) or str(obj)


def _evidence(expl: dict) -> list[dict]:
    return [
        {k: e.get(k) for k in ("kind", "title", "sentence", "spans", "terms")}
        for e in (expl or {}).get("evidence", [])
    ]


@router.get("/needs/{need_id}/suggestions", response={200: SuggestionsOut, **READ_ERRORS}, url_name="matching_need_suggestions")
def need_suggestions(request, need_id: int = pk_path()):
    need = need_get(user=request.user, pk=need_id)  # 404 when the caller may not see the need
    need_record_view(user=request.user, need=need, via="api")
    if not request.user.is_coordinator:
        rows = [
            {
                "kind": m.kind,
                "id": m.candidate_id,
                "name": _name(m.candidate),
                "rank": m.rank,
                "score": m.score,
                "matched_terms": (m.explanation or {}).get("matched_terms", []),
                "evidence": _evidence(m.explanation),
                "status": m.status,
            }
            for m in selectors.need_matches(user=request.user, need=need)
        ]
        return {
            "need": need.pk,
            "full": False,
            "dense_used": False,
            "warnings": [],
            "suggestions": rows,
            "excluded": [],
        }
    ranked = selectors.need_suggestions(user=request.user, need=need)
    rows, excluded, warnings = [], [], set()
    for kind, r in ranked.items():
        warnings.update(r.warnings)
        for row in r.rows:
            rows.append(
                {
                    "kind": kind,
                    "id": row.pk,
                    "name": _name(row.obj),
                    "rank": row.rank,
                    "score": round(row.score, 6),
                    "matched_terms": row.explanation["matched_terms"],
                    "evidence": _evidence(row.explanation),
                    "flag": row.flag,
                    "status": row.match.status if row.match else "suggested",
                }
            )
        excluded += [
            {"kind": kind, "id": o.pk, "name": _name(o), "reason": reason} for o, reason in r.excluded
        ]
    return {
        "need": need.pk,
        "full": True,
        "dense_used": all(r.dense_used for r in ranked.values()),
        "warnings": sorted(warnings),
        "suggestions": rows,
        "excluded": excluded,
    }


class ReverseNeedOut(Schema):
    id: int
    title: str
    enterprise: str
    rank: int
    score: float
    matched_terms: list[str]
    evidence: list[EvidenceOut]
    flag: str | None = None


class ReverseOut(Schema):
    expert: int
    dense_used: bool
    warnings: list[str]
    needs: list[ReverseNeedOut]


@router.get("/experts/{expert_id}/needs", response={200: ReverseOut, **READ_ERRORS}, url_name="matching_expert_needs")
def expert_needs(request, expert_id: int = pk_path()):
    expert = expert_get(user=request.user, pk=expert_id)  # 404 when the caller may not see the expert
    ranked = selectors.reverse_needs_for_expert(user=request.user, expert=expert)
    return {
        "expert": expert.pk,
        "dense_used": ranked.dense_used,
        "warnings": ranked.warnings,
        "needs": [
            {
                "id": row.pk,
                "title": need_label(request.user, row.obj),
                "enterprise": row.obj.enterprise.name,
                "rank": row.rank,
                "score": round(row.score, 6),
                "matched_terms": row.explanation["matched_terms"],
                "evidence": _evidence(row.explanation),
                "flag": row.flag,
            }
            for row in ranked.rows
        ],
    }
