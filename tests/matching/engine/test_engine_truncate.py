"""Passages cut to a token budget by the model's own token count (issue 14, build throughput)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kechuang.matching.engine.dense import truncate_to_tokens


def words(text: str) -> int:
    return len(text.split()) + 2  # like the model: specials count too


def test_a_text_that_fits_is_unchanged():
    assert truncate_to_tokens(words, "a b c", 5) == "a b c"


def test_a_long_text_keeps_the_longest_prefix_within_the_budget():
    text = "one two three four five six"
    out = truncate_to_tokens(words, text, 5)
    assert out == "one two three " and words(out) == 5


@given(st.lists(st.sampled_from(["ab", "c", "石墨烯", "制备"]), max_size=40), st.integers(2, 30))
def test_the_cut_is_the_longest_prefix_that_fits(parts, budget):
    text = " ".join(parts)
    out = truncate_to_tokens(words, text, budget)
    assert text.startswith(out)
    if out != text:
        assert words(out) <= budget < words(text[: len(out) + 1])
