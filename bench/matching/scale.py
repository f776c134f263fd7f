"""Matching at scale: the exact numpy dense index and the approximate one (faiss IVF over 8-bit
codes + exact rescoring, ``engine/ann.py``) side by side in one run, at 10k … 1M profiles.

    .venv/bin/python bench/matching/scale.py                       # 10k, 30k, 100k, 1M; 100 queries
    .venv/bin/python bench/matching/scale.py --sizes 100000 --queries 50

Synthetic profiles are recombined from the CSL papers whose real passage vectors (the platform's embedder, ADR 0058) are in
the quality bench's cache (``bench/results/cache/``, written by ``run.py``): 1–4 papers of one
discipline per profile (2.5 on average), profile title/keywords from its first paper, its
discipline as field. Vectors: each document = that paper's cached vector + isotropic Gaussian
noise (cosine ≈ 0.9 to it), the summary = the first paper's vector + noise, so 1M profiles are
2.5M distinct but realistically clustered vectors (random unit vectors would make any ANN look
bad and any cluster structure absent). The lexical side is the real BM25 of those texts: term
counts per paper, summed per profile (``FieldBM25.from_counts``; equal to the bm25s-built index,
tests/matching/engine/test_engine_lexical_counts.py) — tokenising 1M profiles one by one would
take hours here. Queries: title + 3 keywords of CSL papers, embedded with the platform's real model
inside the timed ``Index.search(top_k=20)`` (explanations included).

Recall@20 = share of the exact run's final top-20 profiles (fused lexical + dense, as shipped)
that the approximate run returns in its top-20. Writes bench/results/matching-scale.json.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import sparse

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import load_csl  # noqa: E402

from kechuang.matching.engine import (  # noqa: E402
    Candidate,
    Document,
    Engine,
    FusionConfig,
    Query,
    Tokenizer,
    build_query_text,
    default_embedder,
)
from kechuang.matching.engine.ann import AnnDenseIndex  # noqa: E402
from kechuang.matching.engine.dense import DenseIndex  # noqa: E402
from kechuang.matching.engine.engine import Index  # noqa: E402
from kechuang.matching.engine.lexical import FieldBM25, LexicalIndex  # noqa: E402
from kechuang.matching.engine.profiles import document_passage_text  # noqa: E402

RESULTS = REPO / "bench" / "results"
CACHE = RESULTS / "cache"
DOC_NOISE = 0.025  # per-dimension std: cos(doc, paper) ≈ 1/sqrt(1 + 384·σ²) ≈ 0.90
SUMMARY_NOISE = 0.03


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def pct(x, p) -> float:
    return float(np.percentile(x, p)) if len(x) else float("nan")


def cached_vectors(papers, embedder):
    """Papers with a cached real passage vector, and those vectors (same keys as run.py's cache; the
    embedder's own cache file when there is one)."""
    dim = embedder.dim
    own = CACHE / f"e5-{hashlib.sha1(embedder.model_version.encode()).hexdigest()[:8]}.npz"
    files = [own] if own.exists() else sorted(CACHE.glob("e5-*.npz"))
    if not files:
        raise SystemExit(
            f"no embedding cache in {CACHE}: run bench/matching/run.py first (or copy its cache)"
        )
    z = np.load(files[0], allow_pickle=False)
    cache = dict(zip(z["keys"].tolist(), z["vecs"], strict=True))
    keep, vecs = [], []
    for p in papers:
        text = document_passage_text(Document("publication", p.title, p.abstract))
        k = hashlib.sha1(f"p\x00{text}".encode()).hexdigest()
        if k in cache:
            keep.append(p)
            vecs.append(cache[k])
    base = np.asarray(vecs, dtype=np.float32).reshape(-1, dim)
    return keep, base


class Pool:
    """n synthetic profiles as arrays (paper indices), with Candidate objects made on demand."""

    def __init__(self, papers, n: int, seed: int = 5):
        rng = np.random.default_rng(seed)
        self.papers = papers
        discs = sorted({p.discipline for p in papers})
        by_disc = [np.array([i for i, p in enumerate(papers) if p.discipline == d]) for d in discs]
        w = np.array([len(b) for b in by_disc], dtype=float)
        self.discs = discs
        self.disc = rng.choice(len(discs), size=n, p=w / w.sum())
        self.counts = rng.integers(1, 5, size=n).astype(np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.counts)])
        doc_disc = np.repeat(self.disc, self.counts)
        self.doc_papers = np.empty(int(self.counts.sum()), dtype=np.int64)
        for d, members in enumerate(by_disc):
            where = np.flatnonzero(doc_disc == d)
            self.doc_papers[where] = members[rng.integers(0, len(members), size=len(where))]
        self.first = self.doc_papers[self.offsets[:-1]]
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Candidate:
        p0 = self.papers[self.first[i]]
        docs = [
            Document("publication", self.papers[j].title, self.papers[j].abstract)
            for j in self.doc_papers[self.offsets[i] : self.offsets[i + 1]]
        ]
        return Candidate(
            f"s{i:07d}",
            title=p0.title[:12],
            keywords=list(p0.keywords),
            fields=[self.discs[self.disc[i]]],
            documents=docs,
        )

    def __iter__(self):
        return (self[i] for i in range(self.n))

    def vectors(self, base: np.ndarray, seed: int = 7):
        """(summary (n, dim), docs (m, dim)) float32, made in chunks."""
        rng = np.random.default_rng(seed)
        dim = base.shape[1]
        docs = np.empty((len(self.doc_papers), dim), dtype=np.float32)
        summary = np.empty((self.n, dim), dtype=np.float32)
        for out, src, sigma in ((docs, self.doc_papers, DOC_NOISE), (summary, self.first, SUMMARY_NOISE)):
            step = 200_000
            for i in range(0, len(src), step):
                block = base[src[i : i + step]] + sigma * rng.standard_normal(
                    (len(src[i : i + step]), dim), dtype=np.float32
                )
                block /= np.linalg.norm(block, axis=1, keepdims=True)
                out[i : i + step] = block
        return summary, docs


