"""Every read of needs, scoped to the user through ``kechuang.core.access``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from kechuang.core.access import restrict
from kechuang.core.filters import search_text
from kechuang.needs.models import Need, NeedAttachment, NeedStatus, NeedStatusChange


def need_list(*, user, filters: dict | None = None) -> QuerySet[Need]:
    """Needs the user may see, filtered by chain, district (with its zones), status, text."""
    qs = (
        restrict(Need.objects.all(), user)
        .select_related("enterprise", "chain", "district", "owner")
        .annotate(
            # every row here is visible to ``user``: printing it costs no further query
            **{_mark(user): Value(True, output_field=BooleanField())},
            is_stalled=ExpressionWrapper(
                Q(status__in=NeedStatus.MAY_STALL, status_changed_at__lt=stalled_before()),
                output_field=BooleanField(),
            ),
        )
    )
    f = filters or {}
    if f.get("chain"):
        qs = qs.filter(chain__code=f["chain"])
    if f.get("district"):
        from kechuang.accounts.models import Area

        area = Area.objects.filter(code=f["district"]).first()
        qs = qs.filter(district_id__in=area.subtree_ids()) if area else qs.none()
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("confidentiality"):
        qs = qs.filter(confidentiality=f["confidentiality"])
    if f.get("major"):
        qs = qs.filter(major=True)
    if f.get("stalled"):
        qs = qs.filter(status__in=NeedStatus.MAY_STALL, status_changed_at__lt=stalled_before())
    if text := search_text(f.get("q")):
        qs = qs.filter(
            Q(title__icontains=text)
            | Q(problem__icontains=text)
            | Q(goal__icontains=text)
            | Q(background__icontains=text)
            | Q(enterprise__name__icontains=text)
        )
    return qs


def owner_candidates(*, user):
    """Staff ``user`` may name as a need's follow-up owner (跟进负责人), for the select.

    Coordinators choose among coordinators and every district's staff; district staff among the
    staff of their own area. Whether a candidate fits a given need (their area covers it, they
    may see it) is checked by ``services.owner_eligible`` when the choice is saved.
    """
    from kechuang.accounts.models import Role, User

    qs = User.objects.filter(is_active=True)
    if user.is_coordinator:
        qs = qs.filter(Q(role=Role.COORDINATOR) | Q(role=Role.DISTRICT, area__isnull=False))
    elif user.role == Role.DISTRICT:
        qs = qs.filter(role=Role.DISTRICT, area_id__in=user.area_ids())
    else:
        return qs.none()
    return qs.select_related("area").order_by("role", "area__code", "username", "pk")


# What a table of needs prints (needs/_table.html, needs_tags.need_rows), read as tuples: a page of 25
# builds one light need per row (what its label and audit read) instead of a need with its enterprise,
# chain, district and owner (ADR 0051, amended in session 16). The visibility mark closes each row.
TABLE_COLUMNS = (
    "pk", "title", "confidentiality", "enterprise_id", "status", "major", "created_at", "is_stalled",
    "enterprise__name", "chain__name", "district__name", "owner_id", "owner__username", "owner__display_name",
)


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of a table of needs. ``need`` holds only what ``need_label`` and the audit read."""

    need: Need
    status: str
    major: bool
    created_at: datetime
    is_stalled: bool
    enterprise_name: str
    chain_name: str
    district_name: str
    owner: str | None  # the follow-up owner as a person is printed (name, else username); None without one


def for_table(needs: QuerySet[Need], *, user) -> QuerySet:
    """``needs`` (from ``need_list`` for ``user``) as tuples of TABLE_COLUMNS and the visibility mark
    ``need_list`` computed in its query (a queryset without it fails here, never printing unchecked
    titles); ``table_rows`` makes them rows."""
    return needs.values_list(*TABLE_COLUMNS, _mark(user))


def table_rows(user, rows) -> list[TableRow]:
    """Rows of ``for_table`` tuples, or of needs read another way (whole instances, as a list of stalled
    needs reads them), for ``needs_tags.need_rows``."""
    out, mark = [], _mark(user)
    for row in rows:
        if isinstance(row, Need):
            owner = row.owner
            out.append(TableRow(
                need=row, status=row.status, major=row.major, created_at=row.created_at,
                is_stalled=bool(getattr(row, "is_stalled", None)), enterprise_name=row.enterprise.name,
                chain_name=row.chain.name, district_name=row.district.name, owner=str(owner) if owner else None,
            ))
            continue
        (pk, title, level, enterprise_id, status, major, created_at, is_stalled, enterprise_name, chain_name,
         district_name, owner_id, owner_username, owner_name, visible) = row
        need = _label_need(id=pk, title=title, confidentiality=level, enterprise_id=enterprise_id)
        setattr(need, mark, bool(visible))
        out.append(TableRow(
            need=need, status=status, major=major, created_at=created_at, is_stalled=bool(is_stalled),
            enterprise_name=enterprise_name, chain_name=chain_name, district_name=district_name,
            owner=(owner_name or owner_username) if owner_id is not None else None,
        ))
    return out


