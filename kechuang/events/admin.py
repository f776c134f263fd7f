from django.contrib import admin

from kechuang.events.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "start", "venue", "scale")
    list_filter = ("kind",)
    search_fields = ("title", "venue")
    filter_horizontal = ("organisers", "societies")
