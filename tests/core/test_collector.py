"""``collector_off`` (kechuang/core/collector.py): off inside, back as it was after, whatever happens."""

from __future__ import annotations

import gc

import pytest

from kechuang.core.collector import collector_off


def test_the_collector_is_off_inside_and_on_again_after_even_on_an_error():
    assert gc.isenabled()
    with collector_off():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_off():
        raise ValueError
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with collector_off():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
