"""Outcomes by SEN status and need: KS2 and KS4 attainment, KS4 destinations, exclusions."""

from __future__ import annotations

from functools import partial

from sendtrust.benchmarks.loaders.base import When, academic_or_calendar
from sendtrust.benchmarks.loaders.geography import ENGLAND
from sendtrust.benchmarks.loaders.labels import need_code, sen_group
from sendtrust.benchmarks.loaders.runner import Loader
from sendtrust.benchmarks.loaders.tidy import Spec, load_tidy
from sendtrust.benchmarks.models import Phase, SenGroup


def sen_dims(label: str, **dims: str) -> dict[str, str] | str:
    """{'sen': group, **dims}, or why the row is not loaded when the label is unknown."""
    group = sen_group(label)
    return {"sen": group, **dims} if group else f"unrecognised SEN group {label!r}"


def need_dims(label: str, **dims: str) -> dict[str, str] | str:
    """{'need': code, **dims}, or why the row is not loaded when the label is unknown."""
    code = need_code(label)
    return {"need": code, **dims} if code else f"unrecognised primary need {label!r}"


# DfE's own KS2 and KS4 column names, shared by the attainment releases and the SEND dashboard.
KS2_RWM = {
    "t_rwm_eligible_pupils": "ks2_rwm_pupils",
    "t_rwm_met_expected_standard": "ks2_rwm_expected_count",
    "pt_rwm_met_expected_standard": "ks2_rwm_expected_pct",
}
KS4_PROGRESS = {
    "t_pupils": "ks4_pupils",
    "avg_att8": "ks4_attainment8_avg",
    "avg_p8score": "ks4_progress8_avg",
    "p8score_ci_low": "ks4_progress8_ci_low",
    "p8score_ci_upp": "ks4_progress8_ci_high",
}

# --- KS2 national characteristics, 2015/16 to 2021/22 -------------------------------------


def ks2_classify(row: dict[str, str]) -> dict[str, str] | str:
    if row["gender"] != "Total":
        return "gender boys/girls"
    group = row["characteristic_group"]
    if group == "All pupils":
        return {}
    if group == "SEN status":
        return sen_dims(row["characteristic"])
    if group == "SEN primary need":
        return need_dims(row["characteristic"])
    return f"characteristic_group {group!r}"


KS2 = Spec(
    measures={
        **KS2_RWM,
        "pt_rwm_met_higher_standard": "ks2_rwm_higher_pct",
        "avg_read_progress_score": "ks2_read_progress",
        "avg_writta_progress_score": "ks2_writ_progress",
        "avg_mat_progress_score": "ks2_mat_progress",
    },
    classify=ks2_classify,
    parts_check="t_rwm_eligible_pupils",
)

# --- KS4 LA characteristics 2018/19 (national, regional, LA) --------------------------------

OTHER_KS4_BREAKDOWNS = ("gender", "ethnic_major", "free_school_meals", "disadvantage")


def ks4_classify(row: dict[str, str]) -> dict[str, str] | str:
    if any(row[col] != "Total" for col in OTHER_KS4_BREAKDOWNS):
        return "gender, ethnicity, FSM or disadvantage breakdowns"
    breakdown, status, description = row["breakdown"], row["sen_status"], row["sen_description"]
    if breakdown not in ("Total", "SEN status", "SEN description"):
        return f"breakdown {breakdown!r}"
    if breakdown == "SEN status":
        return sen_dims(status)
    if breakdown == "Total" and status == description == "Total":
        return {}
    if breakdown == "Total" and description == "Any SEN":
        return {"sen": SenGroup.ANY_SEN}
    if breakdown == "SEN description" and description == "SEN_Unclassified":
        return {"sen": SenGroup.UNCLASSIFIED}
    # 'No identified SEN' repeats the SEN status 'No SEN' rows; national 'SEN description'
    # rows repeat the 'Total' breakdown.
    return f"sen_description {description!r} under {breakdown!r} (repeats rows loaded)"


KS4 = Spec(
    measures={
        **KS4_PROGRESS,
        "pt_l2basics_94": "ks4_basics_94_pct",
        "pt_l2basics_95": "ks4_basics_95_pct",
        "pt_ebacc_e_ptq_ee": "ks4_ebacc_entry_pct",
        "avg_ebaccaps": "ks4_ebacc_aps",
    },
    classify=ks4_classify,
    national_check="t_pupils",
)

# --- KS4 destinations, national, 2010/11 to 2021/22 -----------------------------------------

