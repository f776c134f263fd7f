"""(c) Labelled set from the demo scenario (``kechuang.demo.scenario.build_scenario``): needs →
the experts the scenario labels as relevant (``labels``), ranked among all scenario experts."""

from __future__ import annotations

import random

from data import Task, _split

from kechuang.matching.engine import Candidate, Document, Query

MAX_DOCS = 1  # keeps the first (uncached) bench run short: the first publication (or patent) + the bio


def build_demo_task(s: dict, seed: int = 13) -> Task:
    labels = s.get("labels") or {}
    chains = {c["code"]: c for c in s.get("chains", [])}
    candidates = []
    for e in s["experts"]:
        docs = [
            Document("publication", p.get("title", ""), p.get("abstract", ""))
            for p in e.get("publications", [])
        ]
        docs += [
            Document("patent", p.get("title", ""), p.get("abstract", "") or p.get("text", ""))
            for p in e.get("patents", [])
        ]
        docs = docs[:MAX_DOCS]
        if e.get("bio"):
            docs.append(Document("profile", "", e["bio"]))
        candidates.append(
            Candidate(
                e["key"],
                name=e.get("name", ""),
                keywords=list(e.get("keywords", [])),
                fields=list(e.get("fields", [])),
                documents=docs,
            )
        )
    known = {c.id for c in candidates}
    queries = []
    for n in s["needs"]:
        rel = set(labels.get(n["key"], [])) & known
        if not rel:
            continue
        chain = chains.get(n.get("chain") or "", {})
        queries.append(
            (
                n["key"],
                Query(
                    title=n.get("title", ""),
                    problem=n.get("problem", ""),
                    goal=n.get("goal", ""),
                    background=n.get("background", ""),
                    keywords=tuple(n.get("keywords", [])),
                    chain=chain.get("name", ""),
                ),
                rel,
            )
        )
    random.Random(seed)
    return Task(
        "Demo scenario (labels)",
        candidates,
        queries,
        _split([q for q, _, _ in queries], seed),
        f"{len(candidates)} scenario experts (≤{MAX_DOCS} documents + bio), {len(queries)} labelled needs",
    )
