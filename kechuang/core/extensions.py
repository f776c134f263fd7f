"""How a feature app plugs into the shared pieces without editing them.

An app's ``AppConfig.ready`` calls ``load_app_extensions(self)``, which imports, when present:

- ``<app>/access_rules.py`` — ``@kechuang.core.access.rule("<app>.<model>")`` functions for the app's models,
  and ``NEED_AUDIENCE_HOOKS`` entries. ``restrict()`` in ``core/access.py`` stays the one entry point.
- ``<app>/nav.py`` — ``NAV = [(url name, label, roles or None), ...]`` appended to the top navigation.
- ``<app>/panels.py`` — ``NEED_PANELS = [fn(request, need) -> {"template": ..., **context} | None]``: extra
  panels on the need page (suggestions, agreements, visits), each rendered with its own context.
- ``<app>/demo_loader.py`` — ``load(scenario, ctx)`` run after the core demo rows are inserted, in the same
  transaction (``kechuang/demo/loader.py``).
"""

from __future__ import annotations

import importlib
import importlib.util

NEED_PANELS: list = []


def need_panels(request, need) -> list[dict]:
    """The extra panels other apps contribute to the need page, in app order."""
    return [p for p in (fn(request, need) for fn in NEED_PANELS) if p]


def _optional(module: str):
    if importlib.util.find_spec(module) is None:
        return None
    return importlib.import_module(module)


def load_app_extensions(app_config) -> None:
    from kechuang.core import context_processors
    from kechuang.demo import loader

    name = app_config.name
    _optional(f"{name}.access_rules")
    nav = _optional(f"{name}.nav")
    if nav is not None:
        for item in nav.NAV:
            if item not in context_processors.EXTRA_NAV:
                context_processors.EXTRA_NAV.append(item)
    panels = _optional(f"{name}.panels")
    if panels is not None:
        for fn in getattr(panels, "NEED_PANELS", []):
            if fn not in NEED_PANELS:
                NEED_PANELS.append(fn)
    demo = _optional(f"{name}.demo_loader")
    if demo is not None and demo.load not in loader.EXTRA_LOADERS:
        loader.EXTRA_LOADERS.append(demo.load)
