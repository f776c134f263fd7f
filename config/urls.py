from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy

from kechuang.api.api import api

admin.site.site_header = gettext_lazy("科创对接 · 管理后台")
admin.site.site_title = gettext_lazy("科创对接")
admin.site.index_title = gettext_lazy("数据管理")

urlpatterns = [
    path("", include("kechuang.home.urls")),
    path("", include("kechuang.ops.urls")),
    path("audit/", include("kechuang.core.urls")),
    path("accounts/", include("kechuang.accounts.urls")),
    path("needs/", include("kechuang.needs.urls")),
    path("experts/", include("kechuang.experts.urls")),
    path("orgs/", include("kechuang.orgs.urls")),
    path("matching/", include("kechuang.matching.urls")),
    path("events/", include("kechuang.events.urls")),
    path("followup/", include("kechuang.followup.urls")),
    path("dashboard/", include("kechuang.dashboard.urls")),
    path("intake/", include("kechuang.intake.urls")),
    path("notifications/", include("kechuang.notifications.urls")),
    path("onboarding/", include("kechuang.onboarding.urls")),
    path("api/", api.urls),
    path("account/api-tokens/", include("kechuang.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
