import csv
import io

import pytest
from django.core.management import CommandError, call_command

from sendtrust.organisations.models import School


def run(*args):
    out = io.StringIO()
    call_command(
        "demo_trust",
        "--schools",
        "4",
        "--pupils",
        "400",
        "--seed",
        "2",
        "--password",
        "demo-password-1",
        "--quiet",
        *args,
        stdout=out,
    )
    return out.getvalue()


def test_it_writes_the_accounts_csv(db, tmp_path):
    path = tmp_path / "var" / "demo-accounts.csv"  # the folder does not exist yet
    output = run("--accounts-csv", str(path), "--trust-name", "Test Demo Trust")
    lines = path.read_text().splitlines()
    assert lines[0] == "role,username,password,school_urn"
    rows = list(csv.DictReader(lines))
    assert len(rows) == 9 + 3  # one per role, and a SENCO for each other school
    assert {r["password"] for r in rows} == {"demo-password-1"}
    assert {r["username"] for r in rows} >= {"send_leader", "senco", "teacher", "senco4"}
    urns = set(School.objects.values_list("urn", flat=True))
    assert all(
        r["school_urn"] in urns
        for r in rows
        if r["role"] not in ("send_leader", "executive", "trustee")
    )
    for row in rows:
        assert row["username"] in output
    assert "Test Demo Trust" in output


def test_it_prints_the_summary_and_the_outliers(db):
    output = run()
    assert "400 pupils" in output
    assert "SEN support" in output and "EHC plan" in output
    assert "over-identifies" in output and "under-identifies" in output
    for school in School.objects.all():
        assert school.name in output


def test_it_refuses_more_schools_than_pupils(db):
    with pytest.raises(CommandError, match="school"):
        call_command(
            "demo_trust",
            "--schools",
            "5",
            "--pupils",
            "2",
            "--password",
            "demo-password-1",
            "--quiet",
            stdout=io.StringIO(),
        )
