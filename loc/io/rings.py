"""Polygon rings of a series of similar snapshots, each read, parsed and projected once.

Daily snapshots of a front differ in a few places, so most of one file's coordinate text is
in the previous file too. :class:`RingReader` reads the plain GeoJSON form (one lon/lat
Polygon or MultiPolygon geometry, coordinates as JSON numbers) without handing the
coordinates to a JSON parser (the rest of the document is checked with one): it cuts each
ring's coordinate text into content-defined chunks (after every position whose
text ends in ``25``, so an edit changes only the chunks around it), a new chunk into pieces
(after every position ending in ``5``), and parses and projects only the pieces it has not
seen in the previous file. Rings are keyed by their exact text,
so two snapshots can be compared ring by ring, and chunk by chunk, before any geometry is
built.

Files in any other form are read by the caller the general way and given to
:meth:`RingReader.from_geometry`, which keys their rings by the coordinates' bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path

import numpy as np
import shapely

from loc import config
from loc.errors import LocError
from loc.geo import take_rows
from loc.io.hashing import polygons_digest, ring_digest
from loc.safejson import depth_at_end, loads

_COORD_CHARS = b"[]0123456789.,-+eE"
_SPACE = b" \t\r\n"
_CUT = b"25],["
"""Chunk cut: after a position whose text ends in ``25`` (one in ninety, about)."""
_PIECE_CUT = b"5],["
"""Piece cut inside a chunk: after a position whose text ends in ``5`` (one in nine)."""

Project = Callable[[np.ndarray], np.ndarray]
"""Maps an ``(n, 2)`` lon/lat array to an ``(n, 2)`` array in another CRS."""


class Ring:
    """One ring: lon/lat and projected coordinates and, computed when first asked, its
    bounds, boundary segments and shapely LinearRing (projected).

    Parameters
    ----------
    lonlat : numpy.ndarray
        ``(n, 2)`` lon/lat positions, closed (last equal to first).
    xy : numpy.ndarray
        The same positions projected.
    chunks : list, optional
        The ring's text chunks in order, for a ring read from text: ``(key, lon/lat,
        projected, pieces)``, ``pieces`` listing ``(key, lon/lat, projected)`` of the
        chunk's smaller pieces.
    """

    def __init__(self, lonlat: np.ndarray, xy: np.ndarray, chunks: list | None = None) -> None:
        self.lonlat = lonlat
        self.xy = xy
        self.chunks = chunks

    @cached_property
    def digest(self) -> bytes:
        """:func:`loc.io.hashing.ring_digest` of the lon/lat positions (a ring reused from
        the previous file keeps it)."""
        return ring_digest(self.lonlat)

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(minx, miny, maxx, maxy)`` in degrees."""
        x, y = self.lonlat[:, 0], self.lonlat[:, 1]  # by column: axis=0 is ten times slower
        return float(x.min()), float(y.min()), float(x.max()), float(y.max())

    @cached_property
    def xy_bounds(self) -> tuple[float, float, float, float]:
        """``(minx, miny, maxx, maxy)`` in the projected CRS."""
        x0, y0, x1, y1 = (float(v) for v in shapely.bounds(self.geom))
        return x0, y0, x1, y1

    @cached_property
    def segments(self) -> np.ndarray:
        """``(n - 1, 4)`` array ``x0, y0, x1, y1`` (projected), in ring order."""
        c = self.xy
        return np.hstack([c[:-1], c[1:]])

    @cached_property
    def chunk_keys(self) -> list:
        """The chunk keys in order (empty if not read from text)."""
        return [c[0] for c in self.chunks] if self.chunks else []

    def piece_keys(self, skip: set) -> list:
        """The keys of the pieces of the chunks not in ``skip``.

        Parameters
        ----------
        skip : set
            Chunk keys to leave out.

        Returns
        -------
        list
            Piece keys, in ring order.
        """
        return [k for c in self.chunks or () if c[0] not in skip for k, _, _ in c[3]]

    def changed_segments(self, chunks: set, pieces: set) -> np.ndarray:
        """Segments (projected) that may be missing from a boundary holding the chunks
        ``chunks`` and, in its other chunks, the pieces ``pieces``.

        A segment inside a shared chunk, or inside a shared piece of another chunk, is in
        that boundary too (same text, same positions); the others (in other pieces, or
        joining two chunks or pieces) are returned. Without chunks (a ring not read from
        text), every segment.

        Parameters
        ----------
        chunks : set
            Chunk keys the other boundary holds.
        pieces : set
            Piece keys the other boundary holds.

        Returns
        -------
        numpy.ndarray
            ``(n, 4)`` segments ``x0, y0, x1, y1`` (projected).
        """
        if not self.chunks:
            return self.segments
        sizes = self._chunk_sizes
        kept = np.fromiter(map(chunks.__contains__, self.chunk_keys), dtype=bool,
                           count=len(sizes))
        vertex_new = np.repeat(~kept, sizes)
        joins: list[int] = [int(j) for j in np.cumsum(sizes)[:-1] - 1]  # chunk joins
        for i in np.flatnonzero(~kept):
            at = int(sizes[:i].sum())
            for key, ll, _ in (self.chunks or [])[i][3]:
                if key in pieces:
                    vertex_new[at:at + len(ll)] = False
                at += len(ll)
                joins.append(at - 1)  # the segment joining the next piece
        mask = vertex_new[:-1] | vertex_new[1:]
        at_join = np.array(joins, dtype=int)
        mask[at_join[at_join < len(mask)]] = True
        return take_rows(self.segments, mask)

    @cached_property
    def _chunk_sizes(self) -> np.ndarray:
        return np.array([len(c[1]) for c in self.chunks or []])

    @cached_property
    def geom(self) -> shapely.LinearRing:
        """The projected LinearRing."""
        return shapely.linearrings(self.xy)


