"""SEN in England 2022/23 (January 2023): school totals without URN; need mix by phase per LA."""

from __future__ import annotations

from functools import partial

from sendtrust.benchmarks.loaders.base import Place, When
from sendtrust.benchmarks.loaders.labels import need_code
from sendtrust.benchmarks.loaders.runner import Loader
from sendtrust.benchmarks.loaders.tidy import Spec, load_tidy
from sendtrust.benchmarks.models import Level, Phase

FOLDER = "sen-schools-2023-nyt"
# Neither file has a period column; their totals match DfE's January 2023 figures (SOURCE.md).
WHEN = When("2022/23", 2023)
PHASES = {
    "State-funded primary": Phase.PRIMARY,
    "State-funded secondary": Phase.SECONDARY,
    "State-funded special school": Phase.SPECIAL,
    "Non-maintained special school": Phase.NON_MAINTAINED_SPECIAL,
    "State-funded AP school": Phase.AP,
    "State-funded nursery": Phase.NURSERY,
}


def school_place(row: dict[str, str], places) -> Place | None:
    """The school by name (the file has no URN), in its LA matched by name."""
    la = places.la(name=row["la_name"])
    return Place(Level.SCHOOL, "", row["school_name"].strip(), la.code) if la else None


def la_place(row: dict[str, str], places) -> Place | None:
    return places.la(name=row["la_name"])


def need_by_phase(row: dict[str, str]) -> dict[str, str] | str:
    phase, need = PHASES.get(row["phase_type_grouping"]), need_code(row["primary_need"])
    if phase is None:
        return f"phase_type_grouping {row['phase_type_grouping']!r}"
    return {"phase": phase, "need": need} if need else f"primary_need {row['primary_need']!r}"


def sen_total_differs(row: dict[str, str]) -> str | None:
    """SOURCE.md: Total Sen = SEN support + EHC plan on every row (so it is not stored)."""
    try:
        parts = int(row["SEN support"]) + int(row["EHC plan"])
        differs = parts != int(row["Total Sen"])
    except ValueError:
        return None
    return "SEN support + EHC plan differs from Total Sen" if differs else None


SCHOOLS = Spec(
    measures={
        "Total pupils": "pupils",
        "SEN support": "sen_support_count",
        "EHC plan": "ehcp_count",
    },
    classify=lambda row: {},
    place=school_place,
    when=lambda row: WHEN,
    row_check=sen_total_differs,
)
NEED_MIX = Spec(
    measures={
        "number_of_pupils": "sen_need_count",
        "pupil_gender_boys": "sen_need_boys",
        "pupil_gender_girls": "sen_need_girls",
    },
    classify=need_by_phase,
    place=la_place,
    when=lambda row: WHEN,
)


LOADERS = [
    Loader(
        f"{FOLDER}/sen_school_wise.csv",
        "sen-schools-2023",
        "DfE Special educational needs in England 2022/23, school level (no URN; "
        "third-party extract sen_school_wise.csv)",
        partial(load_tidy, spec=SCHOOLS),
    ),
    Loader(
        f"{FOLDER}/sen_disability_type.csv",
        "sen-schools-2023",
        "DfE Special educational needs in England 2022/23, pupils with SEN by phase and "
        "primary need (sen_disability_type.csv)",
        partial(load_tidy, spec=NEED_MIX),
    ),
]
SKIPS: dict[str, str] = {}
