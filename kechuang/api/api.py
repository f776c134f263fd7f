"""The JSON API (django-ninja). One router module per resource; every read goes through selectors."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

from kechuang.api import experts, needs

api = NinjaAPI(title="kechuang 科创对接 API", version="1", auth=django_auth, urls_namespace="api")
api.add_router("/needs", needs.router)
api.add_router("/experts", experts.router)
api.add_router("/matching", "kechuang.api.matching.router")
