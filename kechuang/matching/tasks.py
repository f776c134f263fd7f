"""Background work (django-tasks): rebuilding an index after its profiles or needs changed."""

from __future__ import annotations

from django_tasks import task


@task()
def reindex_task(kind: str, lexical_only: bool = False) -> dict:
    from kechuang.matching.index import reindex

    r = reindex(kind, lexical_only=lexical_only)
    return {"kind": r.kind, "candidates": r.candidates, "vectors": r.vectors, "embedded": r.embedded}
