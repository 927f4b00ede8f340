"""The pieces every national figure uses: places, sources, reading loaded DfE figures.

A figure reads one DfE file at a time (`read`), so a numerator and its denominator always
come from the same file and row; every table carries the file, year, geography and kind of
school it describes in its notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from sendtrust.analytics.tables import Table
from sendtrust.benchmarks.models import SYMBOL_MEANINGS, Dataset, Figure, Level, LocalAuthority

ENGLAND = "E92000001"


@dataclass(frozen=True)
class Area:
    """England or one local authority (old 3-digit DfE number) shown on the page."""

    code: str
    name: str
    level: str


ENGLAND_AREA = Area(ENGLAND, "England", Level.NATIONAL)


def areas_for(las: Iterable[tuple[str, str]]) -> list[Area]:
    """England, then each local authority given as (old code, name), named as dfe-vocab has it."""
    las = list(las)
    codes = [code for code, _ in las]
    names = dict(
        LocalAuthority.objects.filter(old_code__in=codes)
        .order_by("live")
        .values_list("old_code", "name")
    )
    return [ENGLAND_AREA] + [
        Area(code, names.get(code) or name or f"LA {code}", Level.LA) for code, name in las
    ]


@dataclass(frozen=True)
class Source:
    """One DfE file as a figure uses it: what geography and kind of school it covers."""

    key: str  # the file's path in the data folder (Dataset.key)
    geography: str
    kind: str


@dataclass
class NationalFigure:
    """One headline figure: a table (the figures), a chart spec, a one-sentence reading."""

    key: str
    title: str
    table: Table
    reading: str
    spec: dict | None = None
    group: str = ""
    missing: list[str] = field(default_factory=list)


def cell(value: float | None, symbol: str):
    """A number, or what the DfE symbol in its place means (e.g. 'suppressed')."""
    if value is not None:
        return value
    return SYMBOL_MEANINGS.get(symbol, "not available")


class Found:
    """Figures read from one file, looked up by measure, place, year and breakdown."""

    def __init__(self, source: Source, rows: list[tuple], dataset: Dataset | None):
        self.source = source
        self.dataset = dataset
        self.file_name = dataset.file_name if dataset else ""
        self.cells: dict[tuple, tuple[float | None, str]] = {}
        self.periods: dict[int, str] = {}
        for measure, code, year, period, phase, sen, need, breakdown, value, symbol in rows:
            self.cells[(measure, code, year, phase, sen, need, breakdown)] = (value, symbol)
            self.periods[year] = period

    def get(self, measure: str, code: str, year: int, phase: str = "", sen: str = "",
            need: str = "", breakdown: str = "") -> tuple[float | None, str] | None:
        return self.cells.get((measure, code, year, phase, sen, need, breakdown))

    def value(self, *args, **kwargs) -> float | None:
        found = self.get(*args, **kwargs)
        return None if found is None else found[0]

    def shown(self, *args, **kwargs):
        """The value, the meaning of its symbol, or None when the file has no such row."""
        found = self.get(*args, **kwargs)
        return None if found is None else cell(*found)

    def count(self, *args, **kwargs):
        """Like shown, with a number as a whole count (DfE counts are integers)."""
        shown = self.shown(*args, **kwargs)
        return round(shown) if isinstance(shown, float) else shown

    def years(self, measure: str, code: str, **dims: str) -> list[int]:
        want = tuple(dims.get(k, "") for k in ("phase", "sen", "need", "breakdown"))
        return sorted(
            {k[2] for k in self.cells if k[0] == measure and k[1] == code and k[3:] == want}
        )

    def source_note(self) -> str:
        """'Source: <title> (<file>); <geography>; <kind of school>.'"""
        if self.dataset is None:
            return f"Source: {self.source.key} is not loaded (manage.py load_benchmarks)."
        title, name = self.dataset.title, self.dataset.file_name
        named = title if name in title else f"{title} (file {name})"
        return f"Source: {named}; {self.source.geography}; {self.source.kind}."


def read(source: Source, measures: Iterable[str], areas: list[Area], **filters) -> Found:
    """Figures of the given measures for England and the areas' LAs from one file.

    filters narrow phase, sen, need or breakdown (e.g. breakdown="" for headline rows, or
    breakdown__startswith="placement="). One query, or two when the file has no such figure.
    """
    las = [a.code for a in areas if a.level == Level.LA]
    where = Q(level=Level.NATIONAL, geo_code=ENGLAND)
    if las:
        where |= Q(level=Level.LA, geo_code__in=las)
    # One query: the file's figures joined to its Dataset row (by the unique key).
    rows = list(
        Figure.objects.filter(where, dataset__key=source.key, measure_id__in=list(measures),
                              **filters)
        .values_list("measure_id", "geo_code", "year", "period", "phase", "sen", "need",
                     "breakdown", "value", "symbol", "dataset_id", "dataset__title",
                     "dataset__file_name")
    )
    if rows:
        pk, title, file_name = rows[0][-3:]
        dataset = Dataset(pk=pk, key=source.key, title=title, file_name=file_name)
    else:
        dataset = Dataset.objects.filter(key=source.key).first()
    return Found(source, [row[:-3] for row in rows], dataset)


def change(now: float | None, before: float | None) -> tuple[float | None, float | None]:
    """(difference, per cent change) between two counts; None where either is missing."""
    if now is None or before is None:
        return None, None
    diff = now - before
    return diff, (round(100 * diff / before, 1) if before else None)


def share(part: float | None, whole: float | None) -> float | None:
    """part as a percentage of whole, to one decimal; None where either is missing."""
    if part is None or not whole:
        return None
    return round(100 * part / whole, 1)


def fmt_count(value: float) -> str:
    return f"{value:,.0f}"


def fmt_signed(value: float) -> str:
    return f"{value:+.1f}%".replace("-", "−")


def number(value: float) -> str:
    """A count as 1,234; anything else (a rate) to one decimal place."""
    return fmt_count(value) if float(value).is_integer() else f"{value:.1f}"


def splice(later: Found, earlier: Found | None, measure: str, earlier_measure: str,
           code: str) -> list[tuple[int, Found, str]]:
    """(year, file, measure) for a place: the later release's years, and before its first
    year those of the earlier release (never both for one year)."""
    years = later.years(measure, code)
    first = years[0] if years else None
    out = []
    if earlier is not None:
        out = [(y, earlier, earlier_measure) for y in earlier.years(earlier_measure, code)
               if first is None or y < first]
    return out + [(y, later, measure) for y in years]


def revisions(later: Found, earlier: Found | None, pairs: dict[str, str], areas: list[Area],
              when) -> str | None:
    """One line on the years two releases both hold: whether the later one revised them."""
    if earlier is None or earlier.dataset is None:
        return None
    overlap: set[int] = set()
    differ = []
    for area in areas:
        for measure, earlier_measure in pairs.items():
            both = set(later.years(measure, area.code)) & set(
                earlier.years(earlier_measure, area.code))
            overlap |= both
            for year in sorted(both):
                old = earlier.value(earlier_measure, area.code, year)
                new = later.value(measure, area.code, year)
                if old is not None and new is not None and old != new:
                    differ.append(f"{area.name}, {when(year)}: {number(old)} in "
                                  f"{earlier.file_name}, {number(new)} in {later.file_name}")
    if not overlap:
        return None
    span = f"{when(min(overlap))} to {when(max(overlap))}"
    if not differ:
        return (f"Both releases hold {span} ({earlier.file_name} and {later.file_name}); their "
                "figures agree for every place shown, and the page uses the later one.")
    more = f" and {len(differ) - 10} more" if len(differ) > 10 else ""
    return (f"Both releases hold {span}; the page uses the later ({later.file_name}), which "
            f"differs from the earlier ({earlier.file_name}) here: "
            + "; ".join(differ[:10]) + more + ".")

