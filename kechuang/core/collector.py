"""The cyclic garbage collector switched off around a burst of short-lived objects (ADR 0060).

WeasyPrint allocates about a million objects for a briefing (boxes, computed styles, cffi buffers),
nearly all of them garbage by the end. The collector, which runs every 700 net allocations, walks
the young ones again and again: 15-20 % of a PDF's CPU. ``collector_off()`` keeps it off for the
block and turns it back on after (if it was on); the block's garbage is then collected once.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_off() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
