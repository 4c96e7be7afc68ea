from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.clock import iso, parse_duration, parse_time

MOMENT = datetime(2022, 6, 20, 11, 12, 34, 989000, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        "2022-06-20T18:12:34.989+0700",  # Jira core: +HHMM, the user's zone
        "2022-06-20T21:12:34.989+10:00",  # Jira Agile: +HH:MM
        "2022-06-20T11:12:34.989Z",  # Linear / Agile Z
        "2022-06-20T06:12:34.989-0500",
        1655723554989,  # bulkfetch: epoch milliseconds
        "1655723554989",
    ],
)
def test_every_wire_form_is_the_same_instant(raw: str | int) -> None:
    assert parse_time(raw) == MOMENT
    parsed = parse_time(raw)
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


def test_naive_is_taken_as_utc_and_empty_is_none() -> None:
    assert parse_time(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_time(None) is None and parse_time("") is None


def test_garbage_raises() -> None:
    with pytest.raises(ValueError):
        parse_time("yesterday")


@given(
    st.datetimes(
        timezones=st.timezones(), min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)
    )
)
def test_iso_round_trips_at_second_precision(value: datetime) -> None:
    text = iso(value)
    assert text is not None and text.endswith("Z")
    assert parse_time(text) == value.astimezone(UTC).replace(microsecond=0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10m", timedelta(minutes=10)),
        ("3d", timedelta(days=3)),
        ("2h", timedelta(hours=2)),
        ("90s", timedelta(seconds=90)),
        ("1w", timedelta(weeks=1)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_bad_duration_says_how_to_write_one() -> None:
    with pytest.raises(ValueError, match=r"use e\.g\."):
        parse_duration("ten minutes")
