import datetime as dt
import io

import pytest

from sendtrust.access.models import AuditEntry
from sendtrust.imports.census import HEADERS
from sendtrust.imports.services import MAX_ERRORS, _Import, import_file
from sendtrust.imports.tests.helpers import counts, csv_file, row, xlsx_file
from sendtrust.lib.upn import make_upn
from sendtrust.pupils import services
from sendtrust.pupils.models import Enrolment, NeedType, Pupil, SenEpisode
from sendtrust.testing import PupilFactory, next_upn

pytestmark = pytest.mark.django_db
JAN_1 = dt.date(2025, 1, 1)


def run(school, rows, **kwargs):
    return import_file(csv_file(rows), school=school, **kwargs)


def test_it_creates_pupils_with_enrolment_and_opening_episode(cast):
    rows = [row(SENprovision="N", SENtype1=""), row(SENprovision="E", SENtype1="ASD",
                                                    SENtype2="SLCN", FSMeligible="Y")]
    result = run(cast.school_a, rows, effective=JAN_1, by=cast.users["senco_a"])
    assert result.ok, result.errors
    assert (result.created, result.updated, result.status_changes, result.unchanged) == (2, 0, 0, 0)
    pupil = Pupil.objects.get(upn=rows[1][0])
    assert pupil.school == cast.school_a
    assert (pupil.sen_provision, pupil.primary_need.code) == ("E", "ASD")
    assert (pupil.date_of_birth, pupil.year_group, pupil.sex) == (dt.date(2016, 3, 1), 4, "F")
    assert pupil.fsm and not pupil.pupil_premium and not pupil.eal and not pupil.looked_after
    enrolment = Enrolment.objects.get(pupil=pupil)
    assert enrolment.school == cast.school_a
    assert (enrolment.starts_on, enrolment.ends_on) == (JAN_1, None)
    episode = SenEpisode.objects.get(pupil=pupil)
    assert (episode.provision, episode.secondary_need.code) == ("E", "SLCN")
    assert episode.starts_on == JAN_1
    assert (episode.source, episode.recorded_by, episode.ends_on) == (
        "import", cast.users["senco_a"], None)
    assert SenEpisode.objects.get(pupil__upn=rows[0][0]).provision == "N"


def test_it_writes_one_audit_entry_with_counts(cast):
    before = AuditEntry.objects.count()
    run(cast.school_a, [row(), row(), row()], by=cast.users["senco_a"])
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.first()
    assert entry.action == "register.imported"
    assert entry.school_code == cast.school_a.code and entry.username == "senco_a"
    assert entry.detail["created"] == 3 and entry.detail["rows"] == 3


def test_it_reads_xlsx_with_typed_cells(cast):
    rows = [
        [make_upn(801, 3100, 22, 1), "Oak", "Ivy", dt.datetime(2016, 3, 1), "M", 4, "K",
         "SLCN", None, True, 0, "N", False],
        [make_upn(801, 3100, 22, 2), "Elm", "Al", dt.date(2019, 9, 2), "F", "R", "N",
         None, None, None, None, None, None],
    ]
    result = import_file(xlsx_file(rows), school=cast.school_a)
    assert result.ok, result.errors
    first, second = Pupil.objects.get(upn=rows[0][0]), Pupil.objects.get(upn=rows[1][0])
    assert first.date_of_birth == dt.date(2016, 3, 1) and first.fsm and first.year_group == 4
    assert second.year_group == 0 and second.sen_provision == "N"


def test_headers_match_ignoring_case_spaces_and_aliases(cast):
    header = [" upn ", "SURNAME", "forename", "Date_Of_Birth", "sex", "NC Year Actual",
              "SEN provision", "SENtypeRank1", "SENtypeRank2", "fsm", "Pupil Premium", "eal",
              "InCare", "Notes"]
    upn = make_upn(801, 3100, 22, 3)
    result = import_file(csv_file([row(upn) + ["likes trains"]], header=header),
                         school=cast.school_a)
    assert result.ok, result.errors
    assert result.ignored_columns == ["Notes"]
    assert Pupil.objects.get(upn=upn).primary_need.code == "SLCN"


def test_optional_columns_may_be_left_out(cast):
    header = HEADERS[:7]
    result = import_file(csv_file([row()[:7][:6] + ["N"]], header=header), school=cast.school_a)
    assert result.ok, result.errors


@pytest.mark.parametrize("dob", ["01/03/2016", "1/3/2016", "2016-03-01"])
def test_dates_in_both_forms(cast, dob):
    upn = next_upn()
    assert run(cast.school_a, [row(upn, DOB=dob)]).ok
    assert Pupil.objects.get(upn=upn).date_of_birth == dt.date(2016, 3, 1)


