from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest

from dashboard.core.time import as_utc, to_vietnam_time, vietnam_midnight_utc


def test_to_vietnam_time() -> None:
    local = to_vietnam_time(datetime(2025, 7, 20, 17, 30, tzinfo=UTC))
    assert local.isoformat() == "2025-07-21T00:30:00+07:00"
    assert to_vietnam_time(pd.Timestamp("2025-07-20T17:30Z")).hour == 0
    assert to_vietnam_time(None) is None
    assert to_vietnam_time(pd.NaT) is None
    with pytest.raises(ValueError, match="timezone-aware"):
        to_vietnam_time(datetime(2025, 7, 20, 17, 30))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2025, 7, 20, 12), datetime(2025, 7, 20, 12, tzinfo=UTC)),
        (
            datetime(2025, 7, 20, 19, tzinfo=timezone(timedelta(hours=7))),
            datetime(2025, 7, 20, 12, tzinfo=UTC),
        ),
    ],
)
def test_as_utc_takes_naive_values_as_utc(value, expected) -> None:
    result = as_utc(value)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


def test_vietnam_midnight_is_17_utc_the_day_before() -> None:
    assert vietnam_midnight_utc(date(2025, 7, 21)) == datetime(
        2025, 7, 20, 17, tzinfo=UTC
    )
