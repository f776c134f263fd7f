"""All weights of the matching engine in one place.

The defaults were chosen by the grid search in ``bench/matching/run.py`` (tuned on one split,
reported on another); see ``docs/benchmarks.md`` and ``docs/adr/0003-matching-fusion.md``.
Change them there, with a measurement, not by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def _candidate_field_weights() -> dict[str, float]:
    return {"name": 0.3, "title": 1.0, "keywords": 1.5, "fields": 0.7, "documents": 1.0}


def _query_field_weights() -> dict[str, float]:
    # 技术难题 and 技术目标 say what is needed; background is context and often boilerplate.
    return {
        "problem": 2.0,
        "goal": 2.0,
        "title": 1.5,
        "keywords": 1.5,
        "text": 1.0,
        "chain": 1.0,
        "background": 0.5,
    }


@dataclass
class FusionConfig:
    """How lexical and dense signals become one score.

    method "learned": a logistic model over per-candidate features (``ltr.py``), score in (0, 1).
    method "rrf": weighted reciprocal-rank fusion, scaled so a candidate ranked first by every
    signal scores 1.0 — rank-based, so it means the same for every query whatever the raw
    BM25/cosine scales are. method "minmax": weighted mean of per-query min-max normalised scores.
    """

    # "learned" (docs/adr/0027-matching-learned-fusion.md): the linear model of ``ltr.py`` over
    # per-field BM25, dense, PRF and neighbour features, trained by ``bench/matching/run.py --train``
    # on the tune halves; it falls back to "minmax" below when the model file is missing or the
    # dense signal is unavailable. The min-max settings (also the learned model's first stage) were
    # chosen by the bench's grid search (180 configs, tune half of CSL ×3, DBLP, demo): minmax with
    # dense 4 : lexical 1 scored best (mean nDCG@10 0.540; best rrf, k=10, 2:1: 0.536).
    method: str = "learned"
    # learned fusion model file (``ltr.py``); None = the shipped ``engine/ltr_model.json``
    model_path: str | None = None
    lexical_weight: float = 1.0
    dense_weight: float = 4.0
    rrf_k: float = 10.0
    # dense score of a candidate = (1 - s) * mean(top-n document similarities) + s * summary similarity
    dense_top_docs: int = 2
    dense_summary_weight: float = 0.5
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    candidate_field_weights: dict[str, float] = field(default_factory=_candidate_field_weights)
    query_field_weights: dict[str, float] = field(default_factory=_query_field_weights)
    max_evidence: int = 3
    max_matched_terms: int = 10

    def __post_init__(self) -> None:
        if self.method not in ("learned", "rrf", "minmax"):
            raise ValueError(f"unknown fusion method {self.method!r} (expected 'learned', 'rrf' or 'minmax')")
        if self.lexical_weight < 0 or self.dense_weight < 0 or self.lexical_weight + self.dense_weight <= 0:
            raise ValueError("fusion weights must be >= 0 and not both 0")
        if self.dense_top_docs < 1:
            raise ValueError("dense_top_docs must be >= 1")