DEST_PHASES = {
    "State-funded mainstream & special schools": Phase.ALL,
    "State-funded mainstream schools": Phase.MAINSTREAM,
    "State-funded (inc. non-maintained) special schools": Phase.SPECIAL,
    "Alternative provision": Phase.AP,
}
DEST_PERCENT = {
    "overall": "ks4_dest_sustained_pct",
    "education": "ks4_dest_education_pct",
    "appren": "ks4_dest_apprenticeship_pct",
    "all_work": "ks4_dest_employment_pct",
    "all_notsust": "ks4_dest_not_sustained_pct",
    "all_unknown": "ks4_dest_unknown_pct",
}


def destinations_classify(row: dict[str, str]) -> dict[str, str] | str:
    phase = DEST_PHASES.get(row["institution_group"])
    if phase is None or row["institution_type"] != "Total":
        return "institution groups and types other than the four totals"
    topic, breakdown = row["breakdown_topic"], row["breakdown"]
    if topic == "Total":
        return {"phase": phase}
    if topic == "SEN Provision":
        return sen_dims(breakdown, phase=phase)
    if topic == "SEN Primary Need" and breakdown != "Total":
        return need_dims(breakdown, phase=phase)
    return f"breakdown_topic {topic!r}"


def destinations_columns(row: dict[str, str]) -> dict[str, str]:
    """Percentage rows give the destination shares; count rows give the cohort."""
    return DEST_PERCENT if row["data_type"] == "Percentage" else {"cohort": "ks4_dest_cohort"}


DESTINATIONS = Spec(
    measures=DEST_PERCENT,
    classify=destinations_classify,
    row_measures=destinations_columns,
)

# --- Exclusions by SEN, national, 2011/12 to 2016/17 ----------------------------------------

EXCLUSION_PHASES = {
    "Total": Phase.ALL,
    "State-funded primary": Phase.PRIMARY,
    "State-funded secondary": Phase.SECONDARY,
    "Special": Phase.SPECIAL,
    "special": Phase.SPECIAL,
}


def exclusions_classify(row: dict[str, str]) -> dict[str, str] | str:
    phase = EXCLUSION_PHASES.get(row["school_type"])
    if phase is None:
        return f"school_type {row['school_type']!r}"
    desc, label = row["characteristic_desc"], row["characteristic_1"]
    if desc == "Total":
        return {"phase": phase}
    if desc == "SEN_provision":
        return sen_dims(label, phase=phase)
    if desc == "SEN_primary_need":
        return need_dims(label.removeprefix("SEN_primary_need_"), phase=phase)
    return f"characteristic_desc {desc!r}"


def exclusions_when(row: dict[str, str]) -> When:
    return academic_or_calendar(row["year"])


def national_only(row: dict[str, str], places) -> object:
    return ENGLAND if row["level"] == "NATIONAL" else None


EXCLUSIONS = Spec(
    measures={
        "headcount": "excl_headcount",
        "perm_excl": "excl_permanent",
        "perm_excl_rate": "excl_permanent_rate",
        "fixed_excl": "excl_fixed",
        "fixed_excl_rate": "excl_fixed_rate",
        "one_plus_fixed": "excl_one_plus_fixed",
        "one_plus_fixed_rate": "excl_one_plus_fixed_rate",
    },
    classify=exclusions_classify,
    place=national_only,
    when=exclusions_when,
    parts_check="headcount",
    # This release rounds headcounts to the nearest 5, so parts may miss the total by a few.
    tolerance=10,
)


def _loader(path: str, family: str, title: str, spec: Spec) -> Loader:
    return Loader(path, family, title, partial(load_tidy, spec=spec))


LOADERS = [
    _loader(
        "ks2-characteristics-2016-2022/ks2_national_pupil_characteristics_2016_to_2022_revised.csv",
        "ks2",
        "DfE Key stage 2 attainment by pupil characteristics, 2015/16 to 2021/22",
        KS2,
    ),
    _loader(
        "ks4-la-characteristics-2019/201819_LA_characteristics_data_including_sen_description.csv",
        "ks4",
        "DfE Key stage 4 performance 2019 (revised), by SEN, national, regional and LA",
        KS4,
    ),
    _loader(
        "ks4-destinations-sen/ks4_dm_ud_202122_nat_prov.csv",
        "ks4-destinations",
        "DfE Key stage 4 destination measures, 2010/11 to 2021/22 (provisional)",
        DESTINATIONS,
    ),
    _loader(
        "exclusions-sen-2012-2017/nat_char_201112_to_201617.csv",
        "exclusions",
        "DfE Permanent and fixed-period exclusions by characteristics, 2011/12 to 2016/17",
        EXCLUSIONS,
    ),
]

SKIPS = {
    "ks4-la-characteristics-2019/201819_LA_characteristics_data_including_sen_description.xlsx": (
        "the same table as the CSV beside it, which is loaded"
    ),
    "exclusions-sen-2012-2017/school_list_201718.csv": (
        "a 2017/18 URN to LAESTAB list, no figures; GIAS and the census carry URNs"
    ),
}
