"""dfe-vocab: the local authority list (old and new codes, region) that other loaders match to."""

from __future__ import annotations

import datetime as dt

from sendtrust.benchmarks.loaders.base import REFERENCE_BATCH_SIZE, Context, read_csv
from sendtrust.benchmarks.loaders.geography import REGIONS
from sendtrust.benchmarks.loaders.runner import Loader
from sendtrust.benchmarks.models import LocalAuthority


def _date(text: str) -> dt.date | None:
    """dd/mm/yyyy as a date, or None when blank."""
    return dt.datetime.strptime(text, "%d/%m/%Y").date() if text.strip() else None


def load_las(ctx: Context) -> None:
    """LocalAuthority rows from las.csv, one per ONS code (live and terminated)."""
    rows, no_number = [], []
    for _, row in read_csv(ctx):
        if not row["old_la_code"].isdigit():
            # Counties that ceased in 2009 have no DfE number ("x"); nothing is keyed by them.
            no_number.append(row["la_name"])
            continue
        region = row["parent_geography_code"]
        rows.append(
            LocalAuthority(
                new_code=row["new_la_code"],
                old_code=row["old_la_code"],
                name=row["la_name"],
                region_code=region if region in REGIONS else "",
                region_name=REGIONS.get(region, ""),
                live=row["status"] == "live",
                valid_from=_date(row["date_of_operation"]),
                valid_to=_date(row["date_of_termination"]),
                dataset=ctx.dataset,
            )
        )
    LocalAuthority.objects.bulk_create(rows, batch_size=REFERENCE_BATCH_SIZE)
    ctx.rows_loaded += len(rows)
    if no_number:
        ctx.note(f"not loaded, no DfE LA number: {', '.join(no_number)}")
    not_in_region = sorted(r.name for r in rows if r.live and not r.region_code)
    if not_in_region:
        ctx.note(f"live LAs without an English region code: {', '.join(not_in_region)}")


LOADERS = [
    Loader(
        "dfe-vocab/las.csv",
        "dfe-vocab",
        "DfE harmonised vocabularies: local authority codes (las.csv)",
        load_las,
    ),
]

SKIPS = {
    "dfe-vocab/region_la_hierarchy.csv": "same LAs and regions as las.csv, which is loaded",
    "dfe-vocab/regions.csv": "the nine regions are built into the loaders (geography.REGIONS)",
    "dfe-vocab/sen.csv": "need labels; loaders map DfE need labels to census codes themselves",
    "dfe-vocab/school-types.csv": "reference labels only; no figures",
    "dfe-vocab/data-dictionary.csv": "reference labels only; no figures",
}
