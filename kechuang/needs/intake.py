"""Needs from a 需求征集表: the need form checks each row, ``need_submit``/``need_update`` write it."""

from __future__ import annotations

from collections import Counter
from difflib import SequenceMatcher

from django.utils.translation import gettext, gettext_lazy

from kechuang.accounts.models import Role
from kechuang.core.access import restrict
from kechuang.intake.spec import ImportKind, Later, Outcome, norm
from kechuang.needs import services
from kechuang.needs.forms import NeedForm
from kechuang.needs.models import Need
from kechuang.needs.selectors import mark_visible, need_label, need_visible, prime_needs, record_listed_views

SIMILAR = 0.8  # title similarity above which two needs of one enterprise are flagged for a person
MAX_SIMILAR = 3  # near titles named per row
MAX_COMPARED = 2000  # the enterprise's most recent needs compared with a row
# the needs' relations among services.FIELDS: a re-imported row compares them (model instances)
_RELATED = tuple(f for f in services.FIELDS if Need._meta.get_field(f).is_relation)


def _title_facts(need) -> str:
    """``norm(need.title)``, computed once per need object per title (kept with the need: a few
    dozen bytes, where its character counts and set would be kilobytes for every need of the file)."""
    kept = need.__dict__.get("_intake_title")
    if kept is None or kept[0] != need.title:
        kept = need._intake_title = (need.title, norm(need.title))
    return kept[1]


# what the context reads of each need (``only``), and all a need staged and written by this import
# keeps afterwards (``_lean``): the re-import lookup by title, the near-title flags and their labels
KEPT = ("id", "title", "enterprise_id", "confidentiality", "status", "district_id", "submitted_by_id")
_DROPPED = tuple(f.attname for f in Need._meta.concrete_fields if f.attname not in KEPT)


def _lean(need) -> None:
    """Make a written need what ``context`` reads for the needs already there: its long texts
    (背景, 难题, 目标) and the rest are left to the database (deferred fields: read again if ever
    asked), so what an import keeps per created need does not grow with the texts of the file.
    The visibility mark and the title facts stay."""
    for name in _DROPPED:
        need.__dict__.pop(name, None)
    need.__dict__.pop("_submitted", None)  # need_new's copy of the row's data, for the audit entry
    need._state.fields_cache.clear()  # enterprise, district, submitted_by: the ``*_id`` stay


