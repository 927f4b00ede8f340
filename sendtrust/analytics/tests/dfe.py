"""Figures computed independently from the shipped DfE files with pandas, for tests."""

from pathlib import Path

import pandas as pd
from django.conf import settings

CENSUS = "school-census-2019-perf-tables/england_census.csv"


def census_2019() -> pd.DataFrame:
    """The 2019 school census file's school rows (no national rows)."""
    df = pd.read_csv(Path(settings.SENDTRUST_DATA_DIR) / CENSUS, dtype={"URN": str, "LA": str},
                     na_values=["NA", "SUPP", "NE", "x", ""], encoding="utf-8-sig")
    return df[df.URN != "NAT"]


def census_rates(school_type: str, la: str | None = None) -> tuple[float, float]:
    """SEN support and EHC plan % of one kind of school, summed from the school rows (a row
    counts for a measure where its pupils and the count are published, count <= pupils)."""
    df = census_2019()
    df = df[(df.SCHOOLTYPE == school_type) & (df.NOR > 0)]
    if la is not None:
        df = df[df.LA == la]
    out = []
    for col in ("TSENELK", "TSENELSE"):
        ok = df[df[col].notna() & (df[col] <= df.NOR)]
        out.append(round(100 * ok[col].sum() / ok.NOR.sum(), 1))
    return out[0], out[1]