def lexical_index(pool: Pool, tokenizer: Tokenizer, cfg: FusionConfig) -> LexicalIndex:
    """Per-paper term counts summed per profile, one ``FieldBM25`` per field (see module doc)."""
    papers = pool.papers
    per_field = {
        "documents": [tokenizer.tokenize(p.title) + tokenizer.tokenize(p.abstract) for p in papers],
        "title": [tokenizer.tokenize(p.title[:12]) for p in papers],
        "keywords": [tokenizer.tokenize(" ; ".join(p.keywords)) for p in papers],
    }
    disc_tokens = [tokenizer.tokenize(d) for d in pool.discs]
    n = pool.n
    doc_rows = np.repeat(np.arange(n), pool.counts)
    ones = np.ones(len(pool.doc_papers), dtype=np.float32)
    all_papers = sparse.csr_matrix((ones, (doc_rows, pool.doc_papers)), shape=(n, len(papers)))
    first = sparse.csr_matrix((np.ones(n, np.float32), (np.arange(n), pool.first)), shape=(n, len(papers)))
    disc = sparse.csr_matrix((np.ones(n, np.float32), (np.arange(n), pool.disc)), shape=(n, len(pool.discs)))

    def counts(token_lists):
        vocab: dict[str, int] = {}
        r, c = [], []
        for i, toks in enumerate(token_lists):
            for t in toks:
                r.append(i)
                c.append(vocab.setdefault(t, len(vocab)))
        m = sparse.csr_matrix(
            (np.ones(len(r), np.float32), (r, c)), shape=(len(token_lists), max(1, len(vocab)))
        )
        return m, vocab

    fields = {}
    k1, b = cfg.bm25_k1, cfg.bm25_b
    for name, which in (("documents", all_papers), ("title", first), ("keywords", first)):
        m, vocab = counts(per_field[name])
        fields[name] = FieldBM25.from_counts(which @ m, vocab, k1=k1, b=b)
    m, vocab = counts(disc_tokens)
    fields["fields"] = FieldBM25.from_counts(disc @ m, vocab, k1=k1, b=b)
    return LexicalIndex.from_fields(fields, cfg.candidate_field_weights)