class NeedImport(ImportKind):
    label = gettext_lazy("需求")
    sheet = gettext_lazy("需求")
    key_help = gettext_lazy("需求企业和项目名称")
    reuse_form = True  # NeedForm's __init__ reads the user only (new needs: editing=False)
    notes = {
        "enterprise": gettext_lazy("必填（企业账号导入时不填）；企业全称、简称或统一社会信用代码"),
        "title": gettext_lazy("必填；至少 4 个字。同一企业同名项目视为同一条需求：再次导入会更新而不是新建"),
        "kind": gettext_lazy("必填；从下拉列表选择"),
        "chain": gettext_lazy("必填；从下拉列表选择"),
        "district": gettext_lazy("必填；从下拉列表选择（区（市）工作人员只能导入本辖区）"),
        "problem": gettext_lazy("必填；至少 20 个字"),
        "keywords_text": gettext_lazy("选填；多个关键词用逗号、顿号或空格分隔"),
        "budget_min": gettext_lazy("选填；整数，单位万元"),
        "budget_max": gettext_lazy("选填；整数，单位万元，不低于下限"),
        "deadline": gettext_lazy("选填；日期，如 2027-06-30"),
        "confidentiality": gettext_lazy("必填；从下拉列表选择。保密需求只有企业、所在区和市科协可见"),
    }
    aliases = {
        "title": ["需求名称", "项目名"],
        "enterprise": ["企业名称", "需求单位"],
        "chain": ["产业链", "行业领域"],
    }

    def allowed(self, user) -> bool:
        return services.can_submit(user)

    def bulk(self):
        return services.facts_deferred()

    def form(self, user, data=None):
        return NeedForm(data, user=user)

    def choice_label(self, name, obj):
        return obj.name

    def extra_spellings(self, name, obj):
        if name == "enterprise":
            return [obj.short_name, getattr(obj, "credit_code", "")]
        return []

    def _enterprise(self, user, cleaned):
        return user.organisation if user.role == Role.ENTERPRISE else cleaned["enterprise"]

    def key(self, cleaned):
        ent = self._enterprise_id(cleaned)
        return (ent, norm(cleaned["title"]))

    def _enterprise_id(self, cleaned):
        e = cleaned.get("enterprise")
        return e.pk if e is not None else None

    def context(self, user):
        """The needs this user may see, by enterprise: re-import finds them, near titles are flagged."""
        by_ent: dict[int, list[Need]] = {}
        for n in restrict(Need.objects.all(), user).only(*KEPT):
            by_ent.setdefault(n.enterprise_id, []).append(n)
        for needs in by_ent.values():  # read through restrict(): what need_label would ask, answered
            mark_visible(user, needs)
        return {"by_enterprise": by_ent}

    def stage(self, user, form, context):
        """Bulk path: a new need is built now and written with the others (``write_staged``);
        an update or a skip goes through ``apply`` as before."""
        cleaned = form.cleaned_data
        enterprise = self._enterprise(user, cleaned)
        title_key = norm(cleaned["title"])
        if any(_title_facts(n) == title_key for n in context["by_enterprise"].get(enterprise.pk, [])):
            return self.apply(user, form, context)
        need = services.need_new(user=user, data=form.service_data(), enterprise=enterprise)
        context["by_enterprise"].setdefault(enterprise.pk, []).append(need)
        return Outcome("create", "", obj=need, staged=True)

    def write_staged(self, user, outcomes, context):
        """``need_submit_many`` for the staged needs, then their labels decided in one query."""
        needs = [o.obj for o in outcomes]
        refusals = services.need_submit_many(user=user, needs=needs)
        saved = [n for n, r in zip(needs, refusals, strict=True) if r is None]
        prime_needs(user, saved)
        record_listed_views(user, [n for n in saved if need_visible(user, n)])  # as need_label would, in one go
        for o, r in zip(outcomes, refusals, strict=True):
            if r is None:
                o.label = need_label(user, o.obj)
                _lean(o.obj)  # kept for the rest of the file (lookups, near titles named later)
            else:
                context["by_enterprise"][o.obj.enterprise_id].remove(o.obj)
        return refusals

    def apply(self, user, form, context):
        cleaned = form.cleaned_data
        enterprise = self._enterprise(user, cleaned)
        data = form.service_data()
        title_key = norm(cleaned["title"])
        existing = next(
            (n for n in context["by_enterprise"].get(enterprise.pk, []) if norm(n.title) == title_key), None
        )
        if existing is None:
            need = services.need_submit(user=user, data=data, enterprise=enterprise)
            context["by_enterprise"].setdefault(enterprise.pk, []).append(need)
            return Outcome("create", need_label(user, need), obj=need)
        # the related objects compared below come with the need (one query, not one per relation)
        need = Need.objects.select_related(*_RELATED).get(pk=existing.pk)
        changed = [k for k in services.FIELDS if k in data and k != "source" and getattr(need, k) != data[k]]
        if not changed or not services.can_edit(user, need):
            # unchanged: what the context read through restrict() (``existing``) is what need_label would ask
            mark_visible(user, [need])
        if not changed:
            return Outcome("skip", need_label(user, need), gettext("与平台中的记录一致"), obj=need)
        if not services.can_edit(user, need):
            return Outcome(
                "skip",
                need_label(user, need),
                gettext("需求已处于“%(status)s”状态，不能通过导入修改（改动：%(changed)s）") % {"status": need.get_status_display(), "changed": self._names(form, changed)},
                obj=need,
            )
        services.need_update(user=user, need=need, data=data)
        return Outcome("update", need_label(user, need), gettext("修改：%(changed)s") % {"changed": self._names(form, changed)}, obj=need)

    @staticmethod
    def _names(form, fields):
        labels = {"keywords": gettext("关键词")}
        return "、".join(str(form.fields[f].label) if f in form.fields else labels.get(f, f) for f in fields)

    @staticmethod
    def _similar(user, n, ratio) -> str:
        return gettext("与“%(title)s”相似（%(ratio)s），可能是同一需求从不同渠道提交") % {
            "title": need_label(user, n),
            "ratio": f"{ratio:.0%}",
        }

    def likely_duplicates(self, user, cleaned, context):
        """At most ``MAX_SIMILAR`` near titles of the same enterprise (cheap bounds first: files are large).

        The bounds are difflib's own (``real_quick_ratio``, ``quick_ratio``: the shared characters as
        a multiset), computed from this row's character counts and each other title's normalised
        text kept with the need, so only titles
        that may reach ``SIMILAR`` build a ``SequenceMatcher``; the result is the same."""
        enterprise = self._enterprise(user, cleaned)
        title = norm(cleaned["title"])
        counts = Counter(title)
        chars = frozenset(title)
        out = []
        for n in reversed(context["by_enterprise"].get(enterprise.pk if enterprise else None, [])[-MAX_COMPARED:]):
            other = _title_facts(n)
            if other == title:
                continue
            total = len(title) + len(other)
            if not total or 2.0 * min(len(title), len(other)) / total < SIMILAR:  # real_quick_ratio
                continue
            # quick_ratio's shared characters are at most this row's counts of the characters both
            # titles use: a set intersection (cheap) rules most titles out before the multiset one
            common = chars.intersection(other)
            if 2.0 * sum(counts[c] for c in common) / total < SIMILAR:
                continue
            if 2.0 * sum(min(counts[c], other.count(c)) for c in common) / total < SIMILAR:  # quick_ratio
                continue
            ratio = SequenceMatcher(None, title, other).ratio()
            if ratio >= SIMILAR:
                if n.pk is None:  # staged in this file (bulk path): named once it is written
                    out.append(Later(lambda n=n, ratio=ratio: self._similar(user, n, ratio)))
                else:
                    out.append(self._similar(user, n, ratio))
                if len(out) == MAX_SIMILAR:
                    break
        return out


IMPORTS = {"needs": NeedImport()}