@pytest.mark.parametrize("year,stored", [("N1", -2), ("n2", -1), ("R", 0), ("0", 0), ("14", 14),
                                         ("07", 7)])
def test_nc_years(cast, year, stored):
    upn = next_upn()
    assert run(cast.school_a, [row(upn, NCyearActual=year)]).ok
    assert Pupil.objects.get(upn=upn).year_group == stored


BAD = [
    # (column, value, the message's end)
    ("UPN", "CHECK", "the UPN's check letter does not match"),
    ("UPN", "", "a UPN is required"),
    ("UPN", "A12", "a UPN has 13 characters"),
    ("UPN", "A801200X05001", "a UPN is a letter, 11 digits, then a digit or letter"),
    ("Surname", "", "a name is required"),
    ("Forename", "x" * 101, "a name has at most 100 characters"),
    ("DOB", "31/02/2016", "there is no such date"),
    ("DOB", "2016/03/01", "write dates as DD/MM/YYYY or YYYY-MM-DD"),
    ("DOB", "01/01/2099", "the date of birth is after"),
    ("DOB", "01/01/1950", "the date of birth must fall in the 30 years before"),
    ("Gender", "X", "use M or F"),
    ("NCyearActual", "15", "use N1, N2, R or a year from 1 to 14"),
    ("NCyearActual", "X", "use N1, N2, R or a year from 1 to 14"),
    ("SENprovision", "", "use N (no SEN), K (SEN support) or E (EHC plan)"),
    ("SENprovision", "S", "use N (no SEN), K (SEN support) or E (EHC plan)"),
    ("SENtype1", "DYSLEXIA", "not a need code; use one of"),
    ("SENtype1", "", "SEN support and EHC plans need a primary need"),
    ("SENtype2", "SLCN", "the secondary need repeats the primary need"),
    ("FSMeligible", "maybe", "use true or false (or Y/N, 1/0)"),
    ("LookedAfter", "2", "use true or false (or Y/N, 1/0)"),
]


@pytest.mark.parametrize("column,value,message", BAD)
def test_a_bad_cell_is_reported_and_nothing_is_saved(cast, column, value, message):
    good, bad = row(), row()
    if column == "UPN" and value == "CHECK":
        value = ("B" if bad[0][0] == "A" else "A") + bad[0][1:]
    bad[HEADERS.index(column)] = value
    before = counts()
    result = run(cast.school_a, [good, bad])
    assert not result.ok
    assert counts() == before
    assert [(e.row, e.field, e.value) for e in result.errors] == [(3, column, value)]
    shown = f'"{value}"' if len(value) <= 40 else f'"{value[:40]}…"'
    assert str(result.errors[0]).startswith(f"Row 3, {column} {shown if value else '(blank)'}: ")
    assert message in str(result.errors[0])


@pytest.mark.parametrize("cells,column,message", [
    ({"SENprovision": "N", "SENtype1": "SLCN"}, "SENtype1", "no SEN has no need recorded"),
    ({"SENprovision": "E", "SENtype1": "NSA"}, "SENtype1", "NSA is only used with SEN support"),
    ({"SENprovision": "E", "SENtype1": "SLCN", "SENtype2": "NSA"}, "SENtype2",
     "NSA is only used with SEN support"),
])
def test_census_rules(cast, cells, column, message):
    result = run(cast.school_a, [row(**cells)])
    assert [(e.row, e.field) for e in result.errors] == [(2, column)]
    assert message in result.errors[0].message


def test_a_need_added_later_is_refused_before_its_date(cast):
    result = run(cast.school_a, [row(SENtype1="DS")], effective=dt.date(2024, 10, 3))
    assert result.errors[0].message == "DS is recorded from 16/01/2025"
    assert run(cast.school_a, [row(SENtype1="DS")], effective=dt.date(2025, 1, 16)).ok


def test_need_codes_come_from_the_table(cast):
    NeedType.objects.create(code="FASD", label="Foetal alcohol", broad_area="Other")
    assert run(cast.school_a, [row(SENtype1="fasd")]).ok


def test_every_error_is_reported_with_its_row(cast):
    rows = [row(), row(Gender="Q", DOB="soon"), row(), row(SENprovision="Z")]
    result = run(cast.school_a, rows)
    assert [(e.row, e.field) for e in result.errors] == [
        (3, "DOB"), (3, "Gender"), (5, "SENprovision")]
    assert str(result.errors[1]) == 'Row 3, Gender "Q": use M or F'


def test_duplicate_upns_in_a_file(cast):
    first = row()
    result = run(cast.school_a, [first, row(), row(first[0])])
    assert str(result.errors[0]) == f'Row 4, UPN "{first[0]}": the same UPN is also on row 2'


