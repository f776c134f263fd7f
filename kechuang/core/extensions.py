"""How the shared pieces find what each app contributes, without core importing any app.

A feature app contributes by convention, in modules named:

- ``<app>/access_rules.py`` — ``@kechuang.core.access.rule("<app>.<model>")`` functions (imported by
  ``CoreConfig.ready``, so ``restrict()`` knows every model's rule before the first request);
- ``<app>/nav.py`` — ``NAV = [(url name, label, roles or None), ...]`` and ``ORDER`` (top navigation,
  read by ``kechuang.home.context_processors``);
- ``<app>/panels.py`` — ``NEED_PANELS = [fn(request, need) -> {"template": ..., **context} | None]``
  (extra panels on the need page, read by ``kechuang.needs.views``);
- ``<app>/demo_loader.py`` — ``load(scenario, ctx)`` (run by ``kechuang.demo.loader`` in the demo's
  transaction).

Each consumer calls ``app_modules(name)``; nothing registers itself by hand.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from django.apps import apps

_PACKAGE = "kechuang."


def app_modules(submodule: str) -> list[ModuleType]:
    """``<app>.<submodule>`` of every installed kechuang app that has one, in ``INSTALLED_APPS`` order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith(_PACKAGE):
            continue
        name = f"{config.name}.{submodule}"
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found
