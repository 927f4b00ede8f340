"""EHC plans, reporting year 2022: the last release of the aggregate (LA-level) SEN2 return.

It carries the series back before the 2025 release's first year: statements and EHC plans
at January from 2010, and new plans, initial requests and 20-week timeliness (with and
without exceptions) from 2014. Its measures have codes of their own (sen2agg_*), so that no
page mixes this release's figures with the 2025 release's without saying which is which;
the two releases overlap for 2019 to 2022, where a page can compare them.
"""

from __future__ import annotations

from functools import partial

from sendtrust.benchmarks.loaders.tidy import Spec, release_loader

FOLDER = "ehcp-2022"
TITLE = "DfE Education, health and care plans, reporting year 2022 (aggregate SEN2)"


def age_total(row: dict[str, str]) -> dict[str, str] | str:
    """Only the all-ages row; the age bands are not used by any page."""
    age = row["characteristic_age"]
    return {} if age == "Total" else "age bands (characteristic_age other than Total)"


CASELOAD = Spec(
    measures={
        "Total_all": "sen2agg_caseload",
        "Total_st": "sen2agg_statements",
        "Total_ehc": "sen2agg_ehcp",
    },
    classify=age_total,
    national_check="Total_all",
)
MI = Spec(
    measures={
        "NewallEHC": "sen2agg_new_plans",
        "InreqEHC": "sen2agg_requests",
        "TotIncExcEHC": "sen2agg_20wk_den",
        "IncExc20weekEHC": "sen2agg_20wk_count",
        "IncExc20weekRate": "sen2agg_20wk_rate",
        "TotNoExcEHC": "sen2agg_20wk_den_ex",
        "NoExc20weekEHC": "sen2agg_20wk_count_ex",
        "NoExc20weekRate": "sen2agg_20wk_rate_ex",
    },
    classify=lambda row: {},
    national_check="NewallEHC",
)


_release = partial(release_loader, FOLDER, "ehcp-2022", TITLE)
LOADERS = [
    _release("sen2_age_caseload.csv", "statements and EHC plans at January", CASELOAD),
    _release("sen2_mi.csv", "new plans, requests and 20-week timeliness", MI),
]
SKIPS = {
    f"{FOLDER}/sen2_age_new_plans.csv": "new plans by age band; the totals load from sen2_mi.csv",
    f"{FOLDER}/sen2_wbp_residential_dmo.csv": (
        "not used by any sendtrust page yet (work-based and residential placements, DMO/DCO)"
    ),
}
