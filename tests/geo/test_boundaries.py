"""Reading boundary files and reconciling them with the registry (tiny fixtures)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from dashboard import registry
from dashboard.geo.boundaries import (
    BoundaryError,
    ReconciliationReport,
    find_code_column,
    load,
    normalise_codes,
    read_boundary_file,
    repair_invalid,
    validate,
)
from tests.geo.builders import (
    CODES,
    bow_tie,
    collection,
    feature,
    good_features,
    point,
    square,
    write,
)

XSS_NAME = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def registry_frame() -> pd.DataFrame:
    return registry.communes()


def _metres_ring() -> list[list[float]]:
    """Ba Đình's square in VN-2000 / UTM 48N metres (EPSG:3405)."""
    to_utm = Transformer.from_crs(4326, 3405, always_xy=True)
    lon, lat = point("00004")
    x, y = to_utm.transform(lon, lat)
    return square(x, y, half=400.0)


# --------------------------------------------------------------------------
# Refused files: each message names the problem
# --------------------------------------------------------------------------

REFUSED_TEXTS = [
    pytest.param(
        '{"type": "FeatureCollection", "features": [',
        r"not valid GeoJSON",
        id="truncated-json",
    ),
    pytest.param("hello, not json", r"not valid GeoJSON", id="not-json"),
    pytest.param(
        collection([]), r"the file is empty: it has no features", id="no-features"
    ),
    pytest.param(
        collection([feature({"name": "x", "dien_tich": 3.2}, square(105.8, 21.0))]),
        r"no commune code column.*columns found: 'name', 'dien_tich'",
        id="no-code-column",
    ),
    pytest.param(
        collection(
            [*good_features(), feature({"commune_code": "99999"}, square(106, 21))]
        ),
        r"1 unknown commune code .*: 99999",
        id="unknown-code",
    ),
    pytest.param(
        collection([feature({"commune_code": "00004"}, bow_tie(*point("00004")))]),
        r"1 invalid geometry .*00004 \(Self-intersection",
        id="bow-tie",
    ),
    pytest.param(
        collection([*good_features(), *good_features(("00025",))]),
        r"1 duplicated commune code: 00025",
        id="duplicate-code",
    ),
    pytest.param(
        collection([feature({"commune_code": "00004"}, square(105.8, 21.0), "Point")]),
        r"non-polygon geometry .*00004 \(Point\)",
        id="point",
    ),
    pytest.param(
        collection(
            [feature({"commune_code": "00004"}, square(105.8, 21.0), "LineString")]
        ),
        r"non-polygon geometry .*00004 \(LineString\)",
        id="line",
    ),
    pytest.param(
        collection([feature({"commune_code": "00004"}, None)]),
        r"1 feature without a geometry: 00004",
        id="null-geometry",
    ),
    pytest.param(
        collection([feature({"commune_code": None}, square(105.8, 21.0))]),
        r"1 feature without a commune code \(rows 1\)",
        id="null-code",
    ),
    pytest.param(
        collection([feature({"commune_code": "00004"}, _metres_ring())]),
        r"outside Vietnam.*00004.*CRS\) is probably wrong or missing.*EPSG:4326",
        id="metres-without-crs",
    ),
    pytest.param(
        collection(
            [feature({"commune_code": "00004"}, _metres_ring())],
            crs="urn:ogc:def:crs:OGC:1.3:CRS84",
        ),
        r"outside Vietnam.*probably wrong",
        id="metres-labelled-crs84",
    ),
    pytest.param(
        collection(
            [feature({"commune_code": "00004"}, square(-0.1, 51.5))]  # London
        ),
        r"outside Vietnam.*extent is \[-0\.104",
        id="outside-vietnam",
    ),
]


@pytest.mark.parametrize(("text", "message"), REFUSED_TEXTS)
def test_refused_geojson_names_the_problem(tmp_path, registry_frame, text, message):
    path = write(tmp_path, text)
    with pytest.raises(BoundaryError, match=message):
        load(path, registry_frame)


