"""Boundary import into the store (all-or-nothing) and the layer the map draws."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from dashboard import audit
from dashboard.auth import SYSTEM, Forbidden, Principal, Role
from dashboard.geo import layers
from dashboard.geo.boundaries import BoundaryError
from dashboard.store.models.core import BoundaryLayer
from tests.support.helpers import REPO_ROOT, shared_file

SQUARE = [[[105.9, 20.5], [106.0, 20.5], [106.0, 20.6], [105.9, 20.6], [105.9, 20.5]]]
BOW_TIE = [[[105.9, 20.5], [106.0, 20.6], [106.0, 20.5], [105.9, 20.6], [105.9, 20.5]]]


def feature(code, coordinates=SQUARE, **properties):
    return {
        "type": "Feature",
        "properties": {"commune_code": code, **properties},
        "geometry": {"type": "Polygon", "coordinates": coordinates},
    }


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, dict):
        content = json.dumps(content)
    path.write_text(content, encoding="utf-8")
    return path


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def stored_state(ctx):
    """Rows, audit entries and folders that an import would add."""
    with ctx.sessions() as session:
        rows = session.scalar(select(func.count()).select_from(BoundaryLayer))
        audits = len(audit.entries(session, SYSTEM, object_type="boundary_layer"))
    folders = sorted(p.name for p in ctx.settings.boundaries_dir.glob("*"))
    return rows, audits, folders


BROKEN = [
    ("bad.geojson", '{"type": "FeatureCollection", "features": [', "not valid GeoJSON"),
    (
        "nocode.geojson",
        collection({**feature("13003"), "properties": {"ten": "x"}}),
        "code column",
    ),
    ("unknown.geojson", collection(feature("99999")), "unknown commune code"),
    ("invalid.geojson", collection(feature("13003", BOW_TIE)), "invalid"),
    ("dup.geojson", collection(feature("13003"), feature("13003")), "duplicated"),
    (
        "metres.geojson",
        collection(
            feature(
                "13003",
                [
                    [
                        [600000, 2270000],
                        [610000, 2270000],
                        [610000, 2280000],
                        [600000, 2270000],
                    ]
                ],
            )
        ),
        "outside",
    ),
    ("empty.geojson", collection(), "empty"),
]


@pytest.mark.parametrize(
    ("name", "content", "message"), BROKEN, ids=[b[0] for b in BROKEN]
)
def test_broken_file_is_refused_and_nothing_changes(
    ctx, tmp_path, name, content, message
):
    good = write(tmp_path, "good.geojson", collection(feature("13003")))
    layers.import_boundaries(ctx, SYSTEM, good)
    before = stored_state(ctx)
    current = layers.current_layer(ctx)
    with pytest.raises(BoundaryError, match=message):
        layers.import_boundaries(ctx, SYSTEM, write(tmp_path, name, content))
    assert stored_state(ctx) == before
    assert layers.current_layer(ctx) == current


def test_only_admins_import(ctx, tmp_path):
    province = Principal("hy", Role.PROVINCE, province_codes=frozenset({"33"}))
    with pytest.raises(Forbidden):
        layers.import_boundaries(
            ctx, province, write(tmp_path, "a.geojson", collection(feature("13003")))
        )
    assert layers.current_layer(ctx).imported is False


def test_approximate_layer_until_an_import(ctx):
    layer = layers.current_layer(ctx)
    assert layer.version == layers.APPROXIMATE_VERSION and not layer.imported
    geometries = layers.commune_geometries(ctx, layer)
    assert len(geometries) == 3321 and geometries["approximate"].all()
    text, _ = layers.layer_geojson(geometries, province_code="33")
    flags = {f["properties"]["a"] for f in json.loads(text)["features"]}
    assert flags == {1}  # drawn dashed: "not a real boundary"


def test_partial_import_updates_only_its_communes(ctx, tmp_path):
    layers.import_boundaries(
        ctx, SYSTEM, write(tmp_path, "a.geojson", collection(feature("13003")))
    )
    moved = [[[c[0] + 0.01, c[1]] for c in SQUARE[0]]]
    result = layers.import_boundaries(
        ctx, SYSTEM, write(tmp_path, "b.geojson", collection(feature("12862", moved)))
    )
    assert result.report.n_matched == 1
    assert result.layer.n_matched == 2  # 13003 kept from the first file
    geometries = layers.commune_geometries(ctx, result.layer).set_index("commune_code")
    assert not geometries.loc["13003", "approximate"]
    assert not geometries.loc["12862", "approximate"]
    assert geometries.loc["20920", "approximate"]


def test_import_is_audited(ctx, tmp_path):
    layers.import_boundaries(
        ctx, SYSTEM, write(tmp_path, "a.geojson", collection(feature("13003")))
    )
    with ctx.sessions() as session:
        rows = audit.entries(session, SYSTEM, object_type="boundary_layer")
    assert len(rows) == 1 and rows[0].action == "import"
    assert json.loads(rows[0].new_value)["n_matched"] == 1


def test_malicious_name_in_a_file_stays_data(ctx, tmp_path):
    evil = "<img src=x onerror=alert(1)>"
    path = write(
        tmp_path, "evil.geojson", collection(feature("13003", commune_name=evil))
    )
    result = layers.import_boundaries(ctx, SYSTEM, path)
    text, _ = layers.layer_geojson(
        layers.commune_geometries(ctx, result.layer), province_code="33"
    )
    assert "<img" not in text
    # Names shown on the map are the registry's, joined on the code.
    names = {
        f["properties"]["c"]: f["properties"]["n"] for f in json.loads(text)["features"]
    }
    assert names["13003"] == "Xã Đồng Châu"


@pytest.mark.shared_data
def test_real_national_file_through_the_command_line(tmp_path):
    source = shared_file("boundaries", "vn_communes_2025_simplified.geojson")
    env = {"DASHBOARD_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "boundaries", "import", str(source)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "3,321 communes matched in 34 provinces" in done.stdout
    assert (tmp_path / "data" / "boundaries" / "v1" / layers.DISPLAY_FILE).exists()


def test_command_line_refuses_a_broken_file(tmp_path):
    env = {"DASHBOARD_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    broken = write(tmp_path, "x.geojson", collection(feature("99999")))
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "boundaries", "import", str(broken)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert done.returncode == 1
    assert "unknown commune code" in done.stderr and "99999" in done.stderr
    assert "nothing was changed" in done.stderr
