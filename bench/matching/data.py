"""Loaders for the external benchmark sets and the tasks built on them (see run.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

from kechuang.matching.engine import Candidate, Document, Query


@dataclass
class Task:
    """Candidates + queries with relevant candidate ids, and a tune/test split of the queries."""

    name: str
    candidates: list[Candidate]
    queries: list[tuple[str, Query, set[str]]]
    split: dict[str, str] = field(default_factory=dict)  # query id -> "tune" | "test"
    note: str = ""


def _rows(path: Path) -> list[list[str]]:
    return [r.split("\t") for r in path.read_text(encoding="utf-8").split("\n") if r.strip()]


@dataclass
class CslPaper:
    idx: int
    title: str
    abstract: str
    keywords: list[str]
    discipline: str
    category: str


def load_csl(root: Path) -> list[CslPaper]:
    ts = _rows(root / "ts" / "dev.tsv")
    kg = _rows(root / "kg" / "dev.tsv")
    dcp = _rows(root / "cls_dcp" / "dev.tsv")
    ctg = _rows(root / "cls_ctg" / "dev.tsv")
    assert len(ts) == len(kg) == len(dcp) == len(ctg), "CSL files are not aligned"
    papers = []
    for i, (a, b, c, d) in enumerate(zip(ts, kg, dcp, ctg)):
        assert a[1] == c[1], f"CSL row {i}: abstracts differ between ts and cls_dcp"
        papers.append(
            CslPaper(
                i,
                a[2].strip(),
                a[1].strip(),
                [k for k in b[2].split("_") if k.strip()],
                c[2].strip(),
                d[2].strip(),
            )
        )
    return papers


def _split(ids: list[str], seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    ids = sorted(ids)
    rng.shuffle(ids)
    half = len(ids) // 2
    return {q: ("tune" if i < half else "test") for i, q in enumerate(ids)}


def csl_tasks(root: Path, seed: int = 13, papers_per_expert: int = 3, query_share: float = 0.3) -> list[Task]:
    """Pseudo-experts: each discipline's training papers in chunks of ``papers_per_expert``;
    held-back papers are queries (abstract, title or keywords); relevant = experts of its discipline."""
    papers = load_csl(root)
    rng = random.Random(seed)
    by_disc: dict[str, list[CslPaper]] = {}
    for p in papers:
        by_disc.setdefault(p.discipline, []).append(p)
    candidates: list[Candidate] = []
    held: list[CslPaper] = []
    experts_of: dict[str, set[str]] = {}
    for disc in sorted(by_disc):
        ps = by_disc[disc][:]
        rng.shuffle(ps)
        n_q = int(round(len(ps) * query_share)) if len(ps) >= 4 else 0
        held.extend(ps[:n_q])
        train = ps[n_q:]
        for j in range(0, len(train), papers_per_expert):
            chunk = train[j : j + papers_per_expert]
            cid = f"csl-e{len(candidates):04d}"
            kws = list(dict.fromkeys(k for p in chunk for k in p.keywords))
            candidates.append(
                Candidate(
                    cid,
                    name=f"专家{len(candidates):04d}",
                    keywords=kws,
                    documents=[Document("publication", p.title, p.abstract) for p in chunk],
                )
            )
            experts_of.setdefault(disc, set()).add(cid)
    tasks = []
    split = _split([f"q{p.idx}" for p in held], seed)
    for kind in ("abstract", "title", "keywords"):
        qs = []
        for p in held:
            if kind == "abstract":
                q = Query(text=p.abstract)
            elif kind == "title":
                q = Query(title=p.title)
            else:
                q = Query(keywords=tuple(p.keywords))
            qs.append((f"q{p.idx}", q, experts_of[p.discipline]))
        tasks.append(
            Task(
                f"CSL {kind}",
                candidates,
                qs,
                split,
                f"{len(candidates)} pseudo-experts (≤{papers_per_expert} papers of one discipline), "
                f"{len(qs)} held-back papers as {kind} queries",
            )
        )
    return tasks


def dblp_task(root: Path, seed: int = 13) -> Task:
    """brochier/expert_finding DBLP: rank the 199 labelled authors for each labelled query
    document; relevant = authors sharing its topic. Query documents are removed from every
    profile (leave-out) so a query cannot match itself."""
    z = np.load(root / "dblp_plain.npz", allow_pickle=False)

    def csr(p):
        return sparse.csr_matrix(
            (z[p + "__data"], z[p + "__indices"], z[p + "__indptr"]), shape=tuple(z[p + "__shape"])
        )

    texts = z["T"]
    a_da = csr("A_da").tocsc()
    l_d, l_a = csr("L_d"), csr("L_a")
    d_mask, a_mask = z["L_d_mask"], z["L_a_mask"]
    query_docs = {int(d) for d in d_mask}
    candidates = []
    tags_of_author: dict[str, set[int]] = {}
    l_a_csc = l_a.tocsc()
    for j, a in enumerate(a_mask):
        docs = [int(d) for d in a_da.indices[a_da.indptr[a] : a_da.indptr[a + 1]] if int(d) not in query_docs]
        cid = f"a{int(a)}"
        candidates.append(
            Candidate(
                cid, name=cid, documents=[Document("publication", "", str(texts[d])) for d in sorted(docs)]
            )
        )
        tags_of_author[cid] = {int(t) for t in l_a_csc.indices[l_a_csc.indptr[j] : l_a_csc.indptr[j + 1]]}
    qs = []
    for i, d in enumerate(d_mask):
        tags = {int(t) for t in l_d.indices[l_d.indptr[i] : l_d.indptr[i + 1]]}
        rel = {c for c, ts in tags_of_author.items() if ts & tags}
        if rel:
            qs.append((f"d{int(d)}", Query(text=str(texts[d])), rel))
    split = _split([q for q, _, _ in qs], seed)
    return Task(
        "DBLP expert finding",
        candidates,
        qs,
        split,
        f"{len(candidates)} labelled authors, {len(qs)} labelled query documents (left out of profiles)",
    )
