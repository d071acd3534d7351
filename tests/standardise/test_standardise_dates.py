"""Dates come as dd/mm/yyyy, ISO, Excel serials or date cells, and all read as the same day."""

from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from tasks.standardise.dates import parse_date, parse_dates, parse_datetime, parse_datetimes
from tasks.standardise.mapping import ColumnSpec
from tasks.standardise.values import make_reader, read_column

DAYS = st.dates(min_value=date(1960, 1, 1), max_value=date(2100, 12, 31))


def test_the_forms_partners_use():
    expected = datetime(2019, 1, 1)
    for value in [
        "01/01/2019",
        "1/1/2019",
        "2019-01-01",
        "43466",
        43466,
        43466.0,
        date(2019, 1, 1),
        datetime(2019, 1, 1, 0, 0),
        "01-01-2019",
        "01.01.2019",
    ]:
        assert parse_date(value) == expected, value


def test_time_of_day_is_dropped_for_dates_and_kept_for_datetimes():
    assert parse_date("2019-03-04 17:45:00") == datetime(2019, 3, 4)
    assert parse_datetime("2019-03-04 17:45:00") == datetime(2019, 3, 4, 17, 45)
    assert parse_datetime(43466.5) == datetime(2019, 1, 1, 12, 0)
    assert parse_datetime("2019-03-04T17:45:00Z") == datetime(2019, 3, 4, 17, 45)
    assert parse_datetime("2019-03-04T18:45:00+01:00") == datetime(2019, 3, 4, 17, 45)


def test_impossible_or_unreadable_dates_are_none():
    for value in ["31/02/2019", "hier", "2019", "13/13/2019", 2019, None, "", True]:
        assert parse_date(value) is None, value


def test_an_explicit_format_is_tried_first():
    assert parse_date("2019/31/12", "%Y/%d/%m") == datetime(2019, 12, 31)


@given(DAYS, st.integers(0, 4))
def test_every_form_of_a_day_reads_as_that_day(day: date, form: int):
    serial = (day - date(1899, 12, 30)).days
    typed = [
        day.strftime("%d/%m/%Y"),
        day.isoformat(),
        serial,
        str(serial),
        datetime(day.year, day.month, day.day),
    ]
    assert parse_date(typed[form]) == datetime(day.year, day.month, day.day)


@given(st.text(max_size=25))
def test_any_text_gives_a_date_or_none(text: str):
    result = parse_date(text)
    assert result is None or result == datetime(result.year, result.month, result.day)


TYPED_DATES = st.one_of(
    DAYS.map(lambda d: d.strftime("%d/%m/%Y")),
    DAYS.map(lambda d: d.isoformat()),
    DAYS.map(lambda d: (d - date(1899, 12, 30)).days),
    DAYS.map(lambda d: str((d - date(1899, 12, 30)).days)),
    st.from_regex(r"\A\d{2}/\d{2}/\d{4}\Z"),  # impossible days such as 31/02/2019 or 00/13/0000
    st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z"),
    st.from_regex(r"\A\d{5}(\.\d{1,3})?\Z"),
    st.text(max_size=20),
    st.none(),
    st.floats(allow_nan=True),
    st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2100, 1, 1)),
)


@given(st.lists(TYPED_DATES, max_size=40), st.sampled_from([None, "%d/%m/%Y", "%Y-%m-%d", "%m/%d/%Y"]))
def test_a_whole_column_reads_as_each_of_its_cells_would(cells: list, fmt: str | None):
    assert parse_dates(cells, fmt) == [parse_date(cell, fmt) for cell in cells]
    assert parse_datetimes(cells, fmt) == [parse_datetime(cell, fmt) for cell in cells]


def test_a_column_keeps_impossible_days_apart_from_real_ones():
    assert parse_dates(["28/02/2019", "31/02/2019", "", None, "43466"]) == [
        datetime(2019, 2, 28),
        None,
        None,
        None,
        datetime(2019, 1, 1),
    ]


@given(st.lists(st.one_of(TYPED_DATES, st.just("01/03/2019")), max_size=40), st.booleans())
def test_reading_a_date_column_reports_the_same_rows_as_reading_cell_by_cell(cells: list, with_format: bool):
    spec = ColumnSpec("disbursed_on", ("Date",), "date", "%d/%m/%Y" if with_format else None)
    one_by_one = [make_reader(spec, None)(cell) for cell in cells]
    values, problems = read_column(spec, None, cells)
    assert values == [value for value, _ in one_by_one]
    assert [(i, reason) for i, _, reason in problems] == [
        (i, reason) for i, (_, reason) in enumerate(one_by_one) if reason
    ]


def test_a_year_no_date_of_the_program_can_have_is_unreadable_not_a_crash():
    # 01/01/0001 once reached the warehouse's datetime64[ns] columns and stopped the whole batch
    assert parse_date("01/01/0001") is None
    assert parse_dates(["01/01/0001", "31/12/9999", "01/01/2019"]) == [None, None, datetime(2019, 1, 1)]
    assert parse_dates(["0000-01-01"]) == [parse_date("0000-01-01")] == [None]  # year 0: no datetime at all
    spec = ColumnSpec("disbursed_on", ("Date",), "date", "%d/%m/%Y")
    values, problems = read_column(spec, None, ["01/01/0001", "02/01/2019"])
    assert values == [None, datetime(2019, 1, 2)]
    assert [(i, text) for i, text, _ in problems] == [(0, "01/01/0001")]
