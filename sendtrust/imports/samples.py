"""Synthetic census files for tests and the import benchmark: made-up pupils, valid UPNs."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from sendtrust.imports.census import HEADERS, format_flag, format_year
from sendtrust.lib.upn import make_upn

# Close to England's mix (DOMAIN.md): 14% SEN support, 5% EHC plans.
_PROVISIONS = ["N"] * 81 + ["K"] * 14 + ["E"] * 5
_NEEDS = ["SLCN", "ASD", "SEMH", "MLD", "SPLD", "OTH", "PD", "HI", "VI", "SLD"]
_FORENAMES = ["Alex", "Sam", "Jordan", "Robin", "Charlie", "Jamie", "Morgan", "Riley", "Kit"]
_SURNAMES = ["Ash", "Birch", "Cedar", "Elm", "Fir", "Hazel", "Larch", "Oak", "Rowan", "Yew"]


def sample_rows(rows: int, *, school_la: int = 801, seed: int = 0, year: int | None = None):
    """Yield rows of census cells (HEADERS order) for made-up pupils aged 4 to 16 in `year`.

    UPNs are unique within a seed and differ between seeds 0 to 7 (up to 250,000 rows each).
    Their establishment numbers (8000 to 9999) are outside those of the demo trust, and their
    issue year (23) is not the test factories' (24), so they never clash with either.
    """
    rng = random.Random(seed)
    year = year or dt.date.today().year
    estab = 8000 + 250 * (seed % 8)
    for i in range(rows):
        provision = rng.choice(_PROVISIONS)
        primary = secondary = ""
        if provision != "N":
            primary = rng.choice(_NEEDS)
            if rng.random() < 0.3:
                secondary = rng.choice([n for n in _NEEDS if n != primary])
        nc_year = rng.randint(0, 11)
        yield [
            make_upn(school_la, estab + i // 1000, 23, i % 1000),
            f"{rng.choice(_SURNAMES)}-{i}",
            rng.choice(_FORENAMES),
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year - 5 - nc_year}",
            rng.choice("MF"),
            format_year(nc_year),
            provision,
            primary,
            secondary,
            format_flag(rng.random() < 0.25),
            format_flag(rng.random() < 0.3),
            format_flag(rng.random() < 0.2),
            format_flag(rng.random() < 0.01),
        ]


def write_sample_csv(path, rows: int, *, school_la: int = 801, seed: int = 0) -> Path:
    """Write a census CSV of `rows` synthetic pupils with SEN data; return its path."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerows(sample_rows(rows, school_la=school_la, seed=seed))
    return path
