"""Polygons as GeoJSON (RFC 7946), checked and measured without a GIS library.

A micro-grid is a small polygon (a few dozen vertices, about 1 km²), so plain planar arithmetic on an
equirectangular projection around the polygon is exact enough (well under 0.1 % over a few kilometres) and the
O(n²) self-intersection check over its edges is instant. Coordinates are WGS-84 `[lng, lat]` in that order
(RFC 7946 §3.1.1), like everywhere else in the platform (core/geo.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiceng.core.geo import out_of_china

Point = tuple[float, float]  # (lng, lat)
Ring = list[Point]

EARTH_RADIUS_M = 6371008.8
MAX_VERTICES = 2000  # a drawn or imported grid has dozens; the cap keeps the O(n²) check bounded
_EPS = 1e-12  # degrees (~0.1 µm): how far a point may lie off a segment's box and still be on it
# Cross products of coordinate differences: 1e-18 deg² is a triangle of about a square millimetre, so tiny real
# shapes still have an orientation while points typed on one line (equal latitudes, say) read as collinear.
_ORIENT_EPS = 1e-18


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def polygon_geometry(data: object, field: str = "geometry") -> dict:
    """The Polygon geometry inside `data` (a Polygon, or a Feature holding one), or a ValidationError naming
    `field`. Only one outer ring: holes in a grid have no meaning for the party work it organizes."""
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") != "Polygon":
        raise ValidationError({field: _("须为 GeoJSON 多边形(Polygon,或含多边形的 Feature)。")})
    rings = data.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise ValidationError({field: _("多边形缺少坐标。")})
    if len(rings) > 1:
        raise ValidationError({field: _("多边形只能有一个外环,不支持内洞。")})
    return {"type": "Polygon", "coordinates": [ring_of(rings[0], field)]}


def ring_of(raw: object, field: str = "geometry") -> list[list[float]]:
    """The ring as [[lng, lat], …] after checking its shape (numbers, at least four positions)."""
    if not isinstance(raw, list):
        raise ValidationError({field: _("多边形的环须是坐标列表。")})
    if len(raw) > MAX_VERTICES:
        raise ValidationError({field: _("多边形的顶点不能超过 %(n)d 个。") % {"n": MAX_VERTICES}})
    ring = []
    for position in raw:
        if not isinstance(position, list | tuple) or len(position) < 2:
            raise ValidationError({field: _("每个顶点须是 [经度, 纬度]。")})
        lng, lat = _number(position[0]), _number(position[1])
        if lng is None or lat is None:
            raise ValidationError({field: _("顶点坐标须是数字:%(p)s") % {"p": position[:2]}})
        ring.append([lng, lat])
    if len(ring) < 4:
        raise ValidationError({field: _("多边形至少要有三个不同的顶点(首尾闭合共四个坐标)。")})
    return ring


def points(geometry: dict) -> Ring:
    return [(p[0], p[1]) for p in geometry["coordinates"][0]]


def validate_polygon(geometry: dict, field: str = "geometry") -> Ring:
    """Closed, inside China, not degenerate, not self-intersecting; returns the ring as points."""
    ring = points(geometry)
    if ring[0] != ring[-1]:
        # RFC 7946 §3.1.6: the first and last positions of a linear ring are equivalent.
        raise ValidationError({field: _("多边形未闭合:最后一个顶点须与第一个相同。")})
    outside = [p for p in ring if out_of_china(*p)]
    if outside:
        raise ValidationError({field: _("坐标不在中国境内(WGS-84 经度、纬度顺序):%(p)s")
                               % {"p": f"{outside[0][0]}, {outside[0][1]}"}})
    if len(set(ring[:-1])) < 3:
        raise ValidationError({field: _("多边形面积为零(顶点重合或共线)。")})
    # Before the area: a bow-tie's two halves cancel in the shoelace sum and would read as "no area".
    crossing = self_intersection(ring)
    if crossing is not None:
        i, j = crossing
        raise ValidationError({field: _("多边形自相交:第 %(i)d 条边与第 %(j)d 条边相交。") % {"i": i + 1, "j": j + 1}})
    if area_m2(ring) < 1.0:
        raise ValidationError({field: _("多边形面积为零(顶点重合或共线)。")})
    return ring


def _orient(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _sign(value: float) -> int:
    return 0 if abs(value) < _ORIENT_EPS else (1 if value > 0 else -1)


def _on_segment(a: Point, b: Point, p: Point) -> bool:
    return min(a[0], b[0]) - _EPS <= p[0] <= max(a[0], b[0]) + _EPS and \
        min(a[1], b[1]) - _EPS <= p[1] <= max(a[1], b[1]) + _EPS


def segments_intersect(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Do segments ab and cd share a point (touching and overlapping included)?"""
    o1, o2, o3, o4 = _sign(_orient(a, b, c)), _sign(_orient(a, b, d)), _sign(_orient(c, d, a)), _sign(_orient(c, d, b))
    if o1 != o2 and o3 != o4 and 0 not in (o1, o2, o3, o4):
        return True
    return (o1 == 0 and _on_segment(a, b, c)) or (o2 == 0 and _on_segment(a, b, d)) or \
        (o3 == 0 and _on_segment(c, d, a)) or (o4 == 0 and _on_segment(c, d, b))


def segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """A proper crossing: each segment's ends strictly on both sides of the other (touching does not count)."""
    o1, o2, o3, o4 = _sign(_orient(a, b, c)), _sign(_orient(a, b, d)), _sign(_orient(c, d, a)), _sign(_orient(c, d, b))
    return o1 * o2 < 0 and o3 * o4 < 0


def self_intersection(ring: Sequence[Point]) -> tuple[int, int] | None:
    """The first pair of edges (by index) that meet other than at the vertex two neighbours share, or None."""
    edges = list(zip(ring[:-1], ring[1:], strict=True))
    n = len(edges)
    for i in range(n):
        a, b = edges[i]
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                # Neighbours share a vertex; they are only wrong when they fold back over one another.
                c, d = edges[j]
                shared = b if j == i + 1 else a
                other_i, other_j = (a, d) if j == i + 1 else (b, c)
                if _sign(_orient(a, b, other_j)) == 0 and _on_segment(a, b, other_j) and other_j != shared:
                    return i, j
                if _sign(_orient(c, d, other_i)) == 0 and _on_segment(c, d, other_i) and other_i != shared:
                    return i, j
                continue
            if segments_intersect(a, b, *edges[j]):
                return i, j
    return None


ON_EDGE_DEG = 1e-9  # ~0.1 mm: a vertex computed on a street's edge (a cut cell's) lies within this of it


def _near_segment(a: Point, b: Point, p: Point, tol: float = ON_EDGE_DEG) -> bool:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    ex, ey = a[0] + t * dx - p[0], a[1] + t * dy - p[1]
    return ex * ex + ey * ey <= tol * tol


def contains_point(ring: Sequence[Point], p: Point) -> bool:
    """Point in polygon by ray casting; a point on the boundary (within ON_EDGE_DEG) counts as inside."""
    inside = False
    for a, b in zip(ring[:-1], ring[1:], strict=True):
        if _near_segment(a, b, p):
            return True
        if (a[1] > p[1]) != (b[1] > p[1]):
            x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
            if p[0] < x:
                inside = not inside
    return inside


def within(inner: Sequence[Point], outer: Sequence[Point]) -> bool:
    """Is polygon `inner` inside polygon `outer` (boundaries may touch)? Every vertex inside and no edge of one
    properly crossing an edge of the other; edge midpoints catch an inner edge cutting across a concave notch."""
    if not all(contains_point(outer, p) for p in inner):
        return False
    for a, b in zip(inner[:-1], inner[1:], strict=True):
        if not contains_point(outer, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)):
            return False
        for c, d in zip(outer[:-1], outer[1:], strict=True):
            if segments_cross(a, b, c, d):
                return False
    return True


def _projected(ring: Iterable[Point], lat0: float) -> list[tuple[float, float]]:
    k = math.cos(math.radians(lat0))
    return [(math.radians(lng) * EARTH_RADIUS_M * k, math.radians(lat) * EARTH_RADIUS_M) for lng, lat in ring]