def test_every_problem_is_listed_at_once(tmp_path, registry_frame):
    features = [
        *good_features(("00004", "00004")),
        feature({"commune_code": "99998"}, square(106, 21)),
        feature({"commune_code": "00025"}, bow_tie(*point("00025"))),
    ]
    path = write(tmp_path, collection(features))
    with pytest.raises(BoundaryError) as caught:
        load(path, registry_frame)
    message = str(caught.value)
    assert message.startswith("boundary file refused, 3 problems")
    assert "duplicated commune code: 00004" in message
    assert "unknown commune code" in message and "99998" in message
    assert "invalid geometry" in message and "00025" in message


def test_unknown_codes_listing_is_capped(tmp_path, registry_frame):
    codes = [f"9{i:04d}" for i in range(13)]
    features = [feature({"commune_code": c}, square(106, 21)) for c in codes]
    with pytest.raises(BoundaryError) as caught:
        load(write(tmp_path, collection(features)), registry_frame)
    message = str(caught.value)
    assert "13 unknown commune codes" in message
    assert "90009 and 3 more" in message
    assert "90010" not in message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("communes.kml", "<kml/>", r"unsupported file type '\.kml'"),
        ("communes.zip", "not a zip", r"not a valid zip archive"),
        ("communes.gpkg", "not sqlite", r"not a valid GeoPackage"),
    ],
)
def test_unreadable_files_are_refused(tmp_path, name, content, message):
    path = write(tmp_path, content, name)
    with pytest.raises(BoundaryError, match=message):
        read_boundary_file(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(BoundaryError, match="no such file"):
        read_boundary_file(tmp_path / "absent.geojson")


def test_boundary_error_is_a_value_error():
    assert issubclass(BoundaryError, ValueError)


# --------------------------------------------------------------------------
# Accepted files
# --------------------------------------------------------------------------


def test_small_geojson_is_accepted_as_partial(tmp_path, registry_frame):
    path = write(tmp_path, collection(good_features()))
    frame, report = load(path, registry_frame)
    assert list(frame["commune_code"]) == list(CODES)
    assert frame.crs == "EPSG:4326"
    assert report.n_features == 4
    assert report.n_matched == 4
    assert report.n_provinces == 2
    assert report.province_codes == ("01", "33")
    assert len(report.missing_codes) == 3321 - 4
    assert "00004" not in report.missing_codes
    assert not report.is_complete
    assert report.code_column == "commune_code"
    assert report.source_crs == "EPSG:4326"
    summary = report.summary()
    assert "4 communes matched in 2 provinces" in summary
    assert "3,317 communes without a polygon (partial file)" in summary


@pytest.mark.parametrize(
    "column",
    [
        "commune_code",
        "ma_xa",
        "maXa",
        "MA_XA",
        "ma-xa",
        "ward_code",
        "wardCode",
        "code",
    ],
)
def test_code_column_aliases(tmp_path, registry_frame, column):
    features = [
        feature({column: c, "ten": "x"}, square(*point(c))) for c in ("00004", "00008")
    ]
    frame, report = load(write(tmp_path, collection(features)), registry_frame)
    assert report.code_column == column
    assert list(frame["commune_code"]) == ["00004", "00008"]
    assert column == "commune_code" or column not in frame.columns


def test_commune_code_outranks_a_generic_code_column():
    assert find_code_column(["code", "name", "commune_code"]) == "commune_code"
    assert find_code_column(["geometry", "MaXa"]) == "MaXa"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (4, "00004"),
        ("4", "00004"),
        (4.0, "00004"),
        (6978, "06978"),
        (" 06978 ", "06978"),
        ("20920", "20920"),
        ("123456", "123456"),
        ("abc", "abc"),
        (None, None),
        ("", None),
        (float("nan"), None),
    ],
)
def test_normalise_codes(raw, expected):
    assert normalise_codes(pd.Series([raw], dtype=object)).iloc[0] == expected


