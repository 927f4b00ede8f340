"""Reading a school's register and a refused import are audited, without a child's name.

- Every view of a register records who, which school, the filters and how many rows the
  filtered register held; a name search is recorded as made, never its words.
- A refused pupil or EHC import records who, which school and how many errors; never a
  value from the file (the surname, forename or UPN of a child).
"""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from sendtrust.access.models import AuditEntry
from sendtrust.imports.census import HEADERS
from sendtrust.testing import build_cast

SECRET_NAME = "Zebedee"
SECRET_UPN = "Q999999999999"


def csv_upload(text: str, name: str = "census.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


class AuditGapsTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = build_cast()

    def entries(self, action):
        return list(AuditEntry.objects.filter(action=action).order_by("pk"))

    def assert_no_child_named(self, entry):
        text = json.dumps(entry.detail) + entry.object_repr
        for secret in (SECRET_NAME, SECRET_UPN, *(
                v for p in (self.cast.pupil_a1, self.cast.pupil_a2)
                for v in (p.surname, p.forename, p.upn))):
            assert secret not in text, (entry.action, secret)

    def test_a_register_view_records_the_school_filters_and_rows(self):
        school = self.cast.school_a
        self.client.force_login(self.cast.users["senco_a"])
        response = self.client.get(f"/schools/{school.code}/register/?status=all&sort=year")
        assert response.status_code == 200
        (entry,) = self.entries("school.register.viewed")
        assert entry.username == "senco_a"
        assert entry.school_code == school.code
        shown = response.context["page"].paginator.count
        assert shown >= 2  # pupil_a1 and pupil_a2
        assert entry.detail == {"rows": shown, "page": 1, "status": "all", "need": "",
                                "year": None, "sort": "year", "searched": False}
        # A search by name: counted and flagged, its words not kept.
        response = self.client.get(f"/schools/{school.code}/register/",
                                   {"q": self.cast.pupil_a1.surname, "status": "all"})
        entry = self.entries("school.register.viewed")[-1]
        assert entry.detail["searched"] is True
        assert entry.detail["rows"] == response.context["page"].paginator.count >= 1
        self.assert_no_child_named(entry)

    def test_a_refused_register_view_is_not_recorded_as_a_view(self):
        self.client.force_login(self.cast.users["teacher_a"])
        # teacher_a reads the register of their own school; senco_b's school is refused.
        assert self.client.get(
            f"/schools/{self.cast.school_b.code}/register/").status_code == 403
        assert not self.entries("school.register.viewed")

    def test_a_refused_pupil_import_records_who_where_and_how_many_errors(self):
        school = self.cast.school_a
        self.client.force_login(self.cast.users["senco_a"])
        bad = ",".join(HEADERS) + "\r\n" + ",".join(
            [SECRET_UPN, SECRET_NAME, SECRET_NAME, "soon", "Q", "3", "K"]
            + [""] * (len(HEADERS) - 7)) + "\r\n"
        response = self.client.post(f"/schools/{school.code}/import/",
                                    {"file": csv_upload(bad)})
        assert response.status_code == 200
        assert "nothing was saved" in response.content.decode().lower()
        (entry,) = self.entries("register.import.failed")
        assert entry.username == "senco_a"
        assert entry.school_code == school.code
        assert entry.detail["errors"] >= 3  # the UPN, the date of birth, the gender
        assert entry.detail["rows"] == 1
        assert {"DOB", "Gender"} <= set(entry.detail["columns"])
        self.assert_no_child_named(entry)

    def test_a_refused_ehc_import_records_who_where_and_how_many_errors(self):
        school = self.cast.school_a
        self.client.force_login(self.cast.users["senco_a"])
        bad = (f"UPN,Event,Date\r\n{SECRET_UPN},Wizardry,31/02/2026\r\n"
               f"{self.cast.pupil_a1.upn},Wizardry,01/01/2026\r\n")
        response = self.client.post(f"/schools/{school.code}/ehc/import/",
                                    {"file": csv_upload(bad, "events.csv")})
        assert response.status_code == 400
        (entry,) = self.entries("ehc.events.import.failed")
        assert entry.username == "senco_a"
        assert entry.school_code == school.code
        assert entry.detail["errors"] >= 3
        self.assert_no_child_named(entry)