Polygon = tuple[bytes, ...]
"""A polygon as the keys of its rings: the exterior first, then the holes."""


def shape_digest(reader: RingReader, polys: Iterable[Polygon]) -> str:
    """:func:`loc.io.hashing.geometry_digest` of polygons of the current (or previous) file
    of ``reader``, from its rings' digests (each computed once).

    Parameters
    ----------
    reader : RingReader
        The reader that read them.
    polys : iterable of tuple of bytes
        The polygons, as ring keys.

    Returns
    -------
    str
        32 hex digits.

    Examples
    --------
    >>> from loc.io.hashing import geometry_digest
    >>> r = RingReader()
    >>> a = r.read(b'{"type": "Polygon", "coordinates": [[[30,50],[31,50],[31,51],[30,50]]]}')
    >>> b = r.read(b'{"type":"Polygon","coordinates":[[[31,51],[31,50],[30.0,50],[31,51]]]}')
    >>> shape_digest(r, a) == shape_digest(r, b) == geometry_digest(r.polygon(b[0], True))
    True
    """
    return polygons_digest([reader.ring(k).digest for k in poly] for poly in polys)


class RingReader:
    """Reads snapshots one after the other into polygons of ring keys, reusing what the
    previous file held.

    Rings and polygons of the current and the previous file can be looked up; anything
    older is dropped, so memory stays at about two files' worth.

    Parameters
    ----------
    project : callable, optional
        Maps lon/lat positions to the CRS the rings' geometries are built in (e.g. an
        equal-area projection); by default they stay lon/lat.
    """

    def __init__(self, project: Project | None = None) -> None:
        self._project = project or (lambda c: c)
        self._chunks: dict = {}  # chunk key of the current file -> (lon/lat, xy, pieces, ring)
        self._rings: tuple[dict, dict] = ({}, {})  # (previous file's, current file's)
        self._files: tuple[list, list] = ([], [])
        self._polygons: dict = {}
        self._lonlat: dict = {}
        self.kind = "MultiPolygon"  # the geometry type of the text read last
        self.layer: str | None = None  # its FeatureCollection's name (a layer name)

    def ring(self, key: bytes) -> Ring:
        """The ring of a key of the current or the previous file.

        Parameters
        ----------
        key : bytes
            A ring key.

        Returns
        -------
        Ring
            The ring.
        """
        prev, cur = self._rings
        return cur[key] if key in cur else prev[key]

    def polygon(self, poly: Polygon, lonlat: bool = False) -> shapely.Polygon:
        """The shapely Polygon of a polygon of the current or previous file.

        Parameters
        ----------
        poly : tuple of bytes
            Ring keys, exterior first.
        lonlat : bool
            In lon/lat rather than the reader's CRS.

        Returns
        -------
        shapely.Polygon
            The polygon (built once).
        """
        cache = self._lonlat if lonlat else self._polygons
        geom = cache.get(poly)
        if geom is None:
            rings = [shapely.linearrings(self.ring(k).lonlat) if lonlat else self.ring(k).geom
                     for k in poly]
            geom = cache[poly] = shapely.polygons(rings[0], rings[1:] or None)
        return geom

    def state(self) -> dict:
        """What the reader holds, to :meth:`restore` after a file read in vain (reading
        replaces these attributes and never changes the ones it replaced).

        Returns
        -------
        dict
            The reader's attributes.
        """
        return dict(vars(self))

    def restore(self, state: dict) -> None:
        """Hold again what :meth:`state` returned.

        Parameters
        ----------
        state : dict
            From :meth:`state`.
        """
        vars(self).update(state)

    def _commit(self, polys: list[Polygon], rings: dict) -> list[Polygon]:
        """Make a file read into ``rings`` the current one; drop what only the one before
        the previous file used."""
        self._chunks = {c[0]: (*c[1:], ring) for ring in rings.values() if ring.chunks
                        for c in ring.chunks}
        self._rings = (self._rings[1], rings)
        self._files = (self._files[1], polys)
        keep = set(self._files[0]) | set(polys)
        self._polygons = {p: g for p, g in self._polygons.items() if p in keep}
        self._lonlat = {p: g for p, g in self._lonlat.items() if p in keep}
        return polys

    def read(self, raw: bytes, within: tuple[float, float, float, float] | None = None
             ) -> list[Polygon] | None:
        """The polygons of a plain GeoJSON text, or None (and nothing changed) if the text
        is in another form or reaches outside the lon/lat box ``within``.

        The plain form is a FeatureCollection of one Feature, a Feature, or a geometry, of
        type Polygon or MultiPolygon, with no properties (a side, a layer name, a date or
        a source is read the general way), no CRS other than lon/lat (CRS84), and its
        numbers written as JSON writes them; rings closed, with four
        positions or more, every coordinate a finite number. The FeatureCollection's
        ``name`` is kept in :attr:`layer`: a date there is the caller's to check against
        the file's (:func:`loc.io.readers.file_date`).

        Parameters
        ----------
        raw : bytes
            The file's bytes.
        within : tuple of float, optional
            ``(minx, miny, maxx, maxy)`` lon/lat box every polygon must lie in.

        Returns
        -------
        list of tuple or None
            The polygons as ring keys, or None for text in another form.
        """
        parsed = _split_plain(raw)
        if parsed is None:
            return None
        kind, coords, layer = parsed
        depth = 4 if kind == "MultiPolygon" else 3
        if (not coords.startswith(b"[" * depth) or not coords.endswith(b"]" * depth)
                or coords[depth:depth + 1] in (b"[", b"]")):
            return None
        inner = coords[depth:-depth]
        texts = inner.split(b"]]],[[[") if depth == 4 else [inner]
        rings: dict = {}
        try:
            polys = [tuple(self._read_ring(t, rings) for t in text.split(b"]],[["))
                     for text in texts]
        except ValueError:
            return None
        if within is not None and not all(_inside(rings[p[0]].bounds, within) for p in polys):
            return None
        self.kind, self.layer = kind, layer
        return self._commit(polys, rings)

    def from_geometry(self, geom) -> list[Polygon]:
        """The polygons of a lon/lat (Multi)Polygon read the general way.

        Parameters
        ----------
        geom : shapely geometry
            Lon/lat polygons.

        Returns
        -------
        list of tuple
            The polygons as ring keys.
        """
        rings: dict = {}
        polys = []
        for p in shapely.get_parts(geom):
            if p.geom_type != "Polygon" or p.is_empty:
                continue
            keys = []
            for r in shapely.get_rings(p):
                c = shapely.get_coordinates(r)
                key = b"\0" + c.tobytes()  # never a text key: text holds no NUL
                ring = self._rings[1].get(key)
                rings[key] = ring if ring is not None else Ring(c, self._project(c))
                keys.append(key)
            polys.append(tuple(keys))
        return self._commit(polys, rings)

    def _read_ring(self, text: bytes, rings: dict) -> bytes:
        """Parse (or reuse) one ring's text ``x,y],[x,y],...,[x,y``; its key is the text."""
        if text not in rings:
            ring = self._rings[1].get(text)
            rings[text] = ring if ring is not None else self._parse_ring(text)
        return text

    def _parse_ring(self, text: bytes) -> Ring:
        """A ring from its text, parsing and projecting only the chunks (or, in a chunk,
        the pieces) the previous file did not have."""
        parts = text.split(_CUT)
        last = len(parts) - 1
        keys = [(part, i == last) for i, part in enumerate(parts)]
        known: list = [self._chunks.get(k) for k in keys]
        new = [i for i, k in enumerate(known) if k is None]
        if new:
            old_pieces = self._old_pieces(known, set(keys))
            texts: list[bytes] = []
            pieces: list = []
            for i in new:
                chunk = parts[i] if i == last else parts[i] + _CUT[:2]
                pieces.append(self._pieces(chunk, old_pieces, texts))
            lonlat = _parse_positions(b"],[".join(texts)) if texts else np.empty((0, 2))
            xy = self._project(lonlat)
            at = 0
            for i, chunk_pieces in zip(new, pieces, strict=True):
                filled = []
                for key, n, done in chunk_pieces:
                    if done is None:
                        done = (lonlat[at:at + n], xy[at:at + n])
                        at += n
                    filled.append((key, *done))
                ll = np.concatenate([p[1] for p in filled])
                known[i] = (ll, np.concatenate([p[2] for p in filled]), filled)
        lonlat = np.concatenate([c[0] for c in known])
        if len(lonlat) < 4 or (lonlat[0] != lonlat[-1]).any():
            raise ValueError("a ring needs four positions, the last equal to the first")
        xy = np.concatenate([c[1] for c in known])
        return Ring(lonlat, xy, [(k, *c[:3]) for k, c in zip(keys, known, strict=True)])

    @staticmethod
    def _old_pieces(known: list, keep: set) -> dict:
        """The pieces of the chunks this ring no longer has of the previous file's rings
        it shares chunks with (its earlier versions)."""
        earlier = {id(ring): ring for *_, ring in filter(None, known)}
        return {k: (ll, xy) for ring in earlier.values()
                for key, _, _, pieces in ring.chunks if key not in keep
                for k, ll, xy in pieces}

    @staticmethod
    def _pieces(chunk: bytes, old: dict, texts: list) -> list:
        """A new chunk's pieces as ``(key, positions, (lon/lat, xy) or None)``; the texts
        of pieces not in ``old`` are added to ``texts`` to be parsed."""
        parts = chunk.split(_PIECE_CUT)
        last = len(parts) - 1
        out = []
        for j, part in enumerate(parts):
            key = (part, j == last)
            done = old.get(key)
            if done is None:
                piece = part if j == last else part + _PIECE_CUT[:1]
                texts.append(piece)
                out.append((key, piece.count(b"],[") + 1, None))
            else:
                out.append((key, len(done[0]), done))
        return out


