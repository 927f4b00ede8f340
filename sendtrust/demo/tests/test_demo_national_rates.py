"""The demo command prints England's rates from the DfE files, or none: never typed-in figures."""

import io

import pytest
from django.core.management import call_command

from sendtrust.benchmarks.queries import national_sen_rates


def summary(**kwargs):
    out = io.StringIO()
    call_command("demo_trust", "--schools", "2", "--pupils", "60", "--seed", "3",
                 "--password", "demo-password-1", "--quiet", "--no-leadership", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_without_dfe_files_there_is_no_national_row():
    from sendtrust.benchmarks.models import Dataset

    Dataset.objects.all().delete()
    output = summary()
    assert "England" not in output and "National" not in output
    assert "14.2%" not in output  # the 2024/25 figure once typed into the command


def test_with_the_dfe_files_the_row_is_theirs(loaded):
    rates = national_sen_rates()
    output = summary()
    line = next(line for line in output.splitlines()
                if line.startswith(f"England {rates.period}, all schools (DfE)"))
    assert f"{rates.sen_support_rate:.1f}%" in line and f"{rates.ehcp_rate:.1f}%" in line
