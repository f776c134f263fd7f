"""``/healthz`` for load balancers, nginx and monitoring: JSON, 200 when the service can serve, else 503.

Anonymous on purpose (probes carry no session); it reports counts and states, never names or data.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kechuang.ops.health import health


@never_cache
@require_GET
def healthz(request):
    ok, body = health()
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})