def read_plain(reader: RingReader, path, within: tuple[float, float, float, float],
               valid: set, raw: bytes | None = None) -> list[Polygon] | None:
    """The polygons of a plain GeoJSON file (see :meth:`RingReader.read`) that lie inside
    the lon/lat box ``within`` and the size limits of :mod:`loc.config` and are valid
    together (:func:`valid_together`), read by ``reader`` (reusing what the previous file
    held); None for anything else (another format, a file over a limit, one that cannot be
    read, an invalid or overlapping part), and the reader is left as it was. The caller then
    reads the file the general way, which repairs it, or says what is wrong with it, and
    may give the result to :meth:`RingReader.from_geometry`.

    Parameters
    ----------
    reader : RingReader
        The reader of the series.
    path : str or Path
        The file.
    within : tuple of float
        ``(lon_min, lat_min, lon_max, lat_max)``.
    valid : set
        The polygons of the last file found valid (see :func:`valid_together`).
    raw : bytes, optional
        The file's bytes, read already by :func:`plain_bytes` (so the caller can hash the
        bytes parsed); read here when not given.

    Returns
    -------
    list of Polygon or None
        The polygons, as ring keys of ``reader``.
    """
    if raw is None:
        raw = plain_bytes(path)
    return None if raw is None else _valid_polygons(reader, raw, within, valid)


