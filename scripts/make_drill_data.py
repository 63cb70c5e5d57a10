"""Re-encode the Wipha 2025 IBTrACS rows as the embedded drill (data/drills/).

IBTrACS is a NOAA/NCEI product in the public domain; we keep only the columns
the drill needs. Run from the checkout with ../shared beside it:

    .venv/bin/python scripts/make_drill_data.py
"""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = (
    ROOT.parent / "shared/data/storms/ibtracs/ibtracs_v04r01_vietnam_storms_compact.csv"
)
TARGET = ROOT / "data/drills/wipha_2025_ibtracs.csv"
SID = "2025197N14131"
QUADRANTS = ("NE", "SE", "SW", "NW")
COLUMNS = [
    "SID",
    "SEASON",
    "BASIN",
    "NAME",
    "ISO_TIME",
    "NATURE",
    "TRACK_TYPE",
    "LAT",
    "LON",
    "WMO_WIND",
    "WMO_PRES",
    "DIST2LAND",
    "LANDFALL",
    "USA_ATCF_ID",
    "USA_STATUS",
    "USA_WIND",
    "USA_PRES",
    *(f"USA_R{kt}_{q}" for kt in (34, 50, 64) for q in QUADRANTS),
    "USA_RMW",
    "TOKYO_WIND",
    "TOKYO_PRES",
    "STORM_SPEED",
    "STORM_DIR",
]


def main() -> None:
    with SOURCE.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        units = next(reader)
        rows = [r for r in reader if r["SID"] == SID]
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with TARGET.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerow(units)
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
