"""Row helpers of loc.geo: gathers and scatters of rows as single items, row hashes and
sorted lookups, checked against numpy's own indexing."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from loc import geo

floats = hnp.arrays(np.float64, st.tuples(st.integers(0, 40), st.sampled_from([1, 2, 4])),
                    elements=st.floats(allow_nan=True, allow_infinity=True, width=64))


@settings(max_examples=150, deadline=None)
@given(floats, st.data())
def test_rows_taken_and_put_as_items_are_numpys_rows(rows, data):
    """Same values (bit for bit: NaN payloads and -0.0 kept) as numpy's row indexing, for
    positions, repeated positions and masks, and on reversed (non-contiguous) rows."""
    n = len(rows)
    idx = np.array(data.draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=30)
                             if n else st.just([])), dtype=np.intp)
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    for src in (rows, rows[::-1]):
        for at in (idx, mask):
            got = geo.take_rows(src, at)
            assert got.dtype == src.dtype and got.shape == src[at].shape
            assert got.tobytes() == np.ascontiguousarray(src[at]).tobytes()
    values = np.arange(len(idx) * rows.shape[1], dtype=float).reshape(-1, rows.shape[1])
    want, got = rows.copy(), rows.copy()
    want[np.unique(idx)] = values[[np.flatnonzero(idx == i)[-1] for i in np.unique(idx)]]
    geo.put_rows(got, idx, values)  # a repeated position keeps the last value, as numpy
    assert got.tobytes() == want.tobytes()


def test_rows_of_other_shapes_are_refused():
    with pytest.raises(ValueError):
        geo.put_rows(np.zeros((3, 2)), np.array([0, 1]), np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError):
        geo.put_rows(np.zeros((3, 2))[::-1], np.array([0]), np.zeros((1, 2)))
    with pytest.raises(ValueError):
        geo.take_rows(np.zeros((3, 2), dtype=np.float32), np.array([0]))


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.int64, st.integers(1, 60), elements=st.integers(-50, 50), unique=True),
       hnp.arrays(np.int64, st.integers(0, 60), elements=st.integers(-60, 60)))
def test_a_sorted_lookup_finds_every_key_there(keys, queries):
    """Each query that is a key is found at its position; the others point anywhere."""
    table = np.sort(keys)
    pos = geo.lookup(table, queries)
    assert ((pos >= 0) & (pos < len(table))).all()
    there = np.isin(queries, table)
    assert (table[pos[there]] == queries[there]).all()
    assert (pos == np.minimum(np.searchsorted(table, queries), len(table) - 1)).all()