def test_integer_codes_are_zero_padded(tmp_path, registry_frame):
    features = [
        feature({"ma_xa": int(c)}, square(*point(c))) for c in ("00004", "12004")
    ]
    frame, report = load(write(tmp_path, collection(features)), registry_frame)
    assert list(frame["commune_code"]) == ["00004", "12004"]
    assert report.n_matched == 2


def test_declared_vn2000_utm_is_reprojected(tmp_path, registry_frame):
    text = collection(
        [feature({"commune_code": "00004"}, _metres_ring())],
        crs="urn:ogc:def:crs:EPSG::3405",
    )
    frame, report = load(write(tmp_path, text), registry_frame)
    assert report.source_crs == "EPSG:3405"
    centre = frame.geometry.iloc[0].centroid
    assert centre.x == pytest.approx(105.838, abs=1e-4)
    assert centre.y == pytest.approx(21.0386, abs=1e-4)


def test_xss_name_is_kept_verbatim(tmp_path, registry_frame):
    features = [
        feature(
            {"commune_code": "00004", "commune_name": XSS_NAME}, square(105.84, 21.04)
        )
    ]
    frame, _ = load(write(tmp_path, collection(features)), registry_frame)
    assert frame["commune_name"].iloc[0] == XSS_NAME


def test_unknown_codes_can_be_allowed(tmp_path, registry_frame):
    features = [*good_features(), feature({"commune_code": "99999"}, square(106, 21))]
    frame = read_boundary_file(write(tmp_path, collection(features)))
    report = validate(frame, registry_frame, allow_unknown=True)
    assert report.unknown_codes == ("99999",)
    assert report.n_matched == 4
    assert report.n_features == 5
    assert "1 unknown code ignored: 99999" in report.summary()


def test_validate_accepts_a_frame_that_was_not_read_from_a_file(registry_frame):
    frame = gpd.GeoDataFrame(
        {"maXa": [4, 8]},
        geometry=[shapely.Polygon(square(*point(c))) for c in ("00004", "00008")],
        crs="EPSG:4326",
    )
    report = validate(frame, registry_frame)
    assert report.code_column == "maXa"
    assert report.n_matched == 2


def test_progress_is_reported_in_order(tmp_path, registry_frame):
    calls: list[tuple[float, str]] = []
    load(
        write(tmp_path, collection(good_features())),
        registry_frame,
        progress=lambda f, m: calls.append((f, m)),
    )
    fractions = [f for f, _ in calls]
    assert len(calls) >= 8
    assert fractions[0] == 0.0
    assert fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert all(message for _, message in calls)
    assert "Reading boundaries.geojson" in calls[0][1]


def test_repair_invalid_fixes_a_bow_tie_explicitly(registry_frame):
    frame = gpd.GeoDataFrame(
        {"commune_code": ["00004", "00008"]},
        geometry=[
            shapely.Polygon(bow_tie(*point("00004"))),
            shapely.Polygon(square(*point("00008"))),
        ],
        crs="EPSG:4326",
    )
    with pytest.raises(BoundaryError, match="invalid geometry"):
        validate(frame, registry_frame)
    repaired, codes = repair_invalid(frame)
    assert codes == ["00004"]
    assert repaired.geometry.iloc[0].geom_type == "MultiPolygon"
    assert repaired.is_valid.all()
    assert repaired.geometry.iloc[1].equals(frame.geometry.iloc[1])
    assert validate(repaired, registry_frame).n_matched == 2


def test_report_summary_for_a_complete_file():
    report = ReconciliationReport(
        n_features=3321,
        n_matched=3321,
        n_provinces=34,
        unknown_codes=(),
        missing_codes=(),
        code_column="ma_xa",
        source_crs="EPSG:32648",
    )
    assert report.is_complete
    assert report.summary() == (
        "3,321 features read (EPSG:32648, codes from column 'ma_xa'). "
        "3,321 communes matched in 34 provinces. Every commune has a polygon."
    )


# --------------------------------------------------------------------------
# GeoPackage and zipped Shapefile
# --------------------------------------------------------------------------


