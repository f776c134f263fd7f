"""Admin for matching records (coordinators). Matches are written only by the matching services
(runs, decisions, routing, responses), so they are read-only here; conflicts of interest are
maintained here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from kechuang.core.admin import ModelAdmin, ReadOnlyAdminMixin
from kechuang.matching.models import ConflictOfInterest, IndexState, Match, StoredVector


@admin.register(Match)
class MatchAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("need", "kind", "candidate", "rank", "status", "reason", "response", "decided_at")
    list_filter = ("kind", "status", "reason", "response")
    search_fields = ("need__title", "expert__name", "achievement__title", "society__name")
    raw_id_fields = ("need", "expert", "achievement", "society", "routed_to_user", "routed_to_org")
    readonly_fields = (
        "score",
        "rank",
        "explanation",
        "status",
        "reason",
        "comment",
        "decided_by",
        "decided_at",
        "routed_to_user",
        "routed_to_org",
        "response",
        "response_text",
        "responded_by",
        "responded_at",
    )

    @admin.display(description=gettext_lazy("推荐对象"))
    def candidate(self, obj):
        return obj.candidate


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ModelAdmin):
    list_display = ("expert", "organisation", "kind", "note", "created_at")
    list_filter = ("kind",)
    search_fields = ("expert__name", "organisation__name")
    raw_id_fields = ("expert", "organisation")


@admin.register(IndexState)
class IndexStateAdmin(ModelAdmin):
    list_display = ("kind", "status", "done", "total", "built_at", "model_name", "n_vectors", "error")
    readonly_fields = [f.name for f in IndexState._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(StoredVector)
class StoredVectorAdmin(ModelAdmin):
    list_display = ("kind", "object_id", "passage_key", "model_name", "model_version", "dim", "created_at")
    list_filter = ("kind", "model_name", "model_version")
    readonly_fields = [f.name for f in StoredVector._meta.fields]

    def has_add_permission(self, request):
        return False
