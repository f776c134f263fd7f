"""Experts (with 论文 and 专利 sheets) and achievements from a society's Excel lists.

An expert is the same person when name and 工作单位 agree (or name and phone / e-mail); a
publication when its expert already has one with the same title; an achievement when its society
already has one with the same title. Liaisons import only into their own society.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from django.utils.translation import gettext, gettext_lazy

from kechuang.core.access import restrict
from kechuang.intake.spec import ImportKind, Outcome, norm

from . import services
from .forms import AchievementForm, ExpertForm, PatentRowForm, PublicationRowForm
from .models import Achievement, Expert


def _contact_fields():
    have = {f.name for f in Expert._meta.get_fields()}
    return [f for f in ("phone", "email") if f in have]


class _ExpertRows(ImportKind):
    """Shared by the 论文 and 专利 sheets: find the row's expert among the file's and the platform's."""

    key_help = gettext_lazy("专家姓名、工作单位和题名")
    reuse_form = True  # the row forms' __init__ reads nothing of the row
    add = None
    add_many = None

    def allowed(self, user):
        return services.can_maintain_library(user)

    def key(self, cleaned):
        return (norm(cleaned["expert_name"]), norm(cleaned.get("affiliation_name")), norm(cleaned["title"]))

    def apply(self, user, form, context):
        d = form.cleaned_data
        expert = _find(context, d["expert_name"], d.get("affiliation_name") or "")
        label = f"{d['expert_name']}：{d['title']}"
        if expert is None:
            from kechuang.core.errors import ApplicationError

            raise ApplicationError(
                gettext("找不到专家“%(name)s”（%(affiliation)s）：请先在“专家”表中填写该专家，姓名和工作单位要一致。")
                % {"name": d["expert_name"], "affiliation": d.get("affiliation_name") or gettext("未填单位")},
                field_errors={"expert_name": [gettext("在“专家”表和平台中都找不到这位专家。")]},
            )
        if expert.pk not in context["writable"]:
            return Outcome("skip", label, gettext("该专家不在您的学会，不能为其添加"))
        if context.get("_bulk"):  # written with the others by ``write_staged``, which says create or skip
            return Outcome("create", label, obj=(expert, d), staged=True)
        obj, created = type(self).add(user=user, expert=expert, data=d)
        return self._added(Outcome("create", label), obj, created)

    @staticmethod
    def _added(outcome, obj, created):
        outcome.obj = obj
        if not created:
            outcome.action, outcome.reason = "skip", gettext("该专家已有同名记录")
        return outcome

    def write_staged(self, user, outcomes, context):
        """The staged rows' records added at once (``publication_add_many``/``patent_add_many``): a row
        whose expert already has the record (in the platform or earlier in the file) becomes a skip."""
        added = type(self).add_many(user=user, items=[o.obj for o in outcomes])
        for o, (obj, created) in zip(outcomes, added, strict=True):
            self._added(o, obj, created)
        return [None] * len(outcomes)


class PublicationImport(_ExpertRows):
    label = gettext_lazy("论文")
    sheet = gettext_lazy("论文")
    add = staticmethod(services.publication_add)
    add_many = staticmethod(services.publication_add_many)

    def form(self, user, data=None):
        return PublicationRowForm(data)


class PatentImport(_ExpertRows):
    label = gettext_lazy("专利")
    sheet = gettext_lazy("专利")
    add = staticmethod(services.patent_add)
    add_many = staticmethod(services.patent_add_many)

    def form(self, user, data=None):
        return PatentRowForm(data)


def _find(context, name, affiliation):
    """The expert a 论文/专利 row names: by name and unit, or by name alone when that is unambiguous."""
    key = (norm(name), norm(affiliation))
    if key in context["by_key"]:
        return context["by_key"][key]
    if not affiliation:
        same = context["by_name"].get(norm(name), [])
        if len(same) == 1:
            return same[0]
    return None


