"""Latitude/longitude -> the KMA forecast grid (nx, ny): the KMA's published LCC DFS conversion.

The short-term forecast is asked by grid cell, not by place. The formula and its constants are the
ones the kma pack documents (`knowledge/packs/kma/grid.md`, "Conversion"): Lambert conformal conic,
earth radius 6371.00877 km, 5 km cells, standard parallels 30/60 N, origin 126 E / 38 N at cell
(43, 136). It is pure arithmetic, so a place's grid is the same on every machine.
"""

from __future__ import annotations

import math
from typing import Final

_EARTH_KM: Final = 6371.00877
_CELL_KM: Final = 5.0
_PARALLEL_1: Final = 30.0
_PARALLEL_2: Final = 60.0
_ORIGIN_LON: Final = 126.0
_ORIGIN_LAT: Final = 38.0
_ORIGIN_X: Final = 43
_ORIGIN_Y: Final = 136


def latlon_to_grid(lat: float, lon: float) -> tuple[int, int]:
    """The KMA grid cell (nx, ny) holding the point `lat`, `lon` (WGS84 degrees)."""
    rad = math.pi / 180.0
    re = _EARTH_KM / _CELL_KM
    slat1, slat2 = _PARALLEL_1 * rad, _PARALLEL_2 * rad
    olon, olat = _ORIGIN_LON * rad, _ORIGIN_LAT * rad
    sn = math.log(math.cos(slat1) / math.cos(slat2)) / math.log(
        math.tan(math.pi * 0.25 + slat2 * 0.5) / math.tan(math.pi * 0.25 + slat1 * 0.5)
    )
    sf = math.tan(math.pi * 0.25 + slat1 * 0.5) ** sn * math.cos(slat1) / sn
    ro = re * sf / math.tan(math.pi * 0.25 + olat * 0.5) ** sn
    ra = re * sf / math.tan(math.pi * 0.25 + lat * rad * 0.5) ** sn
    theta = lon * rad - olon
    if theta > math.pi:
        theta -= 2.0 * math.pi
    if theta < -math.pi:
        theta += 2.0 * math.pi
    theta *= sn
    nx = math.floor(ra * math.sin(theta) + _ORIGIN_X + 0.5)
    ny = math.floor(ro - ra * math.cos(theta) + _ORIGIN_Y + 0.5)
    return nx, ny
