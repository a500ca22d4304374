"""Compact geometry encoding for maps: polyline strings in content-defined chunks.

Coordinates are quantized to 1e-5 degrees (about 1 m) and written with the polyline algorithm
(precision 5). Rings and lines are cut into chunks where a vertex's hash says so, so a chunk
depends only on its own vertices: two dates whose fronts differ in a few km share every other
chunk, and the map stores each distinct chunk once.
"""

from __future__ import annotations

import hashlib

import numpy as np
import shapely

from loc.geo import take_rows

PRECISION = 1e5
CUT_MODULUS = 24
"""A vertex ends a chunk when its hash is divisible by this (chunks of ~24 vertices)."""
SMALL_POLYGON = 256
"""Polygons with fewer vertices than this are looked up together (see
:meth:`ChunkTable.geometry`)."""


_SHIFTS = np.arange(0, 35, 5, dtype=np.int64)
"""Bit offsets of the 5-bit groups of a zigzagged value below 2**35 (seven groups)."""
VECTOR_MIN = 80
"""Values from which :func:`_encode_ints` encodes with array operations (fewer go one by
one, which is faster for them)."""


def _encode_ints(values: np.ndarray) -> str:
    """Google's polyline characters of signed integers (zigzag, 5-bit groups, +63)."""
    if len(values) >= VECTOR_MIN:
        v = np.asarray(values, dtype=np.int64)
        v = np.where(v < 0, ~(v << 1), v << 1)
        if v.min() >= 0 and v.max() < 1 << 35:  # a value that wrapped goes one by one
            group = (v[:, None] >> _SHIFTS) & 0x1F
            more = (v[:, None] >> (_SHIFTS + 5)) > 0  # another group follows
            emit = np.ones_like(more)
            emit[:, 1:] = more[:, :-1]
            chars = (group | (more.astype(np.int64) << 5)) + 63
            return chars[emit].astype(np.uint8).tobytes().decode("ascii")
    return _encode_each(values.tolist())


def _encode_each(values: list[int]) -> str:
    """:func:`_encode_ints` one value at a time (Python's integers do not wrap)."""
    out = []
    for v in values:
        v = ~(v << 1) if v < 0 else v << 1
        while v >= 0x20:
            out.append(chr((0x20 | (v & 0x1F)) + 63))
            v >>= 5
        out.append(chr(v + 63))
    return "".join(out)


