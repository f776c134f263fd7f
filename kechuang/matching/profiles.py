"""Engine inputs built from the database: candidates (experts, achievements, societies, needs) and
queries (a need; an expert or an achievement for the reverse direction).

Candidate ids are the primary keys as strings, one id space per index kind.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Prefetch
from django.utils.translation import gettext

from kechuang.experts.models import Achievement, Expert
from kechuang.matching.engine import Candidate, Document, Query
from kechuang.needs.models import Need
from kechuang.orgs.models import Organisation

# how many of its experts' most frequent keywords describe a society
SOCIETY_KEYWORDS = 40


def _achievement_document(a: Achievement) -> Document:
    return Document("achievement", a.title, a.description)


def expert_candidate(e: Expert) -> Candidate:
    docs: list[Document] = []
    docs += [Document("publication", p.title, p.abstract) for p in e.publications.all()]
    docs += [Document("patent", p.title, p.abstract) for p in e.patents.all()]
    docs += [_achievement_document(a) for a in e.achievements.all()]
    return Candidate(
        id=str(e.pk),
        name=e.name,
        kind="expert",
        title=e.title,
        keywords=tuple(e.keywords or ()),
        fields=tuple(e.fields or ()),
        documents=tuple(docs),
    )


def expert_queryset():
    return Expert.objects.prefetch_related(
        "publications", "patents", Prefetch("achievements", queryset=Achievement.objects.order_by("pk"))
    ).order_by("pk")


def expert_candidates() -> list[Candidate]:
    return [expert_candidate(e) for e in expert_queryset()]


def achievement_candidate(a: Achievement) -> Candidate:
    fields = list(a.fields or ())
    if a.chain_id and a.chain.name not in fields:
        fields.append(a.chain.name)
    return Candidate(
        id=str(a.pk),
        name=a.title,
        kind="achievement",
        title=a.title,
        keywords=(),
        fields=tuple(fields),
        documents=(Document("achievement", a.title, a.description),),
    )


def achievement_candidates() -> list[Candidate]:
    return [achievement_candidate(a) for a in Achievement.objects.select_related("chain").order_by("pk")]


def society_candidates() -> list[Candidate]:
    """A society is described by its fields, its achievements and what its experts work on."""
    societies = list(Organisation.objects.filter(kind=Organisation.Kind.SOCIETY).order_by("pk"))
    keywords: dict[int, Counter] = {s.pk: Counter() for s in societies}
    for e in Expert.objects.prefetch_related("societies").only("keywords", "fields"):
        for s in e.societies.all():
            if s.pk in keywords:
                keywords[s.pk].update(e.keywords or ())
    achievements: dict[int, list[Document]] = {s.pk: [] for s in societies}
    for a in Achievement.objects.filter(owner_society__in=societies).order_by("pk"):
        achievements[a.owner_society_id].append(_achievement_document(a))
    out = []
    for s in societies:
        docs = list(achievements[s.pk])
        if s.description:
            docs.insert(0, Document("profile", s.name, s.description))
        out.append(
            Candidate(
                id=str(s.pk),
                name=s.name,
                kind="society",
                title=s.name,
                keywords=tuple(k for k, _ in keywords[s.pk].most_common(SOCIETY_KEYWORDS)),
                fields=tuple(s.fields or ()),
                documents=tuple(docs),
            )
        )
    return out


def need_candidate(n: Need) -> Candidate:
    """A need as a candidate for the reverse direction (which needs could this expert serve?)."""
    chain_kw = list(n.chain.keywords or ()) if n.chain_id else []
    return Candidate(
        id=str(n.pk),
        name=n.title,
        kind="need",
        title=n.title,
        keywords=tuple(n.keywords or ()),
        fields=(n.chain.name, *chain_kw) if n.chain_id else (),
        documents=(
            Document("problem", gettext("技术难题"), n.problem),
            Document("goal", gettext("技术目标"), n.goal),
            Document("background", gettext("需求背景"), n.background),
        ),
    )


def need_candidates() -> list[Candidate]:
    return [need_candidate(n) for n in Need.objects.select_related("chain").order_by("pk")]


CANDIDATE_BUILDERS = {
    "expert": expert_candidates,
    "achievement": achievement_candidates,
    "society": society_candidates,
    "need": need_candidates,
}


def need_query(n: Need) -> Query:
    """The query for a need's suggestions: its structured fields, problem and goal weigh most."""
    chain = ""
    if n.chain_id:
        chain = "；".join([n.chain.name, *(n.chain.keywords or ())])
    return Query(
        title=n.title,
        problem=n.problem,
        goal=n.goal,
        background=n.background,
        keywords=tuple(n.keywords or ()),
        chain=chain,
    )


def expert_query(e: Expert) -> Query:
    """What an expert can do, as a query over needs: keywords and fields first, then documents."""
    titles = [p.title for p in e.publications.all()] + [p.title for p in e.patents.all()]
    titles += [a.title for a in e.achievements.all()]
    return Query(
        title="、".join(e.fields or ()),
        keywords=tuple(e.keywords or ()),
        text="；".join(titles[:12]),
    )


def achievement_query(a: Achievement) -> Query:
    return Query(
        title=a.title,
        keywords=tuple(a.fields or ()),
        problem=a.description,
        chain=a.chain.name if a.chain_id else "",
    )