def plain_bytes(path) -> bytes | None:
    """The bytes of a ``.geojson``/``.json`` file within the size limit; None for another
    suffix, a larger file or one that cannot be read.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    bytes or None
        Its bytes.
    """
    path = Path(path)
    if path.suffix.lower() not in (".geojson", ".json"):
        return None
    try:
        if path.stat().st_size > config.limit("bytes"):
            return None
        return path.read_bytes()
    except OSError:
        return None


def _valid_polygons(reader: RingReader, raw: bytes, within: tuple[float, float, float, float],
                    valid: set) -> list[Polygon] | None:
    """:meth:`RingReader.read` of a text within the vertex limit whose polygons are valid
    together; else None, with the reader as it was before."""
    before = reader.state()
    polys = reader.read(raw, within=within)
    if polys is None:
        return None
    if (sum(len(reader.ring(k).lonlat) for p in polys for k in p) <= config.limit("vertices")
            and valid_together(reader, polys, valid)):
        return polys
    reader.restore(before)
    return None


class PlainReader:
    """Plain GeoJSON texts (the form :meth:`RingReader.read` takes) to valid lon/lat
    geometries, one after the other: a text reuses the rings the previous one held, so a
    daily series is parsed at the cost of what changed.

    Parameters
    ----------
    within : tuple of float
        ``(lon_min, lat_min, lon_max, lat_max)`` box every polygon must lie in.
    """

    def __init__(self, within: tuple[float, float, float, float]) -> None:
        self.within = within
        self._rings = RingReader()
        self._valid: set = set()
        self.digest: str | None = None
        """:func:`loc.io.hashing.geometry_digest` of the geometry returned last (from its
        rings' digests, each computed once), or None."""

    def geometry(self, raw: bytes) -> shapely.Polygon | shapely.MultiPolygon | None:
        """The geometry of a plain GeoJSON text, as GDAL reads it (a Polygon stays a
        Polygon, a MultiPolygon of one part stays a MultiPolygon), if it is valid and
        within the box and the limits; None for any other text, which the caller reads the
        general way.

        Parameters
        ----------
        raw : bytes
            The file's bytes.

        Returns
        -------
        shapely.Polygon or shapely.MultiPolygon or None
            The lon/lat geometry.
        """
        self.digest = None
        polys = _valid_polygons(self._rings, raw, self.within, self._valid)
        if polys is None:
            return None
        parts = [self._rings.polygon(p, lonlat=True) for p in polys]
        self.digest = shape_digest(self._rings, polys)
        return parts[0] if self._rings.kind == "Polygon" else shapely.multipolygons(parts)

    @property
    def layer(self) -> str | None:
        """The layer name (a FeatureCollection's ``name``) of the text read last, or None."""
        return self._rings.layer


