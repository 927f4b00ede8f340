"""A small GIAS + census fixture in the real files' layout, loaded with the real loaders.

Tests (and the browser test) read their expected figures from these rows, never from the
real data folder, which they do not need.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sendtrust.benchmarks.loaders import LOADERS, SKIPS
from sendtrust.benchmarks.loaders.runner import load_file, plan

OAK = "TR01234"  # written as in the brief
ELM = "3320.0"  # written as this GIAS extract writes numeric trust codes

GIAS_HEADER = [
    "urn", "school_name", "la_code", "la_name", "school_type", "phase", "address_1",
    "address_2", "address_3", "town", "county", "postcode", "website", "trust_code",
    "trust_name", "pupil_count",
]  # fmt: skip
# urn, name, LA code, LA name, type, phase, trust code, trust name, pupils
GIAS_ROWS = [
    ("500001", "Oak Primary Academy", "202", "Camden", "Academy converter", "Primary",
     OAK, "OAK LEARNING TRUST", "410.0"),
    ("500002", "Oak Secondary Academy", "202", "Camden", "Academy sponsor led", "Secondary",
     OAK, "OAK LEARNING TRUST", "1020.0"),
    ("500003", "Oak Special Academy", "203", "Greenwich", "Academy special converter",
     "Not applicable", OAK, "OAK LEARNING TRUST", "95.0"),
    ("100001", "Alder Primary", "801", "Bristol, City of", "Academy converter", "Primary",
     OAK, "OAK LEARNING TRUST", "300.0"),  # URN of the test cast's (real) school A
    ("500010", "Elm Free School", "203", "Greenwich", "Free schools", "Primary",
     ELM, "ELM SCHOOLS TRUST", ""),
    ("500020", "Birchwood Community School", "202", "Camden", "Community school", "Primary",
     "", "", "200.0"),
]
CENSUS_HEADER = [
    "URN", "LA", "ESTAB", "SCHOOLTYPE", "NOR", "NORG", "NORB", "PNORG", "PNORB", "TSENELSE",
    "PSENELSE", "TSENELK", "PSENELK", "NUMEAL", "NUMENGFL", "NUMUNCFL", "PNUMEAL", "PNUMENGFL",
    "PNUMUNCFL", "NUMFSM", "NUMFSMEVER", "PNUMFSMEVER",
]  # fmt: skip
# URN, LA, ESTAB, school type, NOR, EHC plans, EHC %, SEN support, SEN support %
CENSUS_ROWS = [
    ("500001", "202", "2001", "State-funded primary", 400, 8, 2.0, 60, 15.0),
    ("500002", "202", "4001", "State-funded secondary", 1000, 25, 2.5, 110, 11.0),
    # Oak Special Academy's figures are its predecessor's (URN 400003, before conversion).
    ("400003", "203", "7001", "State-funded special school", 90, 88, 97.8, 2, 2.2),
    ("500020", "202", "2002", "State-funded primary", 200, 2, 1.0, 20, 10.0),
    ("NAT", "", "PRI", "State-funded primary", 600, 10, 1.7, 80, 13.3),
    ("NAT", "", "SEC", "State-funded secondary", 1000, 25, 2.5, 110, 11.0),
    ("NAT", "", "SPE", "State-funded special school", 90, 88, 97.8, 2, 2.2),
]
LINKS = [("500003", "400003", "Oak Special School", "Predecessor", "01-09-2020"),
         ("400003", "500003", "Oak Special Academy", "Successor", "01-09-2020")]

GIAS = "gias-london-2025/london_schools_gias.csv"
CENSUS = "school-census-2019-perf-tables/england_census.csv"
LINKS_FILE = "gias-links-2025/links_edubasealldata20250422.csv"


def gias_row(urn, name, la, la_name, kind, phase, code, trust, pupils):
    return [urn, name, la, la_name, kind, phase, "", "", "", "London", "", "", "", code,
            trust, pupils]


def census_row(urn, la, estab, kind, nor, ehcp, ehcp_pct, support, support_pct):
    half = nor // 2
    return [urn, la, estab, kind, nor, half, nor - half, 50, 50, ehcp, ehcp_pct, support,
            support_pct, 0, nor, 0, 0, 100, 0, 0, 0, 0]


def _write(path: Path, header, rows, encoding="utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_public_data(root: Path, gias_rows=GIAS_ROWS) -> Path:
    """Write the three files under root, in the real folder layout; return root."""
    _write(root / GIAS, GIAS_HEADER, [gias_row(*r) for r in gias_rows])
    _write(root / CENSUS, CENSUS_HEADER, [census_row(*r) for r in CENSUS_ROWS])
    _write(root / LINKS_FILE, ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"],
           LINKS, encoding="cp1252")
    return root


def load_public_data(root: Path, gias_rows=GIAS_ROWS) -> None:
    """Write the files and load them with the real loaders (each all-or-nothing)."""
    write_public_data(root, gias_rows)
    loaders, _, _ = plan(root, LOADERS, SKIPS)
    for loader in loaders:
        outcome = load_file(root, loader)
        assert outcome.status == "loaded", outcome.message


def census(urn: str) -> dict:
    """The fixture's census row for a URN, by column name."""
    row = next(r for r in CENSUS_ROWS if r[0] == urn)
    return dict(zip(["URN", "LA", "ESTAB", "SCHOOLTYPE", "NOR", "TSENELSE", "PSENELSE",
                     "TSENELK", "PSENELK"], row, strict=True))
