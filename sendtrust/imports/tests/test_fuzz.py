"""Property-based fuzzing: malformed rows mixed into good files.

Whatever the file holds, an import returns a result (never raises), saves everything or
nothing, and the upload page answers 200.
"""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendtrust.imports.census import HEADERS
from sendtrust.imports.services import import_file
from sendtrust.imports.tests.helpers import counts, csv_file, row, xlsx_file
from sendtrust.lib.upn import make_upn

pytestmark = pytest.mark.django_db
# One cast for all the examples of a test; each example is rolled back.
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

STATUSES = [("N", "", ""), ("K", "SLCN", ""), ("K", "NSA", ""), ("E", "ASD", "SLCN"),
            ("E", "PMLD", "VI")]
WORDS = st.sampled_from([
    "", " ", "\u00a0", "N/A", "null", "0", "-1", "15", "R", "N1", "X", "NSA", "DS", "E", "K",
    "N", "=1+1", "'=1", "31/02/2016", "2016-13-01", "29/02/2016", "1900-01-01", "Y", "yes",
    "TRUE", "m", "A801200005001", "a 801 2000 05 001",
])
JUNK = st.one_of(st.text(max_size=20), WORDS, st.integers(-10**6, 10**6).map(str))
# What a spreadsheet cell can hold (no control characters: openpyxl cannot write them).
CELL = st.one_of(
    st.none(), st.booleans(), st.integers(-10**9, 10**9),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1901, 1, 1)), st.datetimes(min_value=dt.datetime(1901, 1, 1)),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=15), WORDS,
)


@st.composite
def census_rows(draw, junk=JUNK):
    """A header and rows: good census rows, some cells spoilt, columns sometimes missing."""
    serials = draw(st.lists(st.integers(0, 999), min_size=1, max_size=6, unique=True))
    rows = []
    for serial in serials:
        provision, primary, secondary = draw(st.sampled_from(STATUSES))
        cells = row(make_upn(801, 3900, 22, serial), SENprovision=provision, SENtype1=primary,
                    SENtype2=secondary)
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(["replace", "replace", "blank", "cut", "extend"]))
            if kind == "cut":
                cells = cells[:draw(st.integers(0, len(cells)))]
            elif kind == "extend":
                cells = cells + draw(st.lists(junk, min_size=1, max_size=3))
            else:
                i = draw(st.integers(0, len(cells) - 1)) if cells else 0
                cells[i:i + 1] = ["" if kind == "blank" else draw(junk)]
        rows.append(cells)
    header = list(HEADERS)
    if draw(st.integers(0, 4)) == 0:  # a column missing from header and rows alike
        i = draw(st.integers(0, len(header) - 1))
        del header[i]
        for cells in rows:
            del cells[i:i + 1]
    if draw(st.integers(0, 6)) == 0:
        header[draw(st.integers(0, len(header) - 1))] = draw(junk)
    return header, rows


def assert_all_or_nothing(before, result):
    after = counts()
    if result.ok:
        assert after[0] == before[0] + result.created
        assert after[1] == before[1] + result.created
        assert after[2] == before[2] + result.created + result.status_changes
        assert after[3] == before[3] + 1
    else:
        assert after == before
        assert result.errors and all(str(e) for e in result.errors)


def check(school, data):
    with transaction.atomic():
        before = counts()
        assert_all_or_nothing(before, import_file(data, school=school))
        transaction.set_rollback(True)


@FUZZ
@given(census_rows())
def test_csv_import_is_all_or_nothing(cast, rows):
    check(cast.school_a, csv_file(rows[1], rows[0]))


@FUZZ
@given(census_rows(), st.binary(max_size=12), st.integers(0, 10**6))
def test_broken_csv_syntax_is_handled(cast, rows, noise, at):
    data = csv_file(rows[1], rows[0]).getvalue()
    at %= len(data) + 1
    check(cast.school_a, io.BytesIO(data[:at] + noise + data[at:]))


@settings(FUZZ, max_examples=20)
@given(census_rows(junk=CELL))
def test_xlsx_with_any_cell_types_is_handled(cast, rows):
    check(cast.school_a, xlsx_file(rows[1], rows[0]))


@settings(FUZZ, max_examples=20)
@given(census_rows())
def test_the_upload_page_never_fails(client, cast, rows):
    client.force_login(cast.users["senco_a"])
    upload = SimpleUploadedFile("fuzz.csv", csv_file(rows[1], rows[0]).getvalue())
    with transaction.atomic():
        before = counts()
        response = client.post(f"/schools/{cast.school_a.code}/import/", {"file": upload},
                               HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        html = response.content.decode()
        assert ("Import complete" in html) != ("Nothing was saved" in html)
        if "Nothing was saved" in html:
            assert counts() == before and 'role="alert"' in html
        transaction.set_rollback(True)
