"""Commune boundary geometry: import and checks, display layers, approximations.

Pure functions on GeoDataFrames; no Streamlit and no database here.

* :mod:`dashboard.geo.boundaries` reads a boundary file and checks it against
  the commune registry.
* :mod:`dashboard.geo.display` simplifies boundaries into a light map layer and
  serialises it to compact GeoJSON.
* :mod:`dashboard.geo.approximate` builds stand-in commune areas from the
  registry points until real boundaries are imported.
"""

from __future__ import annotations

WGS84 = "EPSG:4326"

#: Albers equal-area for Vietnam (as used for ``geom_area_km2`` in
#: ``../shared/data/boundaries/SOURCES.md``); units are metres.
ALBERS_VN = (
    "+proj=aea +lat_1=10 +lat_2=20 +lat_0=0 +lon_0=106 "
    "+x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
)