class MemoQueries:
    """The real embedder, remembering query vectors (engine-only timings, parameter sweeps)."""

    def __init__(self, base):
        self.base = base
        self.model_name, self.model_version, self.dim = base.model_name, base.model_version, base.dim
        self.memo: dict[str, np.ndarray] = {}

    def embed_queries(self, texts):
        for t in texts:
            if t not in self.memo:
                self.memo[t] = self.base.embed_queries([t])[0]
        return np.stack([self.memo[t] for t in texts])

    def embed_passages(self, texts):
        return self.base.embed_passages(texts)


def timed_searches(index: Index, queries, real, memo: MemoQueries) -> dict:
    """Full searches (real query embedding inside), then engine-only (memoised vector), plus the
    lexical scoring stage alone."""
    index.embedder = real
    for q in queries[:5]:
        index.search(q, top_k=20)
    load0 = os.getloadavg()[0]
    lat, cpu, tops = [], [], []
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        res = index.search(q, top_k=20)
        lat.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        tops.append([r.id for r in res.results])
    index.embedder = memo
    for q in queries:
        memo.embed_queries([build_query_text(q)])
    eng, eng_cpu, lex = [], [], []
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        index.search(q, top_k=20)
        eng.append((time.perf_counter() - t) * 1000)
        eng_cpu.append((time.process_time() - c) * 1000)
        tw = index.query_token_weights(q)
        t = time.perf_counter()
        index.lexical.score(tw)
        lex.append((time.perf_counter() - t) * 1000)
    index.embedder = real
    return {
        "p50_ms": pct(lat, 50),
        "p95_ms": pct(lat, 95),
        "cpu_p50_ms": pct(cpu, 50),
        "cpu_p95_ms": pct(cpu, 95),
        "engine_only_p50_ms": pct(eng, 50),
        "engine_only_p95_ms": pct(eng, 95),
        "engine_only_cpu_p50_ms": pct(eng_cpu, 50),
        "lexical_scoring_p50_ms": pct(lex, 50),
        "lexical_scoring_p95_ms": pct(lex, 95),
        "load_average_1min": [round(load0, 2), round(os.getloadavg()[0], 2)],
        "_tops": tops,
    }


def recall(exact_tops, approx_tops) -> dict:
    out = {}
    for k in (10, 20):
        r = [
            len(set(a[:k]) & set(b[:k])) / max(1, len(a[:k]))
            for a, b in zip(exact_tops, approx_tops, strict=True)
        ]
        out |= {f"recall_at_{k}": float(np.mean(r)), f"recall_at_{k}_min": float(np.min(r))}
    return out


def sweep(index: Index, queries, memo: MemoQueries, exact_tops, settings) -> list[dict]:
    """Recall and engine-only latency (wall and CPU) of other (nprobe, k_vectors[, floor sample,
    float16 rescoring depth]) on the same index."""
    index.embedder = memo
    ann = index.dense
    keep = (ann.nprobe, ann.k_vectors, len(ann.floor_rows), ann.fine_top)
    out = []
    for setting in settings:
        nprobe, k = setting[:2]
        floor, fine_top = (setting[2], setting[3]) if len(setting) > 2 else keep[2:]
        ann.nprobe, ann.k_vectors, ann.fine_top = nprobe, k, fine_top
        ann.set_floor_sample(floor)
        for q in queries[:3]:
            index.search(q, top_k=20)
        lat, cpu, tops = [], [], []
        load0 = os.getloadavg()[0]
        for q in queries:
            t, c = time.perf_counter(), time.process_time()
            res = index.search(q, top_k=20)
            lat.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            tops.append([r.id for r in res.results])
        out.append(
            {
                "nprobe": nprobe,
                "k_vectors": k,
                "floor_sample": floor,
                "float16_rescoring_top": fine_top if ann.fine is not None else 0,
                "engine_only_p50_ms": pct(lat, 50),
                "engine_only_p95_ms": pct(lat, 95),
                "engine_only_cpu_p50_ms": pct(cpu, 50),
                "engine_only_cpu_p95_ms": pct(cpu, 95),
                "load_average_1min": [round(load0, 2), round(os.getloadavg()[0], 2)],
            }
            | recall(exact_tops, tops)
        )
    ann.nprobe, ann.k_vectors, ann.fine_top = keep[0], keep[1], keep[3]
    ann.set_floor_sample(keep[2])
    return out