def area_m2(ring: Sequence[Point]) -> float:
    """Area in square metres (shoelace on an equirectangular projection at the ring's mean latitude)."""
    lat0 = sum(p[1] for p in ring) / len(ring)
    xy = _projected(ring, lat0)
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(xy[:-1], xy[1:], strict=True))
    return abs(twice) / 2


def centroid(ring: Sequence[Point]) -> Point:
    """The vertices' mean (a label point; for the convex cells and small grids it lies inside)."""
    body = ring[:-1] if ring[0] == ring[-1] else ring
    return sum(p[0] for p in body) / len(body), sum(p[1] for p in body) / len(body)


def bbox(ring: Sequence[Point]) -> tuple[float, float, float, float]:
    return min(p[0] for p in ring), min(p[1] for p in ring), max(p[0] for p in ring), max(p[1] for p in ring)


def clip(subject: Sequence[Point], window: Sequence[Point]) -> Ring:
    """Sutherland–Hodgman: `subject` cut to the convex, counter-clockwise `window`; closed ring, [] when empty."""
    output = list(subject[:-1] if subject[0] == subject[-1] else subject)
    edges = list(zip(window[:-1], window[1:], strict=True))
    for a, b in edges:
        if not output:
            break
        source, output = output, []
        for k, current in enumerate(source):
            previous = source[k - 1]
            cur_in, prev_in = _orient(a, b, current) >= 0, _orient(a, b, previous) >= 0
            if cur_in:
                if not prev_in:
                    output.append(_line_point(previous, current, a, b))
                output.append(current)
            elif prev_in:
                output.append(_line_point(previous, current, a, b))
    if len(output) < 3:
        return []
    # Drop repeated consecutive points that clipping along a window edge leaves.
    cleaned: Ring = []
    for p in output:
        # Not rounded: a vertex on the street's edge rounded outward would no longer be inside it.
        if not cleaned or not _same(cleaned[-1], p):
            cleaned.append(p)
    if len(cleaned) > 1 and _same(cleaned[0], cleaned[-1]):
        cleaned.pop()
    return [*cleaned, cleaned[0]] if len(cleaned) >= 3 else []


def _same(p: Point, q: Point) -> bool:
    return abs(p[0] - q[0]) < _EPS and abs(p[1] - q[1]) < _EPS


def _line_point(p: Point, q: Point, a: Point, b: Point) -> Point:
    """Where segment pq meets the line through ab."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    ex, ey = b[0] - a[0], b[1] - a[1]
    denominator = dx * ey - dy * ex
    if abs(denominator) < _EPS:
        return q
    t = ((a[0] - p[0]) * ey - (a[1] - p[1]) * ex) / denominator
    return p[0] + t * dx, p[1] + t * dy


def square_cells(outer: Sequence[Point], side_m: float) -> list[Ring]:
    """Cells of `side_m` × `side_m` metres over the polygon's bounding box, each cut to the polygon; cells that
    fall outside are left out. Rows run south to north, columns west to east."""
    west, south, east, north = bbox(outer)
    lat0 = (south + north) / 2
    dlat = math.degrees(side_m / EARTH_RADIUS_M)
    dlng = math.degrees(side_m / (EARTH_RADIUS_M * math.cos(math.radians(lat0))))
    cells: list[Ring] = []
    rows = max(1, math.ceil((north - south) / dlat - 1e-9))
    cols = max(1, math.ceil((east - west) / dlng - 1e-9))
    for r in range(rows):
        for c in range(cols):
            x0, y0 = west + c * dlng, south + r * dlat
            square = [(x0, y0), (x0 + dlng, y0), (x0 + dlng, y0 + dlat), (x0, y0 + dlat), (x0, y0)]
            # The subject is the street, the window the (convex) square.
            piece = clip(list(outer), square)
            if piece and area_m2(piece) >= 1.0:
                cells.append(piece)
    return cells


def as_geometry(ring: Sequence[Point]) -> dict:
    return {"type": "Polygon", "coordinates": [[[p[0], p[1]] for p in ring]]}