def need_get(*, user, pk: int) -> Need:
    """One need, or 404 when it does not exist *or* the user may not see it."""
    return get_object_or_404(need_list(user=user), pk=pk)


def need_attachments(*, user, need: Need) -> QuerySet[NeedAttachment]:
    return restrict(NeedAttachment.objects.filter(need=need), user).select_related("uploaded_by")


def need_attachment_get(*, user, pk: int) -> NeedAttachment:
    """One of a need's files, or 404 when the user may not see that need."""
    return get_object_or_404(restrict(NeedAttachment.objects.all(), user).select_related("need"), pk=pk)


def need_history(*, user, need: Need) -> QuerySet[NeedStatusChange]:
    """The need page's status record, reading only what it prints (``needs_tags.need_history_rows``:
    the person's name, not their whole account)."""
    return (
        restrict(NeedStatusChange.objects.filter(need=need), user)
        .select_related("by")
        .only("from_status", "to_status", "at", "note", "by", "by__username", "by__display_name")
    )


def stalled_before():
    return timezone.now() - timedelta(days=settings.KECHUANG_STALLED_DAYS)


def need_is_stalled(need: Need) -> bool:
    return need.status in NeedStatus.MAY_STALL and need.status_changed_at < stalled_before()


# What the API's needs list prints (``kechuang.api.needs.NeedOut``, in its order), then the enterprise
# id its audit needs: read as tuples, the list builds no model instance (a need with its enterprise,
# chain, area and owner, every column, per row) and no schema validates them (ADR 0054).
API_ROW_COLUMNS = (
    "pk", "title", "enterprise__name", "kind", "chain__code", "district__code", "status", "confidentiality",
    "major", "created_at", "enterprise_id",
)


# What ``need_label`` and the audit of a listed need read; the model's order, as ``Model.from_db`` takes them.
_LABEL_ATTNAMES = [f.attname for f in Need._meta.concrete_fields if f.attname in ("id", "enterprise_id", "title", "confidentiality")]


def _label_need(**values) -> Need:
    """A need holding only what its label and audit read: ``from_db`` leaves the rest deferred, where
    ``Need(**values)`` computes every other field's default (a third of the API list's CPU, 50 rows)."""
    return Need.from_db(None, _LABEL_ATTNAMES, [values[name] for name in _LABEL_ATTNAMES])


def api_need_rows(user, needs: QuerySet[Need], *, via: str) -> list[tuple]:
    """``needs`` (from ``need_list``) as tuples of API_ROW_COLUMNS without the last (the enterprise id),
    each title printed through ``need_label``.

    The visibility mark ``need_list`` computes inside its query is read as one more column, so the
    labels cost no further query; a queryset without that mark fails here rather than printing
    unchecked titles. The confidential rows shown are audited with ``via`` (as an export is)."""
    rows = list(needs.values_list(*API_ROW_COLUMNS, _mark(user)))
    shown, mark = [], _mark(user)
    for pk, title, *_columns, level, _major, _created, enterprise_id, visible in rows:
        need = _label_need(id=pk, title=title, confidentiality=level, enterprise_id=enterprise_id)
        setattr(need, mark, bool(visible))
        shown.append(need)
    record_listed_views(user, [n for n in shown if need_visible(user, n)], via=via)
    return [(row[0], need_label(user, need), *row[2:-2]) for row, need in zip(rows, shown, strict=True)]


def need_counts_by_status(*, user) -> dict[str, int]:
    from django.db.models import Count

    rows = restrict(Need.objects.all(), user).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


# ---------------------------------------------------------------- printing a need for a reader
#
# The one way a page, PDF, Excel file, e-mail, notification or API response names a need: a
# reader who may open the need (``restrict``) reads its title; anyone else reads HIDDEN_LABEL.
# Lists decide for all their rows in one query (``visible_need_ids``/``prime_needs``, or the
# ``need_prefetch`` a selector adds to its queryset); a need that was not decided in bulk costs one
# query when it is printed. Printing a confidential need to a reader who may see it is audited.

HIDDEN_LABEL = gettext_noop("（保密需求）")  # a plain str (tests and callers compare it); translated when printed


def _mark(user) -> str:
    """The attribute under which a need instance remembers whether ``user`` may see it."""
    return f"_visible_to_{getattr(user, 'pk', None)}"


def visible_need_ids(user, ids) -> set[int]:
    """Of the need ids ``ids``, those ``user`` may see (one query, whatever the number)."""
    wanted = {int(i) for i in ids if i is not None}
    if not wanted:
        return set()
    return set(restrict(Need.objects.filter(pk__in=wanted), user).values_list("pk", flat=True))


def prime_needs(user, needs) -> list[Need]:
    """Decide in one query, for every need in ``needs`` (None ignored), whether ``user`` may see it."""
    needs = [n for n in needs if n is not None]
    todo = [n for n in needs if not hasattr(n, _mark(user))]
    if todo:
        visible = visible_need_ids(user, (n.pk for n in todo))
        for n in todo:
            setattr(n, _mark(user), n.pk in visible)
    return needs


