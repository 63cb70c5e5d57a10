"""Guessing a commune's profile from geography (a proposal staff can change).

Profiles decide which template tasks a commune gets: ``coastal``,
``riverine`` (lowland), ``mountain``, ``urban``, ``island``. The rules:

* **island** — the commune is a *đặc khu* (special zone: the 13 island
  districts). Always also coastal.
* **urban** — the commune is a *phường* (ward).
* **coastal** — "the commune touches the sea", decided from points because
  the app has no coastline layer: the commune lies in a province with a sea
  coast (:data:`SEA_BEARINGS`, 22 of the 34 provinces, each with the compass
  direction(s) its sea lies in) *and* no other commune's point lies seaward
  of it: within ±45° of a sea bearing and closer than
  ``1.5 × (r_a + r_b) + 2 km``, where ``r = √(area/π)`` is each commune's
  equivalent radius. In words: nothing Vietnamese lies between the commune
  and the sea. Islands (*đặc khu*) do not count as blockers, so a coast
  facing an island district stays coastal. With imported boundaries the
  points are the polygons' representative points and the radii come from the
  registry areas, so the same rule applies; it does not read the polygons'
  shared edges.
* **mountain** — a *xã* that is not coastal, with an official area of at
  least :data:`MOUNTAIN_MIN_AREA_KM2` km², north of
  :data:`MOUNTAIN_MIN_LAT` (outside the Mekong delta and the south-eastern
  plain), and never in the all-flat provinces of :data:`LOWLAND_PROVINCES`.
  Merged mountain communes are large (sparse population over slopes);
  lowland ones rarely exceed 100 km².
* **riverine** — every other *xã* (lowland, including coastal lowland).

Limits, honestly: the coastal rule can miss a commune on a deep bay or an
estuary whose seaward side is another commune's point (false negative), and
can flag a commune at the landward end of a coastal province whose "sea
bearing" side is a land border (none known among the 22 provinces' bearings,
but not checked against a coastline). The mountain rule mislabels large
lowland communes north of 11° N (e.g. some merged plain communes) and small
mountain communes; it knows nothing of elevation or slope. Staff should
review the proposed profiles before activating.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import registry
from dashboard.context import AppContext
from dashboard.geo import layers
from dashboard.situation.table import layer_points

#: Coastal provinces (2025 codes) → compass bearings (degrees from north)
#: towards their sea.
SEA_BEARINGS: dict[str, tuple[float, ...]] = {
    "22": (135.0, 180.0),  # Quảng Ninh: Gulf of Tonkin to the south and east
    "31": (120.0,),  # Hải Phòng
    "33": (110.0,),  # Hưng Yên (former Thái Bình coast)
    "37": (135.0,),  # Ninh Bình (former Nam Định coast)
    "38": (100.0,),  # Thanh Hóa
    "40": (90.0,),  # Nghệ An
    "42": (60.0,),  # Hà Tĩnh
    "44": (60.0,),  # Quảng Trị
    "46": (45.0,),  # Huế
    "48": (60.0,),  # Đà Nẵng
    "51": (80.0,),  # Quảng Ngãi
    "52": (90.0,),  # Gia Lai (former Bình Định coast)
    "66": (90.0,),  # Đắk Lắk (former Phú Yên coast)
    "56": (100.0,),  # Khánh Hòa
    "68": (140.0,),  # Lâm Đồng (former Bình Thuận coast)
    "79": (160.0,),  # Hồ Chí Minh (former Bà Rịa - Vũng Tàu coast)
    "80": (135.0,),  # Tây Ninh (former Long An coast)
    "82": (100.0,),  # Đồng Tháp (former Tiền Giang coast)
    "86": (130.0,),  # Vĩnh Long (former Bến Tre, Trà Vinh coast)
    "92": (130.0,),  # Cần Thơ (former Sóc Trăng coast)
    "96": (90.0, 180.0, 270.0),  # Cà Mau: sea on three sides
    "91": (240.0,),  # An Giang (former Kiên Giang coast, Gulf of Thailand)
}
SECTOR_HALF_WIDTH_DEG = 45.0
MOUNTAIN_MIN_AREA_KM2 = 100.0
MOUNTAIN_MIN_LAT = 11.0
#: Provinces with no hills at all (Red River delta): never mountain.
LOWLAND_PROVINCES = frozenset({"33"})
EARTH_RADIUS_KM = 6371.0088


def _bearing_and_distance(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Initial bearing (degrees) and haversine distance (km), broadcast."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    bearing = (np.degrees(np.arctan2(y, x)) + 360.0) % 360.0
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return bearing, distance


def coastal_mask(frame: pd.DataFrame) -> np.ndarray:
    """Which rows are coastal (see the module docstring).

    *frame* has ``commune_code, commune_type, province_code, lat, lon,
    area_km2`` for every commune that may block the view to the sea (give the
    whole country, not one province).
    """
    lat = frame["lat"].to_numpy(float)
    lon = frame["lon"].to_numpy(float)
    radius = np.sqrt(np.clip(frame["area_km2"].to_numpy(float), 0.01, None) / np.pi)
    island = (frame["commune_type"] == "đặc khu").to_numpy()
    result = island.copy()
    provinces = frame["province_code"].to_numpy()
    for code, bearings in SEA_BEARINGS.items():
        rows = np.flatnonzero((provinces == code) & ~island)
        if rows.size == 0:
            continue
        bearing, dist = _bearing_and_distance(
            lat[rows, None], lon[rows, None], lat[None, :], lon[None, :]
        )
        near = dist < 1.5 * (radius[rows, None] + radius[None, :]) + 2.0
        near &= ~island[None, :]
        near[np.arange(rows.size), rows] = False
        blocked_everywhere = np.ones(rows.size, bool)
        for sea in bearings:
            off = np.abs((bearing - sea + 180.0) % 360.0 - 180.0)
            blocked = (near & (off <= SECTOR_HALF_WIDTH_DEG)).any(axis=1)
            blocked_everywhere &= blocked
        result[rows] = ~blocked_everywhere
    return result


def guess_profiles(points: pd.DataFrame | None = None) -> dict[str, frozenset[str]]:
    """Commune code → guessed profiles, for every commune.

    Parameters
    ----------
    points
        ``commune_code, lat, lon`` (e.g. representative points of imported
        polygons, :func:`dashboard.situation.commune_points`); default the
        registry points.
    """
    frame = registry.communes()[
        ["commune_code", "commune_type", "province_code", "lat", "lon", "area_km2"]
    ].copy()
    if points is not None:
        located = points.set_index("commune_code")[["lat", "lon"]]
        frame = frame.set_index("commune_code")
        hit = frame.index.intersection(located.index)
        frame.loc[hit, ["lat", "lon"]] = located.loc[hit, ["lat", "lon"]]
        frame = frame.reset_index()
    coastal = coastal_mask(frame)
    out: dict[str, frozenset[str]] = {}
    for i, row in enumerate(frame.itertuples(index=False)):
        profiles: set[str] = set()
        if coastal[i]:
            profiles.add("coastal")
        if row.commune_type == "đặc khu":
            profiles.add("island")
        elif row.commune_type == "phường":
            profiles.add("urban")
        elif (
            not coastal[i]
            and row.area_km2 >= MOUNTAIN_MIN_AREA_KM2
            and row.lat >= MOUNTAIN_MIN_LAT
            and row.province_code not in LOWLAND_PROVINCES
        ):
            profiles.add("mountain")
        else:
            profiles.add("riverine")
        out[row.commune_code] = frozenset(profiles)
    return out


#: Profiles of the last boundary layers, by layer version.
_LAYER_PROFILES: dict[str, dict[str, frozenset[str]]] = {}


def layer_profiles(ctx: AppContext) -> dict[str, frozenset[str]]:
    """:func:`guess_profiles` for the current boundary layer, once per layer
    version in this process (do not mutate it)."""
    version = layers.current_layer(ctx).version
    found = _LAYER_PROFILES.get(version)
    if found is None:
        found = guess_profiles(layer_points(ctx))
        if len(_LAYER_PROFILES) >= 4:
            _LAYER_PROFILES.pop(next(iter(_LAYER_PROFILES)))
        _LAYER_PROFILES[version] = found
    return found
