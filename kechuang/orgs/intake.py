"""Organisations from Excel (societies' and districts' lists): matched by credit code, then by name."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from django.utils.translation import gettext, gettext_lazy

from kechuang.core.access import restrict
from kechuang.intake.spec import ImportKind, Outcome, norm
from kechuang.orgs import services
from kechuang.orgs.forms import OrganisationForm
from kechuang.orgs.models import Organisation
from kechuang.orgs.validators import normalise_credit_code

SIMILAR = 0.85
SUFFIXES = re.compile(r"(股份有限公司|有限责任公司|有限公司|股份公司|公司|集团)+$")


def _core(name: str) -> str:
    """A name without its legal-form suffix: 某某科技集团 and 某某科技集团有限公司 are one company."""
    return SUFFIXES.sub("", name) or name


class OrganisationImport(ImportKind):
    label = gettext_lazy("单位")
    sheet = gettext_lazy("单位")
    key_help = gettext_lazy("统一社会信用代码（没有时为单位名称）")
    notes = {
        "name": gettext_lazy("必填；全称，与营业执照或法人证书一致"),
        "kind": gettext_lazy("必填；从下拉列表选择"),
        "credit_code": gettext_lazy("企业建议填写；18 位，平台会核对校验位"),
        "district": gettext_lazy("企业必填；从下拉列表选择"),
    }
    aliases = {"name": ["名称", "企业名称", "单位全称"], "credit_code": ["信用代码", "社会信用代码"]}

    def allowed(self, user):
        return services.can_maintain(user)

    def form(self, user, data=None):
        """Bound to the organisation the row names (by code, then name), so uniqueness excludes it."""
        instance = None
        if data:
            code = normalise_credit_code(data.get("credit_code"))
            name = " ".join(str(data.get("name") or "").split())
            instance = (
                (code and Organisation.objects.filter(credit_code=code).first())
                or (name and Organisation.objects.filter(name=name).first())
                or None
            )
        return OrganisationForm(data, user=user, instance=instance)

    def key(self, cleaned):
        return (
            ("code", cleaned["credit_code"])
            if cleaned.get("credit_code")
            else ("name", norm(cleaned["name"]))
        )

    def context(self, user):
        rows = list(Organisation.objects.only("id", "name", "credit_code"))
        return {
            "by_code": {o.credit_code: o.pk for o in rows if o.credit_code},
            "by_name": {norm(o.name): o.pk for o in rows},
            "names": [o.name for o in rows],
            "visible": set(restrict(Organisation.objects.all(), user).values_list("pk", flat=True)),
        }

    def apply(self, user, form, context):
        data = form.cleaned_data
        pk = context["by_code"].get(data.get("credit_code")) or context["by_name"].get(norm(data["name"]))
        if pk is None:
            org = services.organisation_create(user=user, data=data)
            context["by_name"][norm(org.name)] = org.pk
            if org.credit_code:
                context["by_code"][org.credit_code] = org.pk
            context["names"].append(org.name)
            return Outcome("create", org.name, obj=org)
        org = Organisation.objects.get(pk=pk)
        if pk not in context["visible"]:
            return Outcome("skip", org.name, gettext("该单位已在平台中，但不在您的维护范围内（请联系市科协）"))
        # blank cells keep what the platform has: a list without 简介 does not erase it
        data = {k: v for k, v in data.items() if v not in ("", None)}
        org, changes = services.organisation_update(user=user, org=org, data=data)
        if not changes:
            return Outcome("skip", org.name, gettext("与平台中的记录一致"), obj=org)
        labels = "、".join(str(form.fields[k].label) for k in changes)
        return Outcome("update", org.name, gettext("修改：%(labels)s") % {"labels": labels}, obj=org)

    def likely_duplicates(self, user, cleaned, context):
        name = norm(cleaned["name"])
        if name in context["by_name"]:
            return []
        out = []
        core = _core(name)
        for other in context["names"]:
            o = norm(other)
            if o[:2] != name[:2]:
                continue
            ratio = 1.0 if _core(o) == core else SequenceMatcher(None, core, _core(o)).ratio()
            if ratio >= SIMILAR:
                out.append(
                    gettext("与平台中的“%(name)s”相似（%(ratio)s），可能是同一单位的不同写法") % {"name": other, "ratio": f"{ratio:.0%}"}
                )
        return out[:3]


IMPORTS = {"organisations": OrganisationImport()}
