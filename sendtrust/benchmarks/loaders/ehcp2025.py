"""EHC plans, reporting year 2025 (SEN2): caseload, 20-week timeliness, needs, requests, reviews."""

from __future__ import annotations

from sendtrust.benchmarks.loaders.runner import Loader
from sendtrust.benchmarks.loaders.tidy import Spec, release_loader

FOLDER = "ehcp-2025/data"
TITLE = "DfE Education, health and care plans, reporting year 2025"
# breakdown_topic -> the breakdown key sendtrust stores it under.
TOPICS = {
    "Child or young persons age": "age",
    "Sex": "sex",
    "Type of placement": "placement",
}
NEEDS = ["asd", "hi", "mld", "msi", "oth", "pd", "pmld", "semh", "slcn", "sld", "spld", "vi"]
PLACEMENTS = {
    "mainstream_total": "mainstream",
    "special_total": "special",
    "ap_pru_total": "ap_pru",
    "fe_total": "fe_post16",
    "ed_elsewhere": "elsewhere",
    "nm_early_years": "early_years",
    "placement_unknown": "unknown",
}
PLACEMENT_PCS = {
    "mainstream_total_pc": "mainstream",
    "special_total_pc": "special",
    "AP_PRU_total_pc": "ap_pru",
    "fe_total_pc": "fe_post16",
    "ed_elsewhere_pc": "elsewhere",
    "nm_early_years_pc": "early_years",
    "placement_unknown_pc": "unknown",
}


def topics(*loaded: str, la_level: bool = True):
    """A classifier loading the headline row and the named breakdown topics.

    la_level=False keeps the breakdowns for England and regions only (LA rows multiply rows
    by 150 for detail no page shows).
    """

    def classify(row: dict[str, str]) -> dict[str, str] | str:
        topic = row["breakdown_topic"]
        if topic == row["breakdown"]:
            return {}
        key = TOPICS.get(topic)
        if key not in loaded:
            return f"breakdown_topic {topic!r}"
        if not la_level and row["geographic_level"] == "Local authority":
            return f"breakdown_topic {topic!r} for local authorities"
        return {key: row["breakdown"]}

    return classify


def by_placement(measure: str, columns: dict[str, str]) -> dict:
    return {col: (measure, {"placement": place}) for col, place in columns.items()}


def by_need(measure: str, template: str) -> dict:
    needs = {template.format(n): (measure, {"need": n.upper()}) for n in NEEDS}
    return needs | {template.format("need_unknown"): (measure, {"need": "UNK"})}


CASELOAD = Spec(
    measures={
        "ehcplans": "ehcp_caseload",
        **by_placement("ehcp_caseload", PLACEMENTS),
        **by_placement("ehcp_caseload_pct", PLACEMENT_PCS),
    },
    classify=topics("age", "sex"),
    breakdown_measures={"ehcplans": "ehcp_caseload"},
    national_check="ehcplans",
)
TIMELINESS = Spec(
    measures={
        "plans_issued_den": "ehcp_20wk_den",
        "plans_issued_within_20_weeks": "ehcp_20wk_count",
        "pc_plans_issued_within_20_weeks": "ehcp_20wk_rate",
        "plans_issued_den_ex": "ehcp_20wk_den_ex",
        "plans_issued_20_weeks_ex": "ehcp_20wk_count_ex",
        "PC_plans_issued_20_weeks_ex": "ehcp_20wk_rate_ex",
    },
    classify=topics("age", "sex"),
    breakdown_measures={
        "pc_plans_issued_within_20_weeks": "ehcp_20wk_rate",
        "PC_plans_issued_20_weeks_ex": "ehcp_20wk_rate_ex",
    },
    national_check="plans_issued_den",
)
NEEDS_ALL = Spec(
    measures={"ehc_plans": "ehcp_caseload", **by_need("ehcp_caseload", "number_{}")},
    classify=topics("placement", la_level=False),
    national_check="ehc_plans",
)
NEEDS_NEW = Spec(
    measures={"ehc_plans": "ehcp_new_plans", **by_need("ehcp_new_plans", "number_{}")},
    national_check="ehc_plans",
)
NEW_PLANS = Spec(
    measures={
        "new_ehc_plans": "ehcp_new_plans",
        **by_placement("ehcp_new_plans", PLACEMENTS),
        **by_placement("ehcp_new_plans_pct", PLACEMENT_PCS),
    },
    national_check="new_ehc_plans",
)
REQUESTS = Spec(
    measures={
        "requests_received_in_year": "ehcp_requests",
        "requests_decided_not_to_assess": "ehcp_requests_refused",
        "request_not_assess_pc": "ehcp_requests_refused_pct",
    },
    national_check="requests_received_in_year",
)
REVIEWS = Spec(
    measures={
        "review_expected": "ehcp_reviews_due",
        "total_review_meeting": "ehcp_reviews_held",
        "pc_decsion_4weeks": "ehcp_review_decision_4wk_pct",
    },
    national_check="review_expected",
)


def _loader(name: str, what: str, spec: Spec) -> Loader:
    return release_loader(FOLDER, "ehcp-2025", TITLE, name, what, spec)


LOADERS = [
    _loader("caseload.csv", "EHC plans at January", CASELOAD),
    _loader("timeliness_20_week.csv", "new plans issued within 20 weeks", TIMELINESS),
    _loader("sen_needs_all_plans.csv", "EHC plans by primary need", NEEDS_ALL),
    _loader("sen_need_newplans.csv", "new EHC plans by primary need", NEEDS_NEW),
    _loader("newplans.csv", "new EHC plans by placement", NEW_PLANS),
    _loader("requests.csv", "requests for an EHC needs assessment", REQUESTS),
    _loader("annual_reviews.csv", "annual reviews", REVIEWS),
]

_NOT_USED = (
    "not used by any sendtrust page yet; headline EHC plan figures come from the files loaded"
)
SKIPS = {
    f"{FOLDER}/assessments.csv": "needs assessments; requests.csv and timeliness cover the pages",
    f"{FOLDER}/ceased_plans.csv": _NOT_USED,
    f"{FOLDER}/personal_budgets.csv": _NOT_USED,
    f"{FOLDER}/residential_settings.csv": _NOT_USED,
    f"{FOLDER}/work_based_placements.csv": _NOT_USED,
    "ehcp-2025/supporting-files/sen2_dmo_dco.csv": "yes/no answers per LA (DMO/DCO), not figures",
    "ehcp-2025/supporting-files/send_tribunals_and_appeal_rate_2014-2024.csv": (
        "a formatted table with title rows, not tidy data; the appeal rate loads from LAIT "
        "(SEN_AppealableDec)"
    ),
}