def run_size(n: int, papers, base, queries, real, memo, args) -> dict:
    gc.collect()
    rss0 = rss_mb()
    t = time.perf_counter()
    pool = Pool(papers, n)
    summary, docs = pool.vectors(base)
    has_summary = np.ones(n, dtype=bool)
    gen_s = time.perf_counter() - t
    cfg = FusionConfig()
    words = [k for p in papers for k in p.keywords] + pool.discs
    tokenizer = Tokenizer(user_words=words)
    t = time.perf_counter()
    lexical = lexical_index(pool, tokenizer, cfg)
    lex_s = time.perf_counter() - t
    lex_bytes = sum(
        f.matrix.data.nbytes + f.matrix.indices.nbytes + f.matrix.indptr.nbytes
        for f in lexical.fields.values()
        if f.matrix is not None
    )
    t = time.perf_counter()
    exact = DenseIndex(n, base.shape[1], summary, has_summary, docs, pool.counts)
    exact_build_s = time.perf_counter() - t
    engine = Engine(cfg, embedder=real)
    index = Index(engine, pool, tokenizer, lexical, exact, real, [])
    rss_exact = rss_mb()
    print(f"[{n}] profiles + vectors + BM25 ready ({gen_s:.0f}+{lex_s:.0f} s), exact runs …", file=sys.stderr)
    ex = timed_searches(index, queries, real, memo)
    exact_tops = ex.pop("_tops")
    exact_bytes = exact.nbytes

    print(f"[{n}] building the approximate index …", file=sys.stderr)
    t = time.perf_counter()
    ann = AnnDenseIndex.build(n, base.shape[1], summary, has_summary, docs, pool.counts, **args.ann)
    ann_build_s = time.perf_counter() - t
    tmp = Path(tempfile.mkdtemp(prefix="kechuang-ann-"))
    try:
        t = time.perf_counter()
        ann.save(tmp)
        save_s = time.perf_counter() - t
        file_bytes = sum(f.stat().st_size for f in tmp.iterdir())
        t = time.perf_counter()
        loaded = AnnDenseIndex.load(tmp)
        load_s = time.perf_counter() - t
        assert loaded is not None
        if args.fine:  # run from the saved index: float16 vectors memory-mapped from the file
            ann = loaded
        del loaded
        gc.collect()
        index.dense = ann
        del exact, summary, docs
        gc.collect()
        rss_ann = rss_mb()
        print(f"[{n}] approximate runs …", file=sys.stderr)
        ap = timed_searches(index, queries, real, memo)
        approx_tops = ap.pop("_tops")
        rec = recall(exact_tops, approx_tops)
        settings = list(args.sweep)
        if args.sweep_floor:
            settings += [
                (ann.nprobe, ann.k_vectors, floor, top)
                for floor, top in ((2048, 2000), (4096, 2000), (8192, 2000), (2048, 8000), (4096, 8000))
            ]
        sw = sweep(index, queries, memo, exact_tops, settings) if settings else []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = {
        "profiles": n,
        "document_vectors": int(pool.counts.sum()),
        "summary_vectors": n,
        "generate_s": gen_s,
        "bm25_build_s": lex_s,
        "bm25_index_mb": lex_bytes / 2**20,
        "exact": ex | {"index_mb": exact_bytes / 2**20, "build_s": exact_build_s},
        "approx": ap
        | rec
        | {
            "index_mb": ann.nbytes / 2**20,
            "build_s": ann_build_s,
            "saved_mb": file_bytes / 2**20,
            "save_s": save_s,
            "load_s": load_s,
            "nlist": int(ann.index.nlist),
            "nprobe": ann.nprobe,
            "k_vectors": ann.k_vectors,
            "floor_sample": len(ann.floor_rows),
            "float16_rescoring_top": ann.fine_top if ann.fine is not None else 0,
        },
        "sweep": sw,
        "rss_mb": {
            "before": rss0,
            "with_exact_index": rss_exact,
            "with_approx_index_only": rss_ann,
            "growth_exact": rss_exact - rss0,
            "growth_approx": rss_ann - rss0,
        },
    }
    del index, ann, lexical, pool
    gc.collect()
    return out