def mark_visible(user, needs) -> None:
    """Remember that ``user`` may see ``needs`` — only for needs just read through ``restrict(…, user)``."""
    for n in needs:
        setattr(n, _mark(user), True)


def with_visibility(user, qs: QuerySet[Need]) -> QuerySet[Need]:
    """``qs`` with each need marked for ``user`` inside the same query (for lazy querysets)."""
    from django.db.models import Exists, OuterRef

    return qs.annotate(**{_mark(user): Exists(restrict(Need.objects.filter(pk=OuterRef("pk")), user))})


def need_prefetch(user, lookup: str = "need"):
    """A ``Prefetch`` for a relation to needs that marks them for ``user`` (one query per list)."""
    from django.db.models import Prefetch

    return Prefetch(lookup, queryset=with_visibility(user, Need.objects.all()))


def need_visible(user, need: Need | None) -> bool:
    if not need:
        return False
    mark = _mark(user)
    if not hasattr(need, mark):
        prime_needs(user, [need])
    return bool(getattr(need, mark))


def need_label(user, need: Need | None, *, default: str = "") -> str:
    """What ``user`` may read as the name of ``need``: its title, or HIDDEN_LABEL."""
    if not need:  # None, or "" from a template variable that does not exist
        return default
    if not need_visible(user, need):
        return gettext(HIDDEN_LABEL)
    if need.confidentiality != Need.Confidentiality.PUBLIC:
        record_listed_views(user, [need])
    return need.title


def need_labels(user, needs) -> dict[int, str]:
    """``{need id: label}`` for a list of needs, decided in one query."""
    return {n.pk: need_label(user, n) for n in prime_needs(user, needs)}


def visible_needs(user, needs) -> list[Need]:
    """The needs of ``needs`` that ``user`` may see (one query): for lists and their counts."""
    return [n for n in prime_needs(user, needs) if need_visible(user, n)]


def record_listed_views(user, needs, *, via: str = "list") -> None:
    """Audit that ``user`` was shown confidential needs in a list, export, e-mail or notification.

    One entry per need and reader per request (the reader object lives for one request); an
    enterprise contact reading their own enterprise's needs is not recorded. The one place that
    writes these entries (one bulk INSERT per confidentiality level). ``via`` says where: ``"list"``,
    ``"export:needs.xlsx"``…"""
    from kechuang.core.audit import record_views

    own_org = getattr(user, "organisation_id", None) if getattr(user, "role", None) == "enterprise" else None
    needs = [n for n in needs if own_org is None or n.enterprise_id != own_org]
    if not needs:
        return

    seen = getattr(user, "_confidential_needs_listed", None)
    if seen is None:
        seen = user._confidential_needs_listed = set()
    fresh = [n for n in needs if n.confidentiality != Need.Confidentiality.PUBLIC and n.pk not in seen]
    seen.update(n.pk for n in fresh)
    for level in sorted({n.confidentiality for n in fresh}):
        record_views(user, [n for n in fresh if n.confidentiality == level], via=via, confidentiality=level)


# What the need page prints of a need and its relations (needs/detail.html) and what its services read
# (``allowed_transitions``, ``can_edit``, ``can_attach``, ``need_is_stalled``, ``need_record_view``):
# ``need_get``'s every column of the need, its enterprise, chain, area and owner (the owner's password
# hash included) were the page's longest query (ADR 0051, amended in session 16).
PAGE_FIELDS = (
    "title", "kind", "background", "problem", "goal", "keywords", "budget_min", "budget_max", "deadline",
    "contact_name", "contact_phone", "confidentiality", "source", "major", "status", "status_changed_at",
    "submitted_by", "enterprise", "enterprise__name", "chain", "chain__name", "chain__task_force", "district",
    "district__name", "owner", "owner__username", "owner__display_name",
)


def need_for_page(*, user, pk: int) -> Need:
    """``need_get`` for the need page: the same need (404 when it does not exist or the user may not see
    it: ``restrict``), reading only PAGE_FIELDS, marked visible to ``user``. A column not listed that is
    read later costs a query: keep PAGE_FIELDS and the page together (tests/needs/test_detail_rows.py)."""
    qs = restrict(Need.objects.all(), user).select_related("enterprise", "chain", "district", "owner")
    need = get_object_or_404(qs.only(*PAGE_FIELDS), pk=pk)
    mark_visible(user, [need])
    return need


def need_attachments_for_page(*, user, need: Need) -> QuerySet[NeedAttachment]:
    """``need_attachments`` for the need page: the same files (``restrict``), reading what the page prints —
    the name, the date, who uploaded it (their name, not their whole account)."""
    return need_attachments(user=user, need=need).only(
        "name", "uploaded_at", "uploaded_by", "uploaded_by__username", "uploaded_by__display_name"
    )
