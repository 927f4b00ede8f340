"""An import checks its file outside any transaction; what changes at the school meanwhile is
seen by the short write transaction, which re-checks the rows against it."""

import datetime as dt

import pytest

from sendtrust.imports.services import import_file
from sendtrust.imports.tests.helpers import counts, csv_file, row
from sendtrust.pupils import services as pupil_services
from sendtrust.pupils.models import Pupil

pytestmark = pytest.mark.django_db


def test_a_pupil_who_left_while_the_file_was_checked_is_not_changed(cast):
    """The row was good when checked; the pupil left before the write: nothing is saved."""
    rows = [row(cast.pupil_a1.upn, Surname="Ash", Forename="Ada", SENprovision="E",
                SENtype1="ASD"), row()]
    done = []

    def meanwhile(read, total):  # called while the rows are read, before the write
        if not done:
            pupil_services.record_leaver(cast.pupil_a1, on=dt.date.today(), destination="Abroad")
            done.append(read)

    before = counts()
    result = import_file(csv_file(rows), school=cast.school_a, progress=meanwhile)
    assert done and not result.ok
    assert [(e.row, e.field) for e in result.errors] == [(2, "UPN")]
    assert "left on" in result.errors[0].message
    assert counts()[0] == before[0]  # the new pupil on row 3 is not saved either
    assert not Pupil.objects.filter(upn=rows[1][0]).exists()


def test_a_change_meanwhile_that_breaks_nothing_is_written_against_what_is_held_now(cast):
    """Someone else adds the file's new pupil while the file is checked: the write finds them
    held here and updates them instead of inserting a second record."""
    new = row()
    done = []

    def meanwhile(read, total):
        if not done:
            import_file(csv_file([new]), school=cast.school_a)
            done.append(read)

    result = import_file(csv_file([row(new[0], Forename="Ivy-May")]),
                         school=cast.school_a, progress=meanwhile)
    assert done and result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated) == (0, 1)
    assert Pupil.objects.get(upn=new[0]).forename == "Ivy-May"
