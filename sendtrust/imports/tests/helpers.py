"""Helpers for the import and export tests: census rows and files built in memory."""

import csv
import io

from sendtrust.access.models import AuditEntry
from sendtrust.imports.census import HEADERS
from sendtrust.pupils.models import Enrolment, Pupil, SenEpisode
from sendtrust.testing import ROLES, next_upn

GOOD = {
    "Surname": "Oak", "Forename": "Ivy", "DOB": "01/03/2016", "Gender": "F",
    "NCyearActual": "4", "SENprovision": "K", "SENtype1": "SLCN", "SENtype2": "",
    "FSMeligible": "false", "PupilPremium": "0", "EAL": "N", "LookedAfter": "no",
}


def row(upn: str | None = None, **cells) -> list[str]:
    """A valid census row (a new UPN unless given), with some cells replaced."""
    values = {"UPN": upn or next_upn(), **GOOD, **cells}
    return [values[h] for h in HEADERS]


def csv_file(rows, header=HEADERS, encoding="utf-8") -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode(encoding))


def xlsx_file(rows, header=HEADERS) -> io.BytesIO:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for r in rows:
        sheet.append(list(r))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def counts() -> tuple[int, int, int, int]:
    """Rows in every table an import writes to, and successful imports in the audit log.

    A refused request or a failed import is audited too (under its own action): that is not
    a write of the file's data.
    """
    return (Pupil.objects.count(), Enrolment.objects.count(), SenEpisode.objects.count(),
            AuditEntry.objects.filter(action="register.imported").count())


def statuses(client, cast, paths, roles) -> dict[tuple[str, str], int]:
    """Return the status each role of the cast gets for each path: {(role, path): status}."""
    got = {}
    for role in roles:
        client.force_login(cast.users[role])
        for path in paths:
            got[role, path] = client.get(path).status_code
    return got


OUTSIDERS = {"other_trust_senco", "no_role"}  # no role in the cast's trust


def expected_statuses(allowed: set[str]) -> dict[str, int]:
    """Allowed roles get 200, other members of the trust 403, outsiders 404."""
    return {role: 200 if role in allowed else 404 if role in OUTSIDERS else 403
            for role in ROLES}
