import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from loc.outputs.render.encode import ChunkTable, decode_polyline, encode_polyline, quantize

coords = st.lists(st.tuples(st.floats(22.0, 40.5), st.floats(44.0, 52.5)), min_size=4,
                  max_size=300)


def rebuild(table: ChunkTable, ids: list[int]) -> np.ndarray:
    """What the map runtime does: decode chunks, reverse negative ids, join them."""
    chunks = table.chunks
    out = []
    for i in ids:
        pts = decode_polyline(chunks[~i if i < 0 else i])
        pts = pts[::-1] if i < 0 else pts
        out.extend(pts if not out else pts[1:])
    return np.array(out)


@settings(max_examples=60, deadline=None)
@given(coords)
def test_polyline_round_trip_at_1e5(xy):
    """Encoding keeps every vertex to 1e-5 degrees (about 1 m) and decodes exactly."""
    lonlat = np.array(xy)
    q = quantize(lonlat)
    back = decode_polyline(encode_polyline(q))
    assert np.allclose(back, q / 1e5, atol=1e-9)
    # every kept vertex is within half a unit of the 5th decimal of an input vertex
    err = np.abs(back[:, ::-1][:, None, :] - lonlat[None, :, :]).max(axis=2).min(axis=1)
    assert err.max() <= 5e-6 + 1e-12


@settings(max_examples=60, deadline=None)
@given(coords)
def test_chunked_paths_rebuild_exactly(xy):
    q = quantize(np.array(xy))
    table = ChunkTable()
    line_ids = table.path(q, closed=False)
    assert np.allclose(rebuild(table, line_ids), q / 1e5, atol=1e-9)
    # a ring starts at a stable vertex and closes on itself
    ring = table.path(q, closed=True)
    pts = rebuild(table, ring)
    assert np.allclose(pts[0], pts[-1])
    assert {tuple(p) for p in np.round(pts * 1e5).astype(int)} == {tuple(p) for p in q}
    # the same ring walked backwards reuses the same chunks, reversed
    again = table.path(q[::-1], closed=True)
    assert {abs(i) if i >= 0 else ~i for i in again} <= set(range(len(table.chunks)))
    n = len(table.chunks)
    table.path(q, closed=True)
    assert len(table.chunks) == n


def test_a_chunk_that_reads_the_same_both_ways_keeps_one_id():
    table = ChunkTable()
    q = np.array([[4800000, 3790000], [4800100, 3795000], [4800000, 3790000]])
    assert table.add_points(q) == table.add_points(q) == table.add_points(q[::-1]) == 0


small = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=2, max_size=40)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(small, st.booleans()), min_size=1, max_size=12),
       st.integers(0, 12))
def test_tables_merged_in_order_give_the_ids_of_one_table(paths, split):
    """Paths (some walked backwards, some palindromes) encoded in one table, or the later
    ones in a table of their own merged after: the same chunks and the same ids."""
    qs = [np.array(p if not back else p[::-1], dtype=np.int64) * 100000
          for p, back in paths]
    qs += [q[::-1] for q in qs[:3]] + [np.vstack([qs[0], qs[0][-2::-1]])]
    one = ChunkTable()
    want = [one.path(q, closed=False) for q in qs]
    first, rest = ChunkTable(), ChunkTable(keep_reverse=True)
    got = [first.path(q, closed=False) for q in qs[:split]]
    later = [rest.path(q, closed=False) for q in qs[split:]]
    ids = first.merge(rest.chunks, rest.reverse)
    got += [[int(ids[k]) if k >= 0 else ~int(ids[~k]) for k in p] for p in later]
    assert got == want
    assert first.chunks == one.chunks


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(-3_000, 3_000), st.integers(-(2 ** 40), 2 ** 40),
                          st.integers(-(2 ** 63), 2 ** 63 - 1)), max_size=300))
@example([5] * 90 + [2 ** 62])  # its zigzag wraps in 64 bits
def test_long_runs_are_encoded_as_one_value_at_a_time(values):
    """The array encoding of long runs gives the characters the one-by-one loop gives,
    whatever the values (huge ones, whose zigzag would wrap in 64 bits, included)."""
    from loc.outputs.render.encode import _encode_each, _encode_ints

    assert _encode_ints(np.array(values, dtype=np.int64)) == _encode_each(values)


def _slivers(seed: int):
    """A MultiPolygon of one large ring and many small ones, some moved, dropped or added."""
    import shapely

    rng = np.random.default_rng(seed)
    big = shapely.Point(33.0, 48.0).buffer(1.0, quad_segs=200)
    small = [shapely.box(x, y, x + 0.001 * (1 + k % 3), y + 0.001)
             for k, (x, y) in enumerate(zip(np.linspace(30.0, 36.0, 40),
                                             np.linspace(46.0, 47.0, 40), strict=True))]
    keep = [p for p in small if rng.random() > 0.1]
    if rng.random() > 0.5:
        keep.append(shapely.box(31.5, 50.5, 31.5011, 50.5012))
    return shapely.MultiPolygon([big, *keep])


def test_small_polygons_looked_up_together_give_the_same_ids(monkeypatch):
    """Small polygons met together before take their ids from one lookup: the ids and
    chunks are those of a table that looks every ring up alone."""
    from loc.outputs.render import encode

    geoms = [_slivers(s) for s in (1, 1, 2, 2, 2, 3, 1)]
    with monkeypatch.context() as m:
        m.setattr(encode, "SMALL_POLYGON", 0)  # no polygon is small: each ring alone
        alone = ChunkTable(keep_reverse=True)
        want = [alone.geometry(g) for g in geoms]
    together = ChunkTable(keep_reverse=True)
    got = [together.geometry(g) for g in geoms]
    assert got == want
    assert together.chunks == alone.chunks and together.reverse == alone.reverse
    assert len(together._groups) == 3  # three different groups, each looked up again after
    got[1][1][0].append(999)  # what a caller does to lists it was given from the table
    assert together.geometry(geoms[0]) == want[0]  # does not reach the table
