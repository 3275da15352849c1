"""Coordinate conversion between WGS-84, GCJ-02 and BD-09, plus coordinate validators.

GCJ-02 is the obfuscated datum mandated for maps published in mainland China (AMap/Gaode, Tencent);
BD-09 is Baidu's further offset of GCJ-02. All functions take and return ``(lng, lat)`` in degrees,
matching the order used by those map SDKs.
"""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "haversine_m",
    "out_of_china",
    "validate_lat",
    "validate_lng",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

# Krasovsky 1940 ellipsoid parameters used by the GCJ-02 offset formula.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
# IUGG mean Earth radius; good to ~0.5% anywhere, which is plenty for "distance to building" uses.
_EARTH_RADIUS_M = 6371008.8

# Iterative inverses stop once the forward image is within this many degrees (~1 mm) of the target.
_INVERSE_TOL_DEG = 1e-8
_INVERSE_MAX_ITER = 30


def out_of_china(lng: float, lat: float) -> bool:
    """Rough bounding box outside which GCJ-02 is defined to equal WGS-84."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj02_offset(lng: float, lat: float) -> tuple[float, float]:
    """(dlng, dlat) in degrees that GCJ-02 adds to a WGS-84 point."""
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlng, dlat


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    dlng, dlat = _gcj02_offset(lng, lat)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """Inverse of ``wgs84_to_gcj02`` by fixed-point iteration (millimetre-level, not the ~1-2 m
    error of the common one-step ``2*p - f(p)`` approximation)."""
    if out_of_china(lng, lat):
        return lng, lat
    # The offset varies slowly (|df/dp - I| << 1), so p <- p - (f(p) - target) converges fast.
    w_lng, w_lat = lng, lat
    for _i in range(_INVERSE_MAX_ITER):
        g_lng, g_lat = wgs84_to_gcj02(w_lng, w_lat)
        err_lng, err_lat = g_lng - lng, g_lat - lat
        if abs(err_lng) < _INVERSE_TOL_DEG and abs(err_lat) < _INVERSE_TOL_DEG:
            break
        w_lng -= err_lng
        w_lat -= err_lat
    return w_lng, w_lat


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """Inverse of ``gcj02_to_bd09``: Baidu's closed-form approximation refined by iteration."""
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    g_lng, g_lat = z * math.cos(theta), z * math.sin(theta)
    # The closed form is only good to a few decimetres; a couple of correction steps make it exact.
    for _i in range(_INVERSE_MAX_ITER):
        b_lng, b_lat = gcj02_to_bd09(g_lng, g_lat)
        err_lng, err_lat = b_lng - lng, b_lat - lat
        if abs(err_lng) < _INVERSE_TOL_DEG and abs(err_lat) < _INVERSE_TOL_DEG:
            break
        g_lng -= err_lng
        g_lat -= err_lat
    return g_lng, g_lat


def wgs84_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres on a spherical Earth."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    # min() guards against h drifting a hair above 1 for antipodal points.
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def _as_finite_float(value: object) -> float | None:
    if isinstance(value, bool):  # bool is an int subclass but never a sensible coordinate
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def validate_lat(value: object) -> None:
    """Django validator: latitude in degrees, -90..90 inclusive."""
    number = _as_finite_float(value)
    if number is None:
        raise ValidationError(_("纬度必须是数字：%(value)s"), code="lat_invalid", params={"value": value})
    if not -90.0 <= number <= 90.0:
        raise ValidationError(
            _("纬度应在 -90 到 90 之间：%(value)s"), code="lat_range", params={"value": value}
        )


def validate_lng(value: object) -> None:
    """Django validator: longitude in degrees, -180..180 inclusive."""
    number = _as_finite_float(value)
    if number is None:
        raise ValidationError(_("经度必须是数字：%(value)s"), code="lng_invalid", params={"value": value})
    if not -180.0 <= number <= 180.0:
        raise ValidationError(
            _("经度应在 -180 到 180 之间：%(value)s"), code="lng_range", params={"value": value}
        )