class ExpertImport(ImportKind):
    label = gettext_lazy("专家")
    sheet = gettext_lazy("专家")
    key_help = gettext_lazy("姓名和工作单位（或姓名和联系方式）")
    children = (PublicationImport(), PatentImport())
    listed_results = 500  # what the report page lists (intake.views.SHOWN_ROWS); the rest are counted
    notes = {
        "name": gettext_lazy("必填"),
        "title": gettext_lazy("必填；如 教授、研究员、高级工程师"),
        "affiliation_name": gettext_lazy("单位全称；平台中没有的单位会一并新建"),
        "societies": gettext_lazy("必填；学会全称，多个用顿号分隔（学会联络员只能填本学会）"),
        "fields_text": gettext_lazy("多个用逗号或顿号分隔，如 石墨烯、锂电池"),
        "availability": gettext_lazy("从下拉列表选择；不填为“可对接”"),
    }
    aliases = {"name": ["专家姓名"], "affiliation_name": ["单位", "所在单位"], "societies": ["学会"]}

    def allowed(self, user):
        return services.can_maintain_library(user)

    reuse_form = True  # ExpertForm's __init__ reads the user (and a saved instance) only, never the row

    def row_data(self, data):
        if not data.get("availability"):
            data = dict(data, availability=Expert.Availability.AVAILABLE)
        return data

    def form(self, user, data=None):
        return ExpertForm(None if data is None else self.row_data(data), user=user)

    def choice_label(self, name, obj):
        return obj.name

    def extra_spellings(self, name, obj):
        return [obj.short_name] if name == "societies" else []

    def key(self, cleaned):
        return (norm(cleaned["name"]), norm(cleaned.get("affiliation_name")))

    def context(self, user):
        by_key, by_name, by_contact = {}, {}, {}
        contact = _contact_fields()
        for e in Expert.objects.select_related("affiliation").only(
            "id", "name", "affiliation__name", *contact
        ):
            by_key[(norm(e.name), norm(getattr(e.affiliation, "name", "")))] = e
            by_name.setdefault(norm(e.name), []).append(e)
            for f in contact:
                if getattr(e, f):
                    by_contact[(norm(e.name), norm(getattr(e, f)))] = e
        writable = (
            set(restrict(Expert.objects.all(), user).values_list("pk", flat=True))
            if not user.is_coordinator
            else {e.pk for es in by_name.values() for e in es}
        )
        return {"by_key": by_key, "by_name": by_name, "by_contact": by_contact, "writable": writable}

    def _existing(self, data, context):
        found = context["by_key"].get((norm(data["name"]), norm(data.get("affiliation_name"))))
        if found is None:
            for f in _contact_fields():
                if data.get(f):
                    found = context["by_contact"].get((norm(data["name"]), norm(data[f])))
                    if found:
                        break
        return found

    def stage(self, user, form, context):
        """Bulk path: a new expert is built now (its 工作单位 found or created once per file, as
        ``affiliation_for`` would) and written with the others (``write_staged``); an update or a
        skip goes through ``apply`` as before."""
        data = form.service_data()
        if self._existing(data, context) is not None:
            return self.apply(user, form, context)
        name = data.get("affiliation_name", "")
        units = context.setdefault("_affiliations", {})
        if name not in units:
            units[name] = services.affiliation_for(user, name)[0]
        expert = services.expert_new(data=data, affiliation=units[name])
        expert._intake_key = self._remember(context, expert, data)
        return Outcome("create", self._label(data), obj=expert, staged=True)

    def write_staged(self, user, outcomes, context):
        """``expert_create_many`` for the staged experts; the ones written may get 论文 and 专利 rows."""
        refusals = services.expert_create_many(user=user, experts=[o.obj for o in outcomes])
        for o, r in zip(outcomes, refusals, strict=True):
            e = o.obj
            if r is None:
                context["writable"].add(e.pk)
                self._keep_lean(context, e)
                continue
            key = e._intake_key
            if context["by_key"].get(key) is e:  # as the one-row path, which never remembers a refused row
                del context["by_key"][key]
            same = context["by_name"].get(norm(e.name), [])
            if e in same:
                same.remove(e)
        return refusals

    @staticmethod
    def _keep_lean(context, e):
        """What the rest of the file needs of a written expert (its 论文/专利 rows, same-name flags):
        pk, name and unit, as ``context`` keeps the platform's experts — not the row's data."""
        lean = Expert.from_db(e._state.db, ["id", "name", "affiliation_id"], [e.pk, e.name, e.affiliation_id])
        if e.affiliation_id is not None:
            lean._state.fields_cache["affiliation"] = e.affiliation
        if context["by_key"].get(e._intake_key) is e:
            context["by_key"][e._intake_key] = lean
        same = context["by_name"].get(norm(e.name), [])
        same[:] = [lean if x is e else x for x in same]

    @staticmethod
    def _label(data):
        return f"{data['name']}（{data.get('affiliation_name') or gettext('未填单位')}）"

    def apply(self, user, form, context):
        data = form.service_data()
        label = self._label(data)
        existing = self._existing(data, context)
        if existing is None:
            expert = services.expert_create(user=user, data=data)
            self._remember(context, expert, data)
            context["writable"].add(expert.pk)
            return Outcome("create", label, obj=expert)
        self._remember(context, existing, data)
        if existing.pk not in context["writable"]:
            return Outcome("skip", label, gettext("平台中已有这位专家（属于其他学会），如需加入本学会请联系市科协"))
        expert, changes = services.expert_update(user=user, expert=existing, data=data)
        if not changes:
            return Outcome("skip", label, gettext("与平台中的记录一致"), obj=expert)
        names = {
            "fields": gettext("研究领域"),
            "keywords": gettext("关键词"),
            "affiliation": gettext("工作单位"),
            "societies": gettext("所属学会"),
        }
        text = "、".join(names.get(k) or str(form.fields[k].label) for k in changes)
        return Outcome("update", label, gettext("修改：%(text)s") % {"text": text}, obj=expert)

    @staticmethod
    def _remember(context, expert, data):
        key = (norm(data["name"]), norm(data.get("affiliation_name")))
        context["by_key"][key] = expert
        same = context["by_name"].setdefault(norm(data["name"]), [])
        if expert not in same:
            same.append(expert)
        return key

    def likely_duplicates(self, user, cleaned, context):
        if self._existing(cleaned, context) is not None:
            return []
        unit = norm(cleaned.get("affiliation_name"))
        out = []
        for e in context["by_name"].get(norm(cleaned["name"]), []):
            other = norm(getattr(e.affiliation, "name", "") if hasattr(e, "affiliation") else "")
            ratio = SequenceMatcher(None, unit, other).ratio() if unit and other else 0.0
            if not unit or not other or ratio >= 0.6:
                out.append(
                    gettext("平台中已有同名专家“%(name)s”（%(affiliation)s），可能是同一人：请人工核对后合并")
                    % {"name": e.name, "affiliation": getattr(e.affiliation, "name", None) or gettext("未填单位")}
                )
        return out[:3]


