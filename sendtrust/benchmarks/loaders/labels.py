"""DfE's many spellings of SEN groups and primary needs, mapped to sendtrust's codes."""

from __future__ import annotations

import re
from functools import lru_cache

from sendtrust.benchmarks.models import SenGroup


def _plain(label: str) -> str:
    """Lower-case words only: 'SEN_provision_SEN_with_statement_EHC' -> 'sen provision ...'."""
    return " ".join(re.sub(r"[^a-z]+", " ", label.lower()).split())


SEN_GROUPS = {
    SenGroup.EHCP: [
        "EHC plan",
        "EHCP or Statement",
        "EHC plan or Statement",
        "SEN State EHC",
        "Statement of SEN",
        "Statement of SEN/Education Health and Care plan",
        "SEN_provision_SEN_with_statement_EHC",
        "pupils with EHC plans",
        "Education, health and care plan",
    ],
    SenGroup.SEN_SUPPORT: [
        "SEN support",
        "SEN Supp",
        "School Action/SEN support",
        # Before 2014/15: School Action or School Action Plus, i.e. SEN without a statement.
        "School Action/plus",
        "SEN_provision_SEN_without_statement",
        "pupils with SEN support",
        "SEN support / SEN without an EHC plan",
    ],
    SenGroup.NO_SEN: [
        "No SEN",
        "No identified SEN",
        "SEN_Provision_No_SEN",
        "No identified special educational need",
        "No SEN provision",
    ],
    SenGroup.ANY_SEN: ["All SEN", "Any SEN", "Identified SEN", "Any special educational need"],
    SenGroup.UNCLASSIFIED: ["SEN unclassified", "SEN_Unclassified", "SEN_provision_Unclassified"],
}
_SEN_BY_PLAIN = {_plain(label): group for group, labels in SEN_GROUPS.items() for label in labels}

# Census need codes, found by words in DfE's labels (checked in this order).
NEED_WORDS = [
    ("PMLD", ("profound",)),
    ("SPLD", ("specific learning",)),
    ("MLD", ("moderate learning",)),
    ("SLD", ("severe learning",)),
    ("SEMH", ("social emotional and mental",)),
    # Behavioural, emotional and social difficulties: the category SEMH replaced in 2015.
    ("BESD", ("behaviour",)),
    ("SLCN", ("speech language",)),
    ("ASD", ("autis",)),
    ("HI", ("hearing",)),
    ("VI", ("visual", "vision")),
    ("MSI", ("multi sensory", "multisensory")),
    ("PD", ("physical",)),
    ("NSA", ("no specialist assessment",)),
    ("DS", ("down syndrome",)),
    ("OTH", ("other difficulty",)),
    ("UNK", ("unknown", "not recorded", "no primary need")),
]
NEED_CODES = {code for code, _ in NEED_WORDS}


@lru_cache(maxsize=4096)
def sen_group(label: str) -> str | None:
    """The SenGroup value for a DfE SEN status/provision label, or None if unknown."""
    return _SEN_BY_PLAIN.get(_plain(label))


@lru_cache(maxsize=4096)
def need_code(label: str) -> str | None:
    """The census need code (ASD, SEMH, ...) for a DfE primary-need label, or None."""
    if label.strip().upper() in NEED_CODES:
        return label.strip().upper()
    plain = _plain(label)
    for code, words in NEED_WORDS:
        if any(word in plain for word in words):
            return code
    return None
