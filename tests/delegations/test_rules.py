"""Pure delegation rules: phone numbers, transitions, times, coverage warnings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.delegations.rules import (
    STATUSES,
    TRANSITIONS,
    DelegationError,
    ExposedCommune,
    LeaderWindow,
    Stop,
    check_times,
    check_transition,
    coverage_warnings,
    into_storm,
    leader_overlaps,
    normalise_phone,
    uncovered,
)

T0 = datetime(2025, 7, 20, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(+84) 38-123-4567", "0381234567"),
        ("0243 826 1234", "02438261234"),
        ("+84 24 3826 1234", "02438261234"),
    ],
)
def test_vietnamese_phone_numbers_are_normalised(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "091234567",  # 9 digits
        "09123456789",  # 11 digits, mobile
        "0112345678",  # no such mobile prefix
        "+1 212 555 0100",
        "0912-ABC-678",
        "0043826123",
    ],
)
def test_other_numbers_are_refused_naming_the_field(raw):
    with pytest.raises(DelegationError) as caught:
        normalise_phone(raw, "member 3 phone")
    assert caught.value.code == "bad_phone"
    assert str(caught.value).startswith("member 3 phone:")


ALLOWED = {
    ("planned", "en_route"),
    ("planned", "on_site"),
    ("planned", "cancelled"),
    ("en_route", "on_site"),
    ("en_route", "cancelled"),
    ("on_site", "returned"),
}


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_transition_table(current, new):
    if (current, new) in ALLOWED:
        check_transition(current, new)
        assert new in TRANSITIONS[current]
        return
    with pytest.raises(DelegationError) as caught:
        check_transition(current, new)
    assert caught.value.code == "bad_transition"


def test_unknown_status_is_refused():
    with pytest.raises(DelegationError, match="unknown status"):
        check_transition("planned", "lost")


@pytest.mark.parametrize(
    ("departure", "arrival", "ret", "stops", "code"),
    [
        (T0, T0 + H, None, [], None),
        (T0, T0 + H, T0 + H, [("13003", T0 + 2 * H)], None),
        (T0 + H, T0, None, [], "departure_after_arrival"),
        (T0, T0, None, [], "departure_after_arrival"),
        (T0, T0 + 2 * H, T0 + H, [], "return_before_arrival"),
        (T0, T0 + H, None, [("13003", T0 - H)], "stop_before_departure"),
        (T0.replace(tzinfo=None), T0 + H, None, [], "naive_time"),
    ],
)
def test_times(departure, arrival, ret, stops, code):
    if code is None:
        check_times(departure, arrival, ret, stops)
        return
    with pytest.raises(DelegationError) as caught:
        check_times(departure, arrival, ret, stops)
    assert caught.value.code == code


EXPOSED = [
    ExposedCommune("13003", 4, T0 + 10 * H, "Xã Đồng Châu"),
    ExposedCommune("13159", 3, T0 + 5 * H, "Xã Hồng Vũ"),
    ExposedCommune("11953", 2, None, "Phường Phố Hiến"),
]


@pytest.mark.parametrize(
    ("min_risk", "stops", "expected"),
    [
        (3, [], ["13003", "13159"]),
        (4, [], ["13003"]),
        (2, [], ["13003", "13159", "11953"]),
        (5, [], []),
        (3, [Stop(1, "A", "13003", T0)], ["13159"]),
        (3, [Stop(1, "A", "13003", T0, "returned")], ["13159"]),
        (3, [Stop(1, "A", "13003", T0, "cancelled")], ["13003", "13159"]),
    ],
)
def test_uncovered(min_risk, stops, expected):
    warnings = uncovered(EXPOSED, stops, min_risk)
    assert [w.commune_code for w in warnings] == expected
    for w in warnings:
        assert w.kind == "uncovered" and "no delegation" in w.reason
        assert w.params["min_risk"] == min_risk


@pytest.mark.parametrize(
    ("arrival", "status", "warned"),
    [
        (T0 + 4 * H, "planned", False),
        (T0 + 5 * H, "planned", False),  # arriving as the wind arrives: not later
        (T0 + 6 * H, "planned", True),
        (T0 + 6 * H, "en_route", True),
        (T0 + 6 * H, "on_site", True),
        (T0 + 6 * H, "cancelled", False),
        (T0 + 6 * H, "returned", False),
        (None, "planned", False),
    ],
)
def test_into_storm(arrival, status, warned):
    etas = {c.commune_code: c.level6_eta_utc for c in EXPOSED}
    warnings = into_storm([Stop(7, "Đoàn 7", "13159", arrival, status)], etas)
    assert bool(warnings) is warned
    if warned:
        (w,) = warnings
        assert w.kind == "into_storm" and w.delegation_ids == (7,)
        assert "after level-6 winds arrive" in w.reason and "1 h" in w.reason


def test_into_storm_ignores_communes_without_level6_eta():
    assert into_storm([Stop(1, "A", "11953", T0 + 100 * H)], {"11953": None}) == []


def window(id_, leader, start, end, status="planned"):
    return LeaderWindow(
        id_, f"Đoàn {id_}", leader, T0 + start * H, T0 + end * H, status
    )


@pytest.mark.parametrize(
    ("windows", "pairs"),
    [
        ([window(1, "lan", 0, 4), window(2, "lan", 3, 6)], [(1, 2)]),
        ([window(1, "lan", 0, 4), window(2, "lan", 4, 6)], []),  # touching only
        ([window(1, "lan", 0, 4), window(2, "binh", 1, 3)], []),
        ([window(1, "lan", 0, 10), window(2, "lan", 2, 3)], [(1, 2)]),
        ([window(1, "lan", 0, 4), window(2, "lan", 1, 3, "cancelled")], []),
        ([window(1, "lan", 0, 4, "returned"), window(2, "lan", 1, 3)], []),
        (
            [window(1, "lan", 0, 4), window(2, "lan", 1, 5), window(3, "lan", 2, 6)],
            [(1, 2), (1, 3), (2, 3)],
        ),
    ],
)
def test_leader_overlaps(windows, pairs):
    warnings = leader_overlaps(windows)
    assert [w.delegation_ids for w in warnings] == pairs
    assert all("at the same time" in w.reason for w in warnings)


def test_coverage_warnings_combine_every_rule():
    stops = [Stop(1, "Đoàn 1", "13159", T0 + 6 * H)]
    windows = [window(1, "lan", 0, 6), window(2, "lan", 5, 8)]
    kinds = [w.kind for w in coverage_warnings(EXPOSED, stops, windows, 3)]
    assert kinds == ["uncovered", "into_storm", "leader_overlap"]


@pytest.mark.parametrize(
    ("delegations", "expected"),
    [
        ([], {}),
        ([("planned", ["13003"])], {"13003": "planned"}),
        ([("cancelled", ["13003"])], {}),
        ([("planned", ["13003"]), ("on_site", ["13003"])], {"13003": "on_site"}),
        ([("on_site", ["13003"]), ("returned", ["13003"])], {"13003": "on_site"}),
        (
            [("en_route", ["13003", "12862"]), ("returned", ["12862"])],
            {"13003": "en_route", "12862": "en_route"},
        ),
        ([("returned", ["12862"])], {"12862": "returned"}),
    ],
)
def test_presence_by_commune(delegations, expected):
    from dashboard.delegations.rules import presence_by_commune

    assert presence_by_commune(delegations) == expected