def _squares_frame(codes: tuple[str, ...] = CODES) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"commune_code": list(codes), "commune_name": [f"C {c}" for c in codes]},
        geometry=[shapely.Polygon(square(*point(c))) for c in codes],
        crs="EPSG:4326",
    )


def test_geopackage_in_utm_48n_is_reprojected(tmp_path, registry_frame):
    original = _squares_frame()
    path = tmp_path / "communes.gpkg"
    original.to_crs("EPSG:32648").to_file(path, driver="GPKG", layer="xa")
    frame, report = load(path, registry_frame)
    assert report.source_crs == "EPSG:32648"
    assert report.n_matched == len(CODES)
    assert frame.crs == "EPSG:4326"
    for got, want in zip(frame.geometry, original.geometry, strict=True):
        assert np.allclose(
            shapely.get_coordinates(got), shapely.get_coordinates(want), atol=1e-7
        )


def test_geopackage_without_crs_is_refused(tmp_path):
    path = tmp_path / "nocrs.gpkg"
    frame = _squares_frame().set_crs(None, allow_override=True)
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        frame.to_file(path, driver="GPKG")
    with pytest.raises(BoundaryError, match="declares no coordinate reference system"):
        read_boundary_file(path)


def test_geopackage_with_several_polygon_layers_asks_which(tmp_path, registry_frame):
    path = tmp_path / "two.gpkg"
    _squares_frame().to_file(path, driver="GPKG", layer="xa")
    _squares_frame(("00004",)).to_file(path, driver="GPKG", layer="tinh")
    with pytest.raises(BoundaryError, match=r"several layers \(xa, tinh\)"):
        read_boundary_file(path)
    _, report = load(path, registry_frame, layer="tinh")
    assert report.n_matched == 1


def _zip_shapefile(
    tmp_path: Path, frame: gpd.GeoDataFrame, skip: tuple[str, ...] = ()
) -> Path:
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / "xa.shp", driver="ESRI Shapefile", encoding="utf-8")
    archive = tmp_path / "xa.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for part in sorted(folder.iterdir()):
            if part.suffix not in skip:
                out.write(part, f"data/{part.name}")
    return archive


def test_zipped_shapefile_is_read(tmp_path, registry_frame):
    source = _squares_frame().to_crs("EPSG:32648")
    source["ma_xa"] = source.pop("commune_code").astype(int)
    source = source.rename(columns={"commune_name": "ten_xa"})
    frame, report = load(_zip_shapefile(tmp_path, source), registry_frame)
    assert report.code_column == "ma_xa"
    assert report.source_crs == "EPSG:32648"
    assert list(frame["commune_code"]) == list(CODES)
    assert frame["ten_xa"].tolist() == [f"C {c}" for c in CODES]
    assert frame.total_bounds == pytest.approx(_squares_frame().total_bounds, abs=1e-7)


def test_shapefile_truncated_commune_code_column_is_found(tmp_path, registry_frame):
    # The shapefile driver cuts "commune_code" to "commune_co".
    frame = _squares_frame().drop(columns="commune_name")
    with (
        pytest.warns(UserWarning, match="truncated"),
        pytest.warns(RuntimeWarning, match="laundered"),
    ):
        archive = _zip_shapefile(tmp_path, frame)
    _, report = load(archive, registry_frame)
    assert report.code_column == "commune_co"
    assert report.n_matched == len(CODES)


@pytest.mark.parametrize(
    ("skip", "message"),
    [
        (
            (".prj",),
            r"has no \.prj file.*coordinate reference system \(CRS\) is unknown",
        ),
        ((".dbf",), r"incomplete: \.dbf missing"),
        ((".shx", ".dbf"), r"incomplete: \.shx, \.dbf missing"),
        ((".shp",), r"the zip holds no \.shp file"),
    ],
)
def test_incomplete_zipped_shapefile_is_refused(tmp_path, skip, message):
    frame = _squares_frame().rename(
        columns={"commune_code": "ma_xa", "commune_name": "ten_xa"}
    )
    with pytest.raises(BoundaryError, match=message):
        read_boundary_file(_zip_shapefile(tmp_path, frame, skip))