def encode_polyline(latlon_int: np.ndarray) -> str:
    """Polyline-encode integer lat/lon as absolute-start deltas.

    Parameters
    ----------
    latlon_int : numpy.ndarray
        ``(n, 2)`` integer lat/lon in 1e-5 degrees.

    Returns
    -------
    str
        The polyline text (Google's algorithm, precision 5).

    Examples
    --------
    >>> encode_polyline(np.array([[3850000, -12020000]]))
    '_p~iF~ps|U'
    """
    deltas = np.diff(latlon_int, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return _encode_ints(deltas.ravel())


def quantize(coords: np.ndarray) -> np.ndarray:
    """Lon/lat coordinates to integer lat/lon at 1e-5 degrees (about 1 m).

    Parameters
    ----------
    coords : numpy.ndarray
        ``(n, 2)`` lon/lat floats.

    Returns
    -------
    numpy.ndarray
        ``(m, 2)`` integer lat/lon, consecutive duplicates removed.
    """
    q = np.round(coords[:, ::-1] * PRECISION).astype(np.int64)
    if len(q) > 1:
        keep = np.concatenate([[True], np.any(q[1:] != q[:-1], axis=1)])
        q = q[keep]
    return q


def _digest(q: np.ndarray) -> bytes:
    """16 bytes standing for integer vertices (the key of chunks and paths seen before: a
    slider holds hundreds of thousands of them)."""
    return _digest_bytes(np.ascontiguousarray(q, dtype=np.int64).tobytes())


def _digest_bytes(raw: bytes) -> bytes:
    """:func:`_digest` of vertices given as their int64 bytes (16 a vertex: a slice of a
    path's bytes stands for the vertices it holds)."""
    return hashlib.blake2b(raw, digest_size=16).digest()


def _hash(q: np.ndarray) -> np.ndarray:
    return ((q[:, 0] * 1000003) ^ (q[:, 1] * 998244353)) & 0xFFFFFFFF


class ChunkTable:
    """Distinct polyline chunks, numbered in order of first use.

    A chunk and its reverse are stored once: id ``k`` is chunk ``k`` as stored, id ``~k``
    (negative) is it walked backwards. A polygon on the other side of a shared boundary walks
    it the other way, and rings' orientation does not matter to the map (even-odd fill).

    Parameters
    ----------
    keep_reverse : bool
        Keep each chunk walked backwards too (:attr:`reverse`), as a table that is to be
        merged into another (:meth:`merge`) must.
    """

    def __init__(self, keep_reverse: bool = False) -> None:
        self.ids: dict[str, int] = {}
        self.keep_reverse = keep_reverse
        self.reverse: list[str] = []  # each stored chunk walked backwards (if kept), by id
        self._seen: dict[bytes, int] = {}  # a chunk's vertex bytes (either way) -> its id
        self._paths: dict[tuple[bytes, bool], list[int]] = {}  # a path's bytes -> its ids
        self._groups: dict[bytes, list] = {}  # small polygons' bytes -> their rings' ids

    def add_points(self, q: np.ndarray) -> int:
        """The id of one chunk of vertices, stored once (its reverse shares the id).

        Parameters
        ----------
        q : numpy.ndarray
            ``(n, 2)`` integer lat/lon.

        Returns
        -------
        int
            ``k`` for chunk ``k`` as stored, ``~k`` for it walked backwards.
        """
        q = np.ascontiguousarray(q, dtype=np.int64)
        key = _digest(q)
        hit = self._seen.get(key)
        if hit is not None:  # seen before: dates of a slider share most chunks
            return hit
        return self._new(q, key)

    def _new(self, q: np.ndarray, key: bytes) -> int:
        """The id of a chunk not seen before (``key`` its :func:`_digest`)."""
        fwd = encode_polyline(q)
        rev = encode_polyline(q[::-1])
        found = self._id(fwd, rev)
        self._seen[key] = found
        if fwd != rev:  # a chunk that reads the same both ways keeps its one id
            self._seen[_digest(q[::-1])] = ~found
        return found

    def _id(self, fwd: str, rev: str) -> int:
        """The id of a chunk given both ways (stored as ``fwd`` when it is new)."""
        if fwd in self.ids:
            return self.ids[fwd]
        if rev in self.ids:
            return ~self.ids[rev]
        self.ids[fwd] = len(self.ids)
        if self.keep_reverse:
            self.reverse.append(rev)
        return self.ids[fwd]

    @property
    def chunks(self) -> list[str]:
        return list(self.ids)

    def merge(self, chunks: list[str], reverse: list[str]) -> np.ndarray:
        """Take in the chunks of another table, in its order: the ids it gave them, mapped
        to this table's (``out[k]`` for its chunk ``k``; ``~out[k]`` for ``~k``).

        Encoding layers into a table of their own and merging it here gives the same ids
        as encoding them here, in the same order, would.

        Parameters
        ----------
        chunks, reverse : list of str
            The other table's :attr:`chunks` and :attr:`reverse`.

        Returns
        -------
        numpy.ndarray
            This table's id of each of the other table's chunks.
        """
        return np.array([self._id(f, r) for f, r in zip(chunks, reverse, strict=True)],
                        dtype=np.int64)

    def path(self, q: np.ndarray, closed: bool) -> list[int]:
        """Chunk ids of one path of integer lat/lon vertices (rings without closing vertex).

        A closed ring starts at its cut vertex of least hash, so its chunks do not depend on
        where the source started the ring.

        Parameters
        ----------
        q : numpy.ndarray
            ``(n, 2)`` integer lat/lon.
        closed : bool
            Whether the path is a ring.

        Returns
        -------
        list of int
            Chunk ids in walking order.
        """
        return self._known_path(_digest(q), q, closed)

    def _known_path(self, digest: bytes, q: np.ndarray, closed: bool) -> list[int]:
        """:meth:`path` of ``q``, whose :func:`_digest` is ``digest``."""
        key = (digest, closed)
        known = self._paths.get(key)
        if known is None:
            known = self._paths[key] = self._path(q, closed)
        return list(known)

    def _path(self, q: np.ndarray, closed: bool) -> list[int]:
        if closed and len(q) > 1 and np.all(q[0] == q[-1]):
            q = q[:-1]
        h = _hash(q)
        cuts = np.flatnonzero(h % CUT_MODULUS == 0)
        if closed:
            if len(cuts):
                start = cuts[np.lexsort((q[cuts, 1], q[cuts, 0], h[cuts]))[0]]
            else:
                start = int(np.lexsort((q[:, 1], q[:, 0]))[0])
            q = np.vstack([np.roll(q, -start, axis=0), q[start:start + 1]])
            h = _hash(q)
            cuts = np.flatnonzero(h % CUT_MODULUS == 0)
        bounds = sorted({0, len(q) - 1, *cuts.tolist()})
        if len(bounds) < 2:
            return [self.add_points(q)]
        q = np.ascontiguousarray(q, dtype=np.int64)
        raw = q.tobytes()  # a chunk's key is the digest of its slice (16 bytes a vertex)
        ids = []
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            key = _digest_bytes(raw[16 * a:16 * (b + 1)])
            hit = self._seen.get(key)
            ids.append(hit if hit is not None else self._new(q[a:b + 1], key))
        return ids

    def polygon(self, poly) -> list[list[int]]:
        """The chunk ids of a polygon's rings.

        Parameters
        ----------
        poly : shapely.Polygon
            A lon/lat polygon.

        Returns
        -------
        list of list of int
            One list of chunk ids per ring, exterior first.
        """
        return self._polygons(np.array([poly], dtype=object))[0]

    def _polygons(self, polys: np.ndarray) -> list[list[list[int]]]:
        """:meth:`polygon` of many polygons, their coordinates quantized in one pass."""
        rings, owner = shapely.get_rings(polys, return_index=True)
        xy, ring_of = shapely.get_coordinates(rings, return_index=True)
        sizes = np.bincount(ring_of, minlength=len(rings))
        q = np.round(xy[:, ::-1] * PRECISION).astype(np.int64)
        keep = np.ones(len(q), dtype=bool)  # consecutive duplicates dropped, as quantize does
        keep[1:] = ~((ring_of[1:] == ring_of[:-1]) & np.all(q[1:] == q[:-1], axis=1))
        kept = take_rows(q, keep)
        raw = kept.tobytes()  # a ring's digest is that of its slice (16 bytes a vertex)
        counts = np.bincount(ring_of[keep], minlength=len(rings))
        ends = np.cumsum(counts).tolist()
        out: list[list[list[int]]] = [[] for _ in range(len(polys))]
        # the small polygons (slivers, islets: most of a side's parts, the same from one
        # date to the next) are looked up together, by the digest of all they hold
        small = np.bincount(owner, weights=counts, minlength=len(polys)) < SMALL_POLYGON
        in_small = small[owner]
        group = None
        if in_small.sum() > 1:
            # how many rings, which polygon each is in and its sizes, then their vertices:
            # the lengths come first, so two different groups never give the same bytes
            group = _digest_bytes(np.int64(in_small.sum()).tobytes()
                                  + np.stack([owner[in_small], sizes[in_small],
                                              counts[in_small]]).astype(np.int64).tobytes()
                                  + take_rows(kept, in_small[ring_of[keep]]).tobytes())
            known = self._groups.get(group)
            if known is not None:
                for p, ids in known:
                    out[p] = [list(r) for r in ids]
        start = 0
        for p, n, end, alone in zip(owner.tolist(), sizes.tolist(), ends,
                                    (~in_small).tolist(), strict=True):
            if n >= 4 and (alone or group is None or group not in self._groups):
                digest = _digest_bytes(raw[16 * start:16 * end])
                out[p].append(self._known_path(digest, kept[start:end], closed=True))
            start = end
        if group is not None and group not in self._groups:
            self._groups[group] = [(p, [list(r) for r in out[p]])
                                   for p in np.flatnonzero(small).tolist()]
        return out

    def geometry(self, geom) -> list[list]:
        """Encode a (Multi)Polygon as [polygon][ring][chunk ids] or a (Multi)LineString as
        [line][chunk ids].

        Parameters
        ----------
        geom : shapely geometry
            Lon/lat polygons or lines.

        Returns
        -------
        list
            The nested chunk ids.
        """
        out: list[list] = []
        parts = shapely.get_parts(geom)
        parts = parts[~shapely.is_empty(parts)]
        is_poly = shapely.get_type_id(parts) == 3
        encoded = iter(self._polygons(parts[is_poly]) if is_poly.any() else [])
        for part, poly in zip(parts, is_poly, strict=True):
            if poly:
                rings = next(encoded)
                if rings:
                    out.append(rings)
            elif part.geom_type == "LineString":
                q = quantize(np.asarray(part.coords)[:, :2])
                if len(q) >= 2:
                    out.append(self.path(q, closed=False))
        return out


def decode_polyline(text: str) -> np.ndarray:
    """Inverse of :func:`encode_polyline`.

    Parameters
    ----------
    text : str
        Polyline text.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` lat/lon floats.

    Examples
    --------
    >>> decode_polyline("_p~iF~ps|U").tolist()
    [[38.5, -120.2]]
    """
    values, i = [], 0
    while i < len(text):
        shift = result = 0
        while True:
            b = ord(text[i]) - 63
            i += 1
            result |= (b & 0x1F) << shift
            shift += 5
            if b < 0x20:
                break
        values.append(~(result >> 1) if result & 1 else result >> 1)
    return np.cumsum(np.array(values, dtype=np.int64).reshape(-1, 2), axis=0) / PRECISION