def test_a_pupil_at_another_school_of_the_trust_must_be_moved(cast):
    before = counts()
    result = run(cast.school_a, [row(), row(cast.pupil_b1.upn)])
    assert counts() == before
    assert [(e.row, e.field, e.value) for e in result.errors] == [(3, "UPN", cast.pupil_b1.upn)]
    assert "another school of the trust" in result.errors[0].message
    assert "Move pupil" in result.errors[0].message


def test_a_pupil_of_another_trust_is_refused_without_a_word_about_that_trust(cast):
    result = run(cast.school_a, [row(cast.other_pupil.upn), row(Gender="?")])
    assert [(e.row, e.field) for e in result.errors] == [(2, "UPN"), (3, "Gender")]
    message = str(result.errors[0]).lower()
    assert "cannot be added here" in message
    # Neither that the pupil is in another trust, nor anything about that trust.
    for word in ("trust", "hawthorn", "hilltop", "elsewhere", "held", "exists", "belongs"):
        assert word not in message.replace("trust's send leader", ""), word


def test_an_insert_that_fails_unexplained_saves_nothing(cast, monkeypatch):
    # As if another import had added the same pupil between our checks and our insert.
    monkeypatch.setattr(_Import, "check_held_elsewhere", lambda self: None)
    before = counts()
    result = run(cast.school_a, [row(cast.pupil_b1.upn)])
    assert not result.ok and "at the same time" in result.errors[0].message
    assert counts() == before


def test_missing_and_repeated_columns(cast):
    header = ["UPN", "Surname", "Surname", "DOB", "Gender", "NCyearActual"]
    result = import_file(csv_file([row()[:6]], header=header), school=cast.school_a)
    assert [str(e) for e in result.errors] == [
        "Row 1: there are two Surname columns (columns 2 and 3)",
        "Row 1: the header row has no Forename column",
        "Row 1: the header row has no SENprovision column",
    ]


@pytest.mark.parametrize("data,message", [
    (b"", "the file is empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old Excel .xls"),
    (b"PK\x03\x04not really a zip", "the Excel file cannot be opened"),
    (b"UPN,Surname\x00,Forename", "the file is not text"),
])
def test_unreadable_files(cast, data, message):
    result = import_file(io.BytesIO(data), school=cast.school_a)
    assert message in str(result.errors[0])
    assert str(result.errors[0]).startswith("The file: ")


def test_windows_1252_csv(cast):
    upn = next_upn()
    result = import_file(csv_file([row(upn, Forename="Zoë")], encoding="cp1252"),
                         school=cast.school_a)
    assert result.ok and Pupil.objects.get(upn=upn).forename == "Zoë"


def test_blank_lines_are_skipped_but_counted_as_rows(cast):
    data = csv_file([row(), [], ["", "", ""], row(Gender="?")])
    result = import_file(data, school=cast.school_a)
    assert [(e.row, e.field) for e in result.errors] == [(5, "Gender")]


def test_cells_beyond_the_header(cast):
    result = run(cast.school_a, [row() + ["", ""], row() + ["", "oops"]])
    assert [str(e) for e in result.errors] == [
        "Row 3: this row has 15 cells but the header row names 13 columns"]


def test_errors_are_capped_but_counted(cast):
    result = run(cast.school_a, [row(Gender="?") for _ in range(MAX_ERRORS + 50)])
    assert result.error_count == MAX_ERRORS + 50
    assert len(result.errors) == MAX_ERRORS


def test_a_future_effective_date_is_refused(cast):
    result = run(cast.school_a, [row()], effective=dt.date.today() + dt.timedelta(days=2))
    assert "future" in result.errors[0].message


def test_read_only_trust_takes_no_pupils(cast):
    cast.trust.read_only = True
    cast.trust.save()
    assert "public data" in run(cast.school_a, [row()]).errors[0].message


def test_progress_is_reported(cast):
    seen = []
    run(cast.school_a, [row() for _ in range(3)], progress=lambda done, total: seen.append(done))
    assert seen[-1] == 3


