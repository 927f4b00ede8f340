"""England's SEN pupils by need (the sum of every LA's rows) are read once per version of the
loaded DfE files and kept in the shared cache (issue 15): the same figures as a fresh read,
and read again when the files are loaded again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sendtrust.analytics.figures import needs
from sendtrust.analytics.tests.fixtures import _dataset
from sendtrust.benchmarks.models import Figure, Level

pytestmark = pytest.mark.django_db
PHASES = {"primary", "secondary"}


def _reads_figures(ctx) -> int:
    return sum('FROM "benchmarks_figure"' in q["sql"] for q in ctx.captured_queries)


def test_national_need_is_read_once_per_data_version(benchmarks):
    first = needs._national_need(PHASES, "801")
    assert first == needs._read_national_need(PHASES, "801")
    assert first[0] and first[1]  # national and the LA's, from the synthetic files
    with CaptureQueriesContext(connection) as ctx:
        assert needs._national_need(PHASES, "801") == first
    assert _reads_figures(ctx) == 0
    # Loading another file is a new data version: the sums are read again and include it.
    more = _dataset("synthetic/more-needs.csv", "Synthetic extra need counts")
    Figure.objects.create(dataset=more, measure_id="sen_need_count", period="2022/23",
                          year=2023, level=Level.LA, geo_code="999", geo_name="Extra LA",
                          la_code="999", phase="primary", need="SLCN", value=1000.0)
    with CaptureQueriesContext(connection) as ctx:
        again = needs._national_need(PHASES, "801")
    assert _reads_figures(ctx) >= 1
    assert again == needs._read_national_need(PHASES, "801")
    assert again[0]["SLCN"] == first[0]["SLCN"] + 1000