def table(res: dict) -> str:
    head = (
        "| profiles | doc vectors | index | p50 / p95 ms incl. query embedding (CPU p50) | engine-only p50 / p95 ms | "
        "BM25 scoring p50 / p95 ms | recall@10 (min) | recall@20 (min) | dense index MB | build s | RSS growth MB | "
        "load avg |"
    )
    rows = [head, "|" + "---|" * 12]
    for s in res["sizes"].values():
        for name in ("exact", "approx"):
            r = s[name]
            rec = (
                " | ".join(f"{r[f'recall_at_{k}']:.3f} ({r[f'recall_at_{k}_min']:.2f})" for k in (10, 20))
                if name == "approx"
                else "1 (ref.) | 1 (ref.)"
            )
            rss = s["rss_mb"]["growth_exact" if name == "exact" else "growth_approx"]
            label = (
                "exact float32"
                if name == "exact"
                else f"IVF{r['nlist']}-SQ8 nprobe {r['nprobe']}, k {r['k_vectors']}, floor "
                f"{r.get('floor_sample', '?')}" + (", float16" if r.get("float16_rescoring_top") else "")
            )
            rows.append(
                f"| {s['profiles']:,} | {s['document_vectors']:,} | {label} | {r['p50_ms']:.1f} / {r['p95_ms']:.1f} "
                f"({r['cpu_p50_ms']:.0f}) | {r['engine_only_p50_ms']:.1f} / {r['engine_only_p95_ms']:.1f} | "
                f"{r['lexical_scoring_p50_ms']:.1f} / {r['lexical_scoring_p95_ms']:.1f} | {rec} | {r['index_mb']:.0f} | "
                f"{r['build_s']:.1f} | {rss:.0f} | {r['load_average_1min'][0]}–{r['load_average_1min'][1]} |"
            )
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000, 1_000_000])
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "benchmarks")
    ap.add_argument("--json", type=Path, default=RESULTS / "matching-scale.json")
    ap.add_argument("--nprobe", type=int, default=None)
    ap.add_argument("--floor-sample", type=int, default=None, help="ANN floor sample (default: ann.py's)")
    ap.add_argument(
        "--sweep-floor",
        action="store_true",
        help="sweep floor sample 2048/4096/8192 and float16 depth (with --fine) at the default nprobe/k",
    )
    ap.add_argument("--k-vectors", type=int, default=None)
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--sweep-large", action="store_true", help="sweep larger nprobe / k (for 1M)")
    ap.add_argument("--fine", action="store_true", help="float16 rescoring from the saved index")
    ap.add_argument("--merge", action="store_true", help="keep the other sizes already in --json")
    args = ap.parse_args()
    csl = args.data / "csl"
    if not csl.is_dir():
        print(f"skip: CSL texts not found in {csl}", file=sys.stderr)
        return
    real = default_embedder()
    papers, base = cached_vectors(load_csl(csl), real)
    print(f"{len(papers)} CSL papers with cached vectors", file=sys.stderr)
    rng = np.random.default_rng(11)
    qp = [papers[i] for i in rng.choice(len(papers), size=min(args.queries, len(papers)), replace=False)]
    queries = [Query(title=p.title, keywords=tuple(p.keywords[:3])) for p in qp]
    args.ann = {
        k: v
        for k, v in (("nprobe", args.nprobe), ("k_vectors", args.k_vectors), ("floor_sample", args.floor_sample))
        if v is not None
    }
    args.ann["fine"] = args.fine
    args.sweep = [] if args.no_sweep else [(8, 300), (16, 500), (32, 1000), (64, 2000)]
    if args.sweep_large:
        args.sweep = [(32, 4000), (64, 4000), (128, 4000), (128, 8000)]
    args.sweep_floor = args.sweep_floor
    memo = MemoQueries(real)
    res = {
        "note": __doc__.split("\n\n")[2].replace("\n", " "),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "fusion": FusionConfig().method,
        "papers_with_vectors": len(papers),
        "queries": len(queries),
        "sizes": {},
    }
    if args.merge and args.json.exists():
        res["sizes"] = json.loads(args.json.read_text(encoding="utf-8")).get("sizes", {})
    args.json.parent.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        res["sizes"][str(n)] = run_size(n, papers, base, queries, real, memo, args)
        args.json.write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
        print(table({"sizes": {str(n): res["sizes"][str(n)]}}), file=sys.stderr)
    print(table(res))
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