class TestReimport:
    def test_unchanged_file_changes_nothing(self, cast):
        rows = [row(), row(SENprovision="N", SENtype1="")]
        run(cast.school_a, rows, effective=JAN_1)
        before = counts()
        result = run(cast.school_a, rows)
        assert (result.created, result.updated, result.status_changes, result.unchanged) == (
            0, 0, 0, 2)
        assert counts()[:3] == before[:3]  # only the audit entry is new

    def test_details_update_without_a_new_episode(self, cast):
        upn = next_upn()
        run(cast.school_a, [row(upn)], effective=JAN_1)
        result = run(cast.school_a, [row(upn, Surname="Oakley", NCyearActual="5", EAL="Y")])
        assert (result.updated, result.status_changes) == (1, 0)
        pupil = Pupil.objects.get(upn=upn)
        assert (pupil.surname, pupil.year_group, pupil.eal) == ("Oakley", 5, True)
        assert pupil.episodes.count() == 1

    def test_a_status_change_is_a_new_episode(self, cast):
        upn = next_upn()
        run(cast.school_a, [row(upn)], effective=JAN_1)
        on = dt.date(2025, 3, 10)
        result = run(cast.school_a, [row(upn, SENprovision="E", SENtype1="ASD")], effective=on,
                     by=cast.users["senco_a"])
        assert (result.updated, result.status_changes) == (1, 1)
        old, new = Pupil.objects.get(upn=upn).episodes.order_by("starts_on")
        assert (old.provision, old.starts_on, old.ends_on) == ("K", JAN_1, dt.date(2025, 3, 9))
        assert (new.provision, new.primary_need.code, new.starts_on, new.ends_on) == (
            "E", "ASD", on, None)
        pupil = Pupil.objects.get(upn=upn)
        assert (pupil.sen_provision, pupil.primary_need.code) == ("E", "ASD")

    def test_a_secondary_need_change_is_a_status_change(self, cast):
        result = run(cast.school_a, [row(cast.pupil_a1.upn, Surname="Ash", Forename="Ada",
                                         DOB="2016-03-01", SENtype2="SEMH")])
        assert (result.updated, result.status_changes) == (1, 1)
        assert cast.pupil_a1.episodes.get(ends_on=None).secondary_need.code == "SEMH"

    def test_a_change_dated_before_the_current_status_is_refused(self, cast):
        # pupil_a1's SEN support began on 10/01/2024.
        before = counts()
        result = run(cast.school_a, [row(cast.pupil_a1.upn, SENprovision="E")],
                     effective=dt.date(2023, 12, 1))
        assert counts() == before
        assert result.errors[0].field == "SENprovision"
        assert "before the current status began (10/01/2024)" in result.errors[0].message

    def test_missing_flag_columns_keep_what_is_held(self, cast):
        upn = next_upn()
        run(cast.school_a, [row(upn, FSMeligible="true")])
        header = [h for h in HEADERS if h != "FSMeligible"]
        cells = row(upn)
        del cells[HEADERS.index("FSMeligible")]
        result = import_file(csv_file([cells], header=header), school=cast.school_a)
        assert result.unchanged == 1 and Pupil.objects.get(upn=upn).fsm

    def test_a_pupil_without_an_episode_gets_one(self, cast):
        pupil = PupilFactory(school=cast.school_a, surname="Nova", forename="Nia")
        result = run(cast.school_a, [row(pupil.upn, Surname="Nova", Forename="Nia",
                                         DOB="01/03/2016", SENprovision="N", SENtype1="")])
        assert result.status_changes == 1 and pupil.episodes.get().provision == "N"


class TestOnePass:
    def test_updated_counts_every_pupil_that_changed(self, cast):
        upns = [next_upn(), next_upn(), next_upn()]
        run(cast.school_a, [row(u) for u in upns], effective=JAN_1)
        result = run(cast.school_a, [
            row(upns[0], SENprovision="E", SENtype1="ASD"),
            row(upns[1], SENprovision="E", SENtype1="ASD"),
            row(upns[2]),
        ], effective=dt.date(2025, 3, 1))
        assert (result.updated, result.status_changes, result.unchanged) == (2, 2, 1)

    def test_a_future_date_of_birth_is_found_with_the_rows_other_problems(self, cast):
        future = (dt.date.today() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
        result = run(cast.school_a, [row(DOB=future, Gender="?", SENtype1="NSA",
                                         SENprovision="E")])
        assert {(e.row, e.field) for e in result.errors} == {
            (2, "DOB"), (2, "Gender"), (2, "SENtype1")}
        dob = next(e for e in result.errors if e.field == "DOB")
        assert "after" in dob.message

    def test_a_pupil_of_another_trust_is_found_on_a_row_with_other_problems(self, cast):
        result = run(cast.school_a, [row(cast.other_pupil.upn, Gender="?")])
        assert {(e.row, e.field) for e in result.errors} == {(2, "UPN"), (2, "Gender")}

    def test_a_leaver_is_not_changed_by_an_import(self, cast):
        services.record_leaver(cast.pupil_a1, on=dt.date.today(), destination="Abroad")
        before = counts()
        result = run(cast.school_a, [row(cast.pupil_a1.upn, Surname="Ash", Forename="Ada",
                                         DOB="2016-03-01", SENprovision="E", SENtype1="ASD")])
        assert counts() == before
        assert result.errors[0].field == "UPN" and "left on" in result.errors[0].message


def test_a_file_with_a_header_and_no_rows_is_refused(cast):
    before = counts()
    result = run(cast.school_a, [])
    assert not result.ok and counts() == before
    assert "the file has no pupils in it" in result.errors[0].message