class AchievementImport(ImportKind):
    label = gettext_lazy("科技成果")
    sheet = gettext_lazy("科技成果")
    key_help = gettext_lazy("所属学会和成果名称")
    notes = {
        "title": gettext_lazy("必填"),
        "owner_society": gettext_lazy("必填；学会联络员只能选本学会"),
        "owner_expert_name": gettext_lazy("选填；该学会专家的姓名"),
        "description": gettext_lazy("必填；成果的技术内容、指标和应用场景"),
    }
    aliases = {"title": ["成果"], "owner_society": ["学会"]}

    def allowed(self, user):
        return services.can_maintain_library(user)

    def form(self, user, data=None):
        return AchievementForm(data, user=user)

    def choice_label(self, name, obj):
        return obj.name

    def key(self, cleaned):
        return (cleaned["owner_society"].pk, norm(cleaned["title"]))

    def context(self, user):
        return {
            "by_key": {
                (a.owner_society_id, norm(a.title)): a
                for a in Achievement.objects.only("id", "title", "owner_society_id")
            }
        }

    def apply(self, user, form, context):
        data = form.cleaned_data
        existing = context["by_key"].get(self.key(data))
        if existing is None:
            a, _ = services.achievement_save(user=user, data=data)
            context["by_key"][self.key(data)] = a
            return Outcome("create", a.title, obj=a)
        a, changes = services.achievement_save(user=user, data=data, achievement=existing)
        if not changes:
            return Outcome("skip", a.title, gettext("与平台中的记录一致"), obj=a)
        names = {"fields": gettext("领域"), "owner_expert": gettext("完成专家")}
        return Outcome(
            "update",
            a.title,
            gettext("修改：") + "、".join(names.get(k) or str(form.fields[k].label) for k in changes),
            obj=a,
        )


IMPORTS = {"experts": ExpertImport(), "achievements": AchievementImport()}
