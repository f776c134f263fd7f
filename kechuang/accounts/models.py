"""Users, their roles and the area hierarchy (city → district/county → functional zone)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kechuang.core.choices import ChoiceLabels


class Area(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        CITY = "city", gettext_lazy("市")
        DISTRICT = "district", gettext_lazy("区（市）")
        ZONE = "zone", gettext_lazy("功能区")

    code = models.SlugField(gettext_lazy("代码"), max_length=64, unique=True)
    name = models.CharField(gettext_lazy("名称"), max_length=64)
    kind = models.CharField(gettext_lazy("层级"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=gettext_lazy("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = gettext_lazy("地区")
        verbose_name_plural = gettext_lazy("地区")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def subtree_ids(self) -> list[int]:
        """This area and everything below it (a district sees its functional zones too)."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids += frontier
        return ids


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("市科协协调员")
    DISTRICT = "district", _("区（市）工作人员")
    ENTERPRISE = "enterprise", _("企业联系人")
    LIAISON = "liaison", _("学会联络员")
    EXPERT = "expert", pgettext_lazy("role", "专家")  # one person: "Expert"; the nav's "专家" is "Experts"
    LEADERSHIP = "leadership", _("领导（只读）")


class User(ChoiceLabels, AbstractUser):
    """A person with exactly one role; the scope fields say which slice of the data is theirs.

    district → ``area``; enterprise → ``organisation`` (the enterprise); liaison →
    ``organisation`` (the society); expert → ``expert``. Coordinators and leadership see the city.
    """

    role = models.CharField(gettext_lazy("角色"), max_length=16, choices=Role.choices, default=Role.ENTERPRISE)
    display_name = models.CharField(gettext_lazy("姓名"), max_length=64, blank=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=gettext_lazy("所属组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    area = models.ForeignKey(
        Area, verbose_name=gettext_lazy("负责地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    expert = models.OneToOneField(
        "experts.Expert",
        verbose_name=gettext_lazy("专家档案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    phone = models.CharField(gettext_lazy("电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = gettext_lazy("用户")
        verbose_name_plural = gettext_lazy("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_coordinator(self) -> bool:
        """The one test for "acts for the city" (coordinators and superusers); use it everywhere."""
        return bool(self.is_active and (self.role == Role.COORDINATOR or self.is_superuser))

    def area_ids(self) -> list[int]:
        """The areas a district user answers for (their area and everything below it); [] if none."""
        if not self.area_id:
            return []
        cached = getattr(self, "_area_ids_cache", None)
        if cached is None or cached[0] != self.area_id:
            cached = (self.area_id, self.area.subtree_ids())
            self._area_ids_cache = cached
        return list(cached[1])