def valid_together(reader: RingReader, polys: list[Polygon], checked: set) -> bool:
    """Whether polygons read by ``reader`` make one valid lon/lat MultiPolygon, as the
    general reader asks: a part that is invalid, or two parts that overlap (or the same
    part twice), make it invalid, and the file is then read (and repaired, or refused) the
    general way.

    Parameters
    ----------
    reader : RingReader
        The reader that read them.
    polys : list of Polygon
        The polygons of one file.
    checked : set
        The polygons of the last file found valid, updated here: a file whose polygons are
        all among them is valid unchecked (parts left out of a valid MultiPolygon leave it
        valid).

    Returns
    -------
    bool
        Whether they are valid together.
    """
    if len(set(polys)) != len(polys):
        return False
    if not set(polys) <= checked:
        parts = [reader.polygon(p, lonlat=True) for p in polys]
        if not shapely.is_valid(parts[0] if len(parts) == 1 else shapely.multipolygons(parts)):
            return False
    checked.clear()
    checked.update(polys)
    return True


def changed_segments(reader: RingReader, a: list[Polygon], b: list[Polygon]
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Segments (projected) of the polygons ``a`` and ``b`` of two consecutive reads that may
    be in one boundary and not the other: give them to :func:`loc.analysis.diff.segment_windows`
    for windows holding every difference.

    Polygons in both reads are left out (every segment of theirs is in both boundaries); of
    the others' rings, the segments inside chunks (and, in other chunks, pieces) of text both
    reads hold.

    Parameters
    ----------
    reader : RingReader
        The reader that read ``a`` and then ``b``.
    a, b : list of Polygon
        The earlier and the later polygons.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``(n, 4)`` arrays ``x0, y0, x1, y1`` for ``a`` and ``b``.
    """
    in_a, in_b = set(a), set(b)
    rings_a = [reader.ring(k) for p in a if p not in in_b for k in p]
    rings_b = [reader.ring(k) for p in b if p not in in_a for k in p]
    shared = (set().union(*(r.chunk_keys for r in rings_a))
              & set().union(*(r.chunk_keys for r in rings_b)))
    pieces = (set().union(*(r.piece_keys(shared) for r in rings_a))
              & set().union(*(r.piece_keys(shared) for r in rings_b)))

    def segs(rings: list[Ring]) -> np.ndarray:
        out = [r.changed_segments(shared, pieces) for r in rings]
        return np.concatenate(out) if out else np.empty((0, 4))

    return segs(rings_a), segs(rings_b)


def _inside(bounds: tuple, box: tuple) -> bool:
    return (box[0] <= bounds[0] and bounds[2] <= box[2]
            and box[1] <= bounds[1] and bounds[3] <= box[3])


def _parse_positions(text: bytes) -> np.ndarray:
    """``x,y],[x,y`` (or all with z) as an ``(n, 2)`` float array; ValueError if malformed."""
    positions = text.split(b"],[")
    commas = {p.count(b",") for p in positions}
    if len(commas) != 1 or not commas <= {1, 2}:
        raise ValueError("positions of unequal length, or not of two or three numbers")
    flat = b",".join(positions)
    if b"[" in flat or b"]" in flat:
        raise ValueError("nested positions")
    if not _json_numbers(flat):
        raise ValueError("a number is not written as JSON writes numbers")
    values = np.array(flat.split(b","), dtype=np.float64).reshape(len(positions), -1)
    if not np.isfinite(values).all():  # z too: the general reader refuses an infinite z
        raise ValueError("a coordinate is not a finite number")
    return values if values.shape[1] == 2 else np.ascontiguousarray(values[:, :2])


_NOT_JSON = (b".,", b".e", b".E", b",.", b",-.", b"-,", b"-e", b"-E",
             *(b",%s%d" % (z, d) for z in (b"0", b"-0") for d in range(10)))
"""Texts float() reads that a JSON number cannot hold (in ``,``-separated numbers with a
leading ``,``): a ``.`` not between digits, a leading zero before a digit, a bare ``-``
(a ``+``, allowed only after ``e``, is counted apart)."""


def _json_numbers(flat: bytes) -> bool:
    """Whether every comma-separated number of ``flat`` is written as JSON allows (Python's
    float() also reads ``+1``, ``01``, ``1.`` and ``.5``, which a JSON parser refuses)."""
    text = b"," + flat + b","
    plus = text.count(b"+")
    if plus and plus != text.count(b"e+") + text.count(b"E+"):
        return False
    return not any(bad in text for bad in _NOT_JSON)


_CUT_MARK = "\x00loc-cut"
"""What stands in the text for the coordinate array cut out of it."""
LEAD_LIMIT = 1000
"""A plain text starts within this many bytes (GDAL refuses some 5,000 bytes of white space
before a document; longer leads are left to it)."""


def _split_plain(raw: bytes) -> tuple[str, bytes, str | None] | None:
    """``(geometry type, coordinate text without white space, layer name)`` of a plain
    polygon GeoJSON, else None; the layer name is a FeatureCollection's ``name`` (None
    without one).

    The coordinate array is cut out of the text; what is left (a mark in its place) must be
    a JSON document of the plain form, no member named twice, within the depth limit with
    the array put back, whose geometry's ``coordinates`` is that mark and nothing else is.
    """
    if len(raw) - len(raw.lstrip(_SPACE + b"\xef\xbb\xbf")) > LEAD_LIMIT:
        return None
    at = raw.find(b'"coordinates"')
    if at < 0 or raw.find(b'"coordinates"', at + 1) >= 0:
        return None
    start = raw.find(b"[", at)
    close = raw.find(b"}", start)
    if start < 0 or close < 0:
        return None
    end = raw.rfind(b"]", start, close) + 1
    text = raw[start:end]
    coords = text.translate(None, _SPACE)
    between = raw[at + len(b'"coordinates"'):start]
    if (end <= start or between.strip(_SPACE) != b":" or coords.translate(None, _COORD_CHARS)
            or _space_inside_number(text)):
        return None
    try:
        doc = loads(raw[:start] + b'"\\u0000loc-cut"' + raw[end:], unique_keys=True)
        open_at = depth_at_end(raw[:start])
    except LocError:  # not JSON, too deep or too large: the general reader says why
        return None
    geom = _the_geometry(doc)
    if geom is None or geom.get("coordinates") != _CUT_MARK or _marks(doc) != 1:
        return None
    kind = geom.get("type")
    if kind not in ("Polygon", "MultiPolygon") or open_at + (
            4 if kind == "MultiPolygon" else 3) > config.limit("depth"):
        return None
    return kind, coords, layer_name(doc)


def layer_name(doc: object) -> str | None:
    """The layer name of a parsed GeoJSON document: a FeatureCollection's ``name`` (GDAL's
    layer name for it), None for anything else.

    Parameters
    ----------
    doc : object
        Parsed JSON.

    Returns
    -------
    str or None
        The name.

    Examples
    --------
    >>> layer_name({"type": "FeatureCollection", "name": "x_20250905", "features": []})
    'x_20250905'
    >>> layer_name({"type": "Feature", "name": "x"}) is None
    True
    """
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        return None
    name = doc.get("name")
    return name if isinstance(name, str) else None


def _marks(node) -> int:
    """How many times the cut mark stands in a parsed document."""
    if isinstance(node, dict):
        return sum(_marks(v) for v in node.values())
    if isinstance(node, list):
        return sum(_marks(v) for v in node)
    return int(node == _CUT_MARK)


_CLASS = bytes(ord("n") if c in b"0123456789.eE+-" else ord(" ") if c in _SPACE
               else ord("s") for c in range(256))
"""Each byte as ``n`` (in numbers), `` `` (white space) or ``s`` (anything else)."""


def _space_inside_number(text: bytes) -> bool:
    """Whether white space stands between two characters of numbers (``37.0 075``: two
    tokens to a JSON parser, one number once the white space is dropped)."""
    classes = text.translate(_CLASS)
    if b" " not in classes:
        return False
    while b"  " in classes:  # white space runs to one byte (each pass halves them)
        classes = classes.replace(b"  ", b" ")
    return b"n n" in classes


CRS84 = frozenset({"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "OGC:CRS84"})
"""The ``crs`` names of lon/lat that the plain form may carry (anything else is read, and
reprojected or refused, the general way)."""
_MEMBERS = {"FeatureCollection": {"type", "features", "name", "crs", "bbox"},
            "Feature": {"type", "geometry", "properties", "id", "bbox", "crs"},
            "geometry": {"type", "coordinates", "bbox", "crs"}}
"""Members the plain form may have: none the general reader reads a meaning from."""


def _plain_crs(obj: dict) -> bool:
    crs = obj.get("crs")
    if crs is None:
        return True
    props = crs.get("properties") if isinstance(crs, dict) else None
    return (isinstance(props, dict) and set(crs) == {"type", "properties"}
            and crs.get("type") == "name" and set(props) == {"name"} and props["name"] in CRS84)


def _the_geometry(doc) -> dict | None:
    """The one geometry of a FeatureCollection of one Feature, a Feature or a geometry, in
    the plain form: no members but :data:`_MEMBERS` (JSON escapes decoded), no properties
    (a side, a layer name, a date or a source is the general reader's to read), no CRS but
    lon/lat."""
    if not isinstance(doc, dict):
        return None
    if doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if (not set(doc) <= _MEMBERS["FeatureCollection"] or not _plain_members(doc)
                or not isinstance(features, list) or len(features) != 1):
            return None
        doc = features[0]
        if not isinstance(doc, dict) or doc.get("type") != "Feature":
            return None
    if doc.get("type") == "Feature":
        if (not set(doc) <= _MEMBERS["Feature"] or not _plain_members(doc)
                or doc.get("properties") not in (None, {})):
            return None
        doc = doc.get("geometry")
    if (not isinstance(doc, dict) or not set(doc) <= _MEMBERS["geometry"]
            or not _plain_members(doc)):
        return None
    return doc


def _plain_members(obj: dict) -> bool:
    """Whether an object's ``crs``, ``bbox``, ``id`` and ``name`` are of the plain form (a
    CRS84 name, four or six numbers, a string or number, a string)."""
    bbox, ident, name = obj.get("bbox"), obj.get("id"), obj.get("name")
    return (_plain_crs(obj)
            and (bbox is None or isinstance(bbox, list) and len(bbox) in (4, 6) and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in bbox))
            and (ident is None or isinstance(ident, (str, int, float))
                 and not isinstance(ident, bool))
            and (name is None or isinstance(name, str)))
