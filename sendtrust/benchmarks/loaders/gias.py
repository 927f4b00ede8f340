"""GIAS reference tables: establishments with their trust (London extract) and URN links."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from sendtrust.benchmarks.loaders.base import Context, CsvTable, insert_rows, read_csv
from sendtrust.benchmarks.loaders.runner import Loader
from sendtrust.benchmarks.models import Establishment, EstablishmentLink

ESTABLISHMENT_COLUMNS = (
    "urn", "name", "la_code", "la_name", "type_name", "phase", "status", "trust_code",
    "trust_name", "town", "postcode", "pupils", "dataset_id",
)  # fmt: skip
LINK_COLUMNS = ("urn", "linked_urn", "linked_name", "link_type", "established", "dataset_id")


def _pupils(ctx: Context, text: str, line: int) -> int | None:
    """NumberOfPupils is float text ('249.0'); blank means not recorded."""
    if not text.strip():
        return None
    try:
        return int(float(text))
    except ValueError:
        raise ctx.error(f"pupil_count {text!r} is not a number", line) from None


def load_establishments(ctx: Context) -> None:
    """Establishment rows (URN, name, LA, type, phase, trust) from the London GIAS extract."""
    rows, seen = [], set()
    for line, row in read_csv(ctx):
        urn = row["urn"].strip()
        if not urn.isdigit() or urn in seen:
            raise ctx.error(f"URN {urn!r} is not a number or appears twice", line)
        seen.add(urn)
        rows.append(
            (
                urn,
                row["school_name"].strip(),
                row["la_code"].strip(),
                row["la_name"].strip(),
                row["school_type"].strip(),
                row["phase"].strip(),
                "",  # the extract lists open establishments and has no status column
                row["trust_code"].strip(),
                row["trust_name"].strip(),
                row["town"].strip(),
                row["postcode"].strip(),
                _pupils(ctx, row["pupil_count"], line),
                ctx.dataset.pk,
            )
        )
    _replace_urns(ctx, Establishment, seen)
    insert_rows(Establishment, ESTABLISHMENT_COLUMNS, rows)
    ctx.rows_loaded += len(rows)


def _replace_urns(ctx: Context, model, urns: set[str]) -> None:
    """URNs are unique across files: a URN another GIAS file loaded is replaced, and noted."""
    clash = model.objects.filter(urn__in=urns).exclude(dataset=ctx.dataset)
    if count := clash.count():
        ctx.note(f"{count} establishment(s) loaded earlier from another file replaced")
        clash.delete()


def _date(ctx: Context, text: str, line: int) -> str | None:
    """GIAS dates are dd-mm-yyyy; returned as ISO text for the database, None when blank."""
    try:
        return _iso_date(text)
    except ValueError:
        raise ctx.error(f"LinkEstablishedDate {text!r} is not dd-mm-yyyy", line) from None


@lru_cache(maxsize=65_536)
def _iso_date(text: str) -> str | None:
    """dd-mm-yyyy as ISO text (None when blank); 34,000 links share a few thousand dates."""
    if not text.strip():
        return None
    return dt.datetime.strptime(text.strip(), "%d-%m-%Y").date().isoformat()


def load_links(ctx: Context) -> None:
    """EstablishmentLink rows (predecessor/successor URNs) from the GIAS links file."""
    rows = []
    dataset_id = ctx.dataset.pk
    with CsvTable(ctx, encoding="cp1252") as table:
        urn_at, linked_at, name_at, type_at, date_at = table.columns(
            "URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"
        )
        for line, row in table.rows():
            urn, linked = row[urn_at].strip(), row[linked_at].strip()
            if not (urn.isdigit() and linked.isdigit()):
                raise ctx.error(f"URN {urn!r} or LinkURN {linked!r} is not a number", line)
            established = _date(ctx, row[date_at], line)
            rows.append(
                (
                    urn,
                    linked,
                    row[name_at].strip(),
                    row[type_at].strip(),
                    established,
                    dataset_id,
                )
            )
    insert_rows(EstablishmentLink, LINK_COLUMNS, rows)
    ctx.rows_loaded += len(rows)


LOADERS = [
    Loader(
        "gias-london-2025/london_schools_gias.csv",
        "gias",
        "Get Information About Schools, London establishments with trusts (2025 extract)",
        load_establishments,
    ),
    Loader(
        "gias-links-2025/links_edubasealldata20250422.csv",
        "gias",
        "Get Information About Schools, establishment links, 22 April 2025",
        load_links,
    ),
]
SKIPS = {
    "gias-links-2025/edubasealldata20250422-establishment-types.csv": (
        "type names only; establishments carry their type name"
    ),
}
