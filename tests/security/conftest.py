"""``KECHUANG_CORPUS_TALLY=/tmp/tally pytest tests/security`` writes what the corpus run covered
(targets, fields, requests) to /tmp/tally.<worker>.json, for the numbers in reports."""

from __future__ import annotations

import json
import os


def pytest_sessionfinish(session):
    path = os.environ.get("KECHUANG_CORPUS_TALLY")
    if not path:
        return
    from test_bad_input import TALLY

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(f"{path}.{worker}.json", "w", encoding="utf-8") as f:
        json.dump([[k[0], k[1], v[0], v[1]] for k, v in TALLY.items()], f, ensure_ascii=False, indent=1)
