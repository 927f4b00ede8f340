"""DfE Local Area SEND and AP dashboard tables (2024 build): absence, rates and outcomes by SEN."""

from __future__ import annotations

from functools import partial

from sendtrust.benchmarks.loaders.outcomes import KS2_RWM, KS4_PROGRESS, sen_dims
from sendtrust.benchmarks.loaders.runner import Loader
from sendtrust.benchmarks.loaders.tidy import Spec, load_tidy
from sendtrust.benchmarks.models import Phase

FOLDER = "send-ap-dashboard-2024/prepared"
TITLE = "DfE Local Area SEND and AP dashboard (2024 build)"
RATE_BY_PROVISION = {
    "EHC plan": "ehcp_rate",
    "SEN support": "sen_support_rate",
    "All SEN": "sen_rate",
}
ABSENCE = {
    "Overall": "absence_overall_pct",
    "Authorised": "absence_authorised_pct",
    "Unauthorised": "absence_unauthorised_pct",
}


def by_sen(column: str):
    """A classifier putting the row's SEN label (in `column`) into the sen breakdown."""
    return lambda row: sen_dims(row[column])


def rate_columns(row: dict[str, str], with_pupils: bool = False) -> dict[str, str]:
    """'% of pupils' is the row's SEN provision rate; EHC plan rows also give total_pupils."""
    provision = row["SEN provision"]
    columns = (
        {"% of pupils": RATE_BY_PROVISION[provision]} if provision in RATE_BY_PROVISION else {}
    )
    if with_pupils and provision == "EHC plan":
        columns["total_pupils"] = "pupils"
    return columns


ABSENCE_SPEC = Spec(
    measures={},
    classify=by_sen("characteristic"),
    row_measures=lambda row: {"Percentage": ABSENCE[row["Absence measure"]]},
)
ALL_SCHOOL_RATES = Spec(measures={}, classify=lambda row: {}, row_measures=rate_columns)
MAINSTREAM_RATES = Spec(
    measures={},
    classify=lambda row: {"phase": Phase.MAINSTREAM},
    row_measures=partial(rate_columns, with_pupils=True),
)
KS1 = Spec(
    measures={"pt_phonics_y1_met_expected_standard": "ks1_phonics_expected_pct"},
    classify=by_sen("characteristic"),
)
KS2 = Spec(measures=KS2_RWM, classify=by_sen("characteristic"))
KS4 = Spec(measures=KS4_PROGRESS, classify=by_sen("SEN provision"))


def _loader(name: str, what: str, spec: Spec) -> Loader:
    return Loader(
        f"{FOLDER}/{name}",
        "send-ap-dashboard",
        f"{TITLE}: {what} ({name})",
        partial(load_tidy, spec=spec),
    )


LOADERS = [
    _loader("absence.csv", "absence by SEN", ABSENCE_SPEC),
    _loader(
        "percent_pupils_ehcp.csv", "SEN support and EHC plan rates, all schools", ALL_SCHOOL_RATES
    ),
    _loader(
        "mainstream_with_sen.csv", "SEN rates in state-funded mainstream schools", MAINSTREAM_RATES
    ),
    _loader("ks1_phonics.csv", "Y1 phonics by SEN", KS1),
    _loader("ks2_attainment.csv", "KS2 attainment by SEN", KS2),
    _loader("ks4_attainment.csv", "KS4 attainment by SEN", KS4),
]

_SAME_AS = "the same series loads from {}"
_NOT_USED = "not used by any sendtrust page yet"
SKIPS = {
    f"{FOLDER}/ehcp_timeliness.csv": _SAME_AS.format("LAIT and ehcp-2025"),
    f"{FOLDER}/tribunals.csv": _SAME_AS.format("LAIT (SEN_AppealableDec)"),
    f"{FOLDER}/ehcp_ageprofile.csv": _SAME_AS.format("ehcp-2025 caseload.csv (by age)"),
    f"{FOLDER}/la_region_lookup.csv": _SAME_AS.format("dfe-vocab las.csv"),
    f"{FOLDER}/provider_types.csv": "shares of pupils across provider types, not SEN rates",
    f"{FOLDER}/provider_types_nat.csv": "shares of pupils across provider types, not SEN rates",
    f"{FOLDER}/cin_la.csv": _NOT_USED + " (children in need by SEN provision)",
    f"{FOLDER}/dsg_deficit.csv": _NOT_USED + " (high-needs DSG balance)",
    "send-ap-dashboard-2024/raw/cin_sen_la.csv": _NOT_USED + " (children in need by SEN)",
    "send-ap-dashboard-2024/raw/cin_sen_national.csv": _NOT_USED + " (children in need by SEN)",
    "send-ap-dashboard-2024/raw/1_eyfsp_headline_measures_2022.csv": (
        _NOT_USED + "; EYFSP by SEN loads from LAIT (FSP_Gooddev_*)"
    ),
    "send-ap-dashboard-2024/raw/sen2_mi.csv": _SAME_AS.format("ehcp-2025 and LAIT"),
}
