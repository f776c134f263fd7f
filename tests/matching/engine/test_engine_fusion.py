import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kechuang.matching.engine import FusionConfig, fuse
from kechuang.matching.engine.fusion import ranks_desc

scores = st.lists(st.floats(min_value=0, max_value=50, allow_nan=False), min_size=2, max_size=30)


@pytest.mark.parametrize("method", ["rrf", "minmax"])
@settings(max_examples=60, deadline=None)
@given(lex=scores, data=st.data())
def test_fusion_is_monotone_in_each_signal(method, lex, data):
    n = len(lex)
    lex = np.array(lex)
    dense = np.array(data.draw(st.lists(st.floats(-1, 1, allow_nan=False), min_size=n, max_size=n)))
    i = data.draw(st.integers(0, n - 1))
    bump = data.draw(st.floats(0.001, 10))
    cfg = FusionConfig(
        method=method, lexical_weight=data.draw(st.floats(0.1, 3)), dense_weight=data.draw(st.floats(0.1, 3))
    )
    base = fuse(lex, dense, cfg)
    lex2 = lex.copy()
    lex2[i] += bump
    assert fuse(lex2, dense, cfg)[i] >= base[i] - 1e-12
    dense2 = dense.copy()
    dense2[i] += bump
    assert fuse(lex, dense2, cfg)[i] >= base[i] - 1e-12


@pytest.mark.parametrize("method", ["rrf", "minmax"])
def test_fused_scores_in_unit_interval_and_best_in_both_is_one(method):
    lex = np.array([5.0, 3.0, 0.0, 1.0])
    dense = np.array([0.9, 0.8, 0.7, 0.85])
    f = fuse(lex, dense, FusionConfig(method=method))
    assert f[0] == pytest.approx(1.0)
    assert ((f >= 0) & (f <= 1 + 1e-12)).all()


def test_without_dense_ranking_follows_lexical():
    lex = np.array([1.0, 4.0, 2.0, 0.0])
    f = fuse(lex, None, FusionConfig())
    assert list(np.argsort(-f)) == [1, 2, 0, 3]
    assert f[3] == 0.0


def test_ranks_share_ties():
    assert list(ranks_desc(np.array([3.0, 5.0, 3.0, 1.0]))) == [2, 1, 2, 4]


def test_config_rejects_bad_values():
    with pytest.raises(ValueError):
        FusionConfig(method="sum")
    with pytest.raises(ValueError):
        FusionConfig(lexical_weight=0, dense_weight=0)
