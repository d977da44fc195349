"""An offline map of centers: an SVG drawn from a coarse outline of the country and the
centers' positions. No tiles, no internet, no script."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from oneroof.centers.models import Center

DEFAULT_OUTLINE = Path(__file__).resolve().parent / "outline.json"
WIDTH = 400.0


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    center: Center
    highlighted: bool


@dataclass(frozen=True)
class CenterMap:
    width: float
    height: float
    outline_paths: list[str]
    points: list[MapPoint]


@cache
def _outline(path: str) -> list[list[tuple[float, float]]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [[(float(lon), float(lat)) for lon, lat in poly] for poly in data["polygons"]]


def center_map(centers: list[Center], *, highlight: Center | None = None) -> CenterMap:
    outline = _outline(str(getattr(settings, "ONEROOF_MAP_OUTLINE", "") or DEFAULT_OUTLINE))
    coords = [(float(c.longitude), float(c.latitude)) for c in centers]
    lons = [p[0] for poly in outline for p in poly] + [p[0] for p in coords]
    lats = [p[1] for poly in outline for p in poly] + [p[1] for p in coords]
    min_lon, max_lon, min_lat, max_lat = min(lons), max(lons), min(lats), max(lats)
    pad_lon, pad_lat = (max_lon - min_lon) * 0.06 + 0.01, (max_lat - min_lat) * 0.06 + 0.01
    min_lon, max_lon, min_lat, max_lat = (
        min_lon - pad_lon,
        max_lon + pad_lon,
        min_lat - pad_lat,
        max_lat + pad_lat,
    )
    # Equirectangular, with longitude shrunk by cos(latitude) so shapes are not stretched.
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = WIDTH / ((max_lon - min_lon) * kx)
    height = (max_lat - min_lat) * scale

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - min_lon) * kx * scale, 1), round((max_lat - lat) * scale, 1)

    paths = []
    for poly in outline:
        pts = [project(lon, lat) for lon, lat in poly]
        paths.append("M" + " L".join(f"{x},{y}" for x, y in pts) + " Z")
    points = [
        MapPoint(
            *project(lon, lat), center=c, highlighted=highlight is not None and c.pk == highlight.pk
        )
        for c, (lon, lat) in zip(centers, coords, strict=True)
    ]
    return CenterMap(width=WIDTH, height=round(height, 1), outline_paths=paths, points=points)
