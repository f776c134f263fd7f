"""Reads of experts, achievements and service teams, scoped by ``kechuang.core.access``.

Pages and the API show an expert through ``ExpertProfile`` (one profile) or ``ExpertCard`` (a row of
a list): projections that carry only the public fields, and the contact details only when
``can_see_contact`` says so. Templates never get the model, so no template can leak a phone number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.core.choices import choice_labels
from kechuang.core.filters import search_text
from kechuang.experts.models import Achievement, ContactRequest, Expert, ServiceTeam
from kechuang.orgs.models import Organisation


def expert_list(*, user, filters: dict | None = None) -> QuerySet[Expert]:
    f = filters or {}
    qs = restrict(Expert.objects.all(), user).select_related("affiliation").prefetch_related("societies")
    if f.get("society"):
        qs = qs.filter(pk__in=Expert.objects.filter(societies=f["society"]).values("pk"))
    if fld := search_text(f.get("field")):
        qs = qs.filter(pk__in=_ids_with_field(qs, fld))
    if t := search_text(f.get("q")):
        qs = qs.filter(
            Q(name__icontains=t)
            | Q(affiliation__name__icontains=t)
            | Q(title__icontains=t)
            | Q(pk__in=_ids_with_term(qs, t))
        )
    return qs  # every filter and access rule is a subquery or a to-one join: no row twice, no DISTINCT


# JSON lists are matched in Python: SQLite stores non-ASCII JSON text escaped ("\u77f3…"), so a
# LIKE on the column never finds a Chinese word there, and the library is a few hundred rows.
def _ids_with_field(qs, name: str) -> list[int]:
    """Experts having ``name`` among their fields exactly."""
    return [pk for pk, fields in qs.values_list("pk", "fields") if name in (fields or [])]


def _ids_with_term(qs, term: str) -> list[int]:
    """Experts one of whose fields or keywords contains ``term`` (case-insensitive)."""
    t = term.casefold()
    return [
        pk
        for pk, fields, keywords in qs.values_list("pk", "fields", "keywords")
        if any(t in str(x).casefold() for x in [*(fields or []), *(keywords or [])])
    ]


# The distinct strings of the ``fields`` arrays, unnested by the database: reading every expert's JSON
# into Python cost ~10 µs an expert on each list page (0.5 s at 50,000 experts). Values are never
# interpolated: the table and column come from the model, the scope is the restricted queryset's own SQL.
_FIELDS_SQL = {
    "sqlite": "SELECT DISTINCT j.value FROM {table} e, json_each(e.{col}) j "
    "WHERE json_type(e.{col}) = 'array' AND j.type = 'text' AND e.{pk} IN ({scope})",
    "postgresql": "SELECT DISTINCT f #>> '{{}}' FROM {table} e, jsonb_array_elements(e.{col}) f "
    "WHERE jsonb_typeof(e.{col}) = 'array' AND jsonb_typeof(f) = 'string' AND e.{pk} IN ({scope})",
}


def expert_field_choices(*, user) -> list[str]:
    """Every research field of the experts ``user`` may browse, for the list's filter."""
    try:
        scope, params = restrict(Expert.objects.all(), user).order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return []
    q = connection.ops.quote_name
    meta = Expert._meta
    sql = _FIELDS_SQL[connection.vendor].format(
        table=q(meta.db_table), col=q(meta.get_field("fields").column), pk=q(meta.pk.column), scope=scope
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return sorted(row[0] for row in cur.fetchall())


def expert_get(*, user, pk: int) -> Expert:
    return get_object_or_404(expert_list(user=user), pk=pk)


# --- what a reader may see of an expert --------------------------------------------------------


def can_see_contact(user, expert: Expert) -> bool:
    """May ``user`` read ``expert``'s phone and e-mail?

    Platform staff (coordinators, leadership, district staff), the liaison of one of the expert's
    societies and the expert themself: yes, as far as they may see the expert at all. An enterprise
    contact: only when the expert agreed to publish them (``contact_public``) or accepted the
    enterprise's contact request."""
    if not restrict(Expert.objects.filter(pk=expert.pk), user).exists():
        return False
    if user.role == Role.ENTERPRISE and not user.is_coordinator:
        if expert.contact_public:
            return True
        return ContactRequest.objects.filter(
            enterprise_id=user.organisation_id, expert_id=expert.pk, status=ContactRequest.Status.ACCEPTED
        ).exists()
    return True


@dataclass(frozen=True)
class Contact:
    phone: str
    email: str


@dataclass(frozen=True)
class ExpertCard:
    """One row of the expert list: public fields only."""

    pk: int
    name: str
    title: str
    affiliation: str
    societies: list[str]
    fields: list[str]
    availability: str
    availability_label: str


@dataclass(frozen=True)
class ExpertProfile:
    """An expert's page as ``user`` may read it: the public profile, and ``contact`` or None."""

    pk: int
    name: str
    title: str
    affiliation: str
    societies: list[str]
    fields: list[str]
    keywords: list[str]
    region: str
    availability: str
    availability_label: str
    bio: str
    contact_public: bool
    contact: Contact | None
    publications: list = field(default_factory=list)
    patents: list = field(default_factory=list)
    achievements: list = field(default_factory=list)


def _contact_of(expert: Expert) -> Contact:
    account = getattr(expert, "user", None)  # the expert's platform account, if any
    phone = expert.phone or (account.phone if account else "")
    email = expert.email or (account.email if account else "")
    return Contact(phone=phone, email=email)


# What ``expert_cards`` prints of each expert, as tuples (ADR 0051, amended in session 16).
CARD_COLUMNS = ("pk", "name", "title", "affiliation__name", "fields", "availability")


def for_cards(experts: QuerySet[Expert]) -> QuerySet:
    """``experts`` (from ``expert_list``) as tuples of CARD_COLUMNS: a list page of 30 builds no model
    instances and prefetches nothing (``expert_cards`` reads the societies in one query of names)."""
    return experts.prefetch_related(None).values_list(*CARD_COLUMNS)


# What the API's experts list prints (``kechuang.api.experts.ExpertOut``, in its order), as tuples
# (ADR 0054): no model instances, no societies prefetched (the list does not print them).
API_ROW_COLUMNS = ("pk", "name", "title", "affiliation__name", "fields", "keywords", "availability")


def for_api_rows(experts: QuerySet[Expert]) -> QuerySet:
    """``experts`` (from ``expert_list``) as tuples of API_ROW_COLUMNS."""
    return experts.prefetch_related(None).values_list(*API_ROW_COLUMNS)


def expert_cards(rows) -> list[ExpertCard]:
    """The cards of a page of ``for_cards`` rows; each expert's societies (short name, else name) in the
    order ``expert.societies.all()`` gives (Organisation's ordering), read for the page in one query."""
    rows = list(rows)
    societies: dict[int, list[str]] = {pk: [] for pk, *_ in rows}
    if rows:
        links = (
            Expert.societies.through.objects.filter(expert_id__in=list(societies))
            .order_by(*(f"-organisation__{f[1:]}" if f.startswith("-") else f"organisation__{f}"
                        for f in Organisation._meta.ordering), "organisation_id")
            .values_list("expert_id", "organisation__short_name", "organisation__name")
        )
        for expert_id, short_name, name in links:
            societies[expert_id].append(short_name or name)
    labels = choice_labels(Expert._meta.get_field("availability"))
    return [
        ExpertCard(
            pk=pk,
            name=name,
            title=title,
            affiliation=affiliation or "",
            societies=societies[pk],
            fields=list(fields or []),
            availability=availability,
            availability_label=labels.get(availability, availability),
        )
        for pk, name, title, affiliation, fields, availability in rows
    ]


def expert_profile(*, user, pk: int) -> ExpertProfile:
    """The expert's page for ``user`` (404 outside the user's scope)."""
    expert = get_object_or_404(
        restrict(Expert.objects.all(), user)
        .select_related("affiliation", "user")
        .prefetch_related("societies"),
        pk=pk,
    )
    return ExpertProfile(
        pk=expert.pk,
        name=expert.name,
        title=expert.title,
        affiliation=expert.affiliation.name if expert.affiliation_id else "",
        societies=[s.name for s in expert.societies.all()],
        fields=list(expert.fields or []),
        keywords=list(expert.keywords or []),
        region=expert.region,
        availability=expert.availability,
        availability_label=expert.get_availability_display(),
        bio=expert.bio,
        contact_public=expert.contact_public,
        contact=_contact_of(expert) if can_see_contact(user, expert) else None,
        publications=list(expert.publications.all()),
        patents=list(expert.patents.all()),
        achievements=list(achievement_list(user=user).filter(owner_expert=expert)),
    )


# --- contact requests --------------------------------------------------------------------------


def contact_request_list(*, user, status: str | None = None) -> QuerySet[ContactRequest]:
    qs = restrict(ContactRequest.objects.all(), user).select_related(
        "enterprise", "expert", "society", "need", "requested_by", "handled_by"
    )
    if status in ContactRequest.Status.values:
        qs = qs.filter(status=status)
    return qs


def contact_request_get(*, user, pk: int) -> ContactRequest:
    return get_object_or_404(contact_request_list(user=user), pk=pk)


def contact_requests_for_expert(*, user, expert_id: int) -> QuerySet[ContactRequest]:
    """The requests about one expert that ``user`` may see (an enterprise: its own)."""
    return contact_request_list(user=user).filter(expert_id=expert_id)


# --- achievements and teams --------------------------------------------------------------------


def achievement_list(*, user, filters: dict | None = None) -> QuerySet[Achievement]:
    f = filters or {}
    qs = restrict(Achievement.objects.all(), user).select_related("owner_society", "owner_expert", "chain")
    if f.get("society"):
        qs = qs.filter(owner_society=f["society"])
    if t := search_text(f.get("q")):
        qs = qs.filter(Q(title__icontains=t) | Q(description__icontains=t))
    return qs


def achievement_get(*, user, pk: int) -> Achievement:
    return get_object_or_404(achievement_list(user=user), pk=pk)


def team_list(*, user) -> QuerySet[ServiceTeam]:
    """The service teams ``user`` may see with their number of experts, for the experts list and the
    liaison's home page, which print name, theme and count (no prefetch of societies and chains: two
    queries per page that nothing read; the teams page has its own, ``profile_selectors.team_list``)."""
    return restrict(ServiceTeam.objects.all(), user).annotate(n_experts=Count("experts", distinct=True))


def expert_society_choices(*, user):
    """The societies of the experts ``user`` may browse (names only, for the list's filter)."""
    from kechuang.orgs.models import Organisation

    visible = restrict(Expert.objects.all(), user).values("pk")
    return Organisation.objects.filter(kind=Organisation.Kind.SOCIETY, society_experts__in=visible).distinct()


def societies_for(user):
    """The societies ``user`` may put experts and achievements in: a liaison only its own."""
    qs = Organisation.objects.filter(kind=Organisation.Kind.SOCIETY)
    if user.is_coordinator:
        return qs
    if user.role == Role.LIAISON and user.organisation_id:
        return qs.filter(pk=user.organisation_id)
    return qs.none()
