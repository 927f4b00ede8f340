"""The pandas side of the DfE load bench (`benchmarks/bench.py`): what pandas is told about each
file (only the columns the loader reads) and how it makes the same long figure table.

Written as a pandas author would: read_csv of the used columns as text, the loader's own
mapping functions once per distinct key, melt, pd.to_numeric. Kept apart from the timing in
bench.py so that each module is one idea; the fairness tests compare these frames with what
the loaders store.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

CENSUS = "school-census-2019-perf-tables/england_census.csv"
LAIT = "lait-2026/bds_long_sen_subset.csv"


class _Seen(dict):
    """A row that records which columns a loader's function reads."""

    def __init__(self, row: dict[str, str], seen: set[str]):
        super().__init__(row)
        self.seen = seen

    def __getitem__(self, key):
        self.seen.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.seen.add(key)
        return super().get(key, default)


@dataclass
class Comparator:
    """What pandas is told about one file: its columns, and how to make the long table.

    The columns a tidy loader reads are found once, before any timing, by running its Spec's
    functions over the file's rows (what a pandas author would write down by hand).
    """

    loader: object
    path: Path
    encoding: str = "utf-8-sig"
    place_cols: tuple[str, ...] = ()
    rest_cols: tuple[str, ...] = ()
    value_cols: tuple[str, ...] = ()

    @classmethod
    def for_loader(cls, data: Path, loader) -> Comparator:
        path = data / loader.path
        if loader.path in (CENSUS, LAIT):
            return cls(loader, path)
        from sendtrust.benchmarks.loaders.geography import Places
        from sendtrust.benchmarks.loaders.tidy import _columns

        spec = loader.load.keywords["spec"]
        places = Places()
        place, rest, values = set(), set(), {}
        with path.open(newline="", encoding=spec.encoding) as handle:
            reader = csv.reader(handle)
            header = [c.strip() for c in next(reader)]
            for fields in reader:
                row = dict(zip(header, fields, strict=True))
                dims = spec.classify(_Seen(row, rest))
                if isinstance(dims, str):
                    continue
                spec.when(_Seen(row, rest))
                columns = _columns(spec, _Seen(row, rest), dims)
                if spec.place(_Seen(row, place), places) is not None:
                    values.update(dict.fromkeys(columns))
        known = set(header)
        assert not set(values) & (place | rest), f"{loader.path}: a value column is also a key"
        return cls(loader, path, spec.encoding, tuple(sorted(place & known)),
                   tuple(sorted(rest & known)), tuple(values))

    def frame(self, dataset_id: int):
        """The file's figures as a DataFrame in FIGURE_COLUMNS order."""
        if self.loader.path == CENSUS:
            return _census_frame(self.path, dataset_id)
        if self.loader.path == LAIT:
            return _lait_frame(self.path, dataset_id)
        return _tidy_frame(self, dataset_id)


def _read(path: Path, columns, encoding: str = "utf-8-sig"):
    """The named columns only, every cell as text (symbols and blanks kept as they are)."""
    import pandas as pd

    wanted = set(columns)
    frame = pd.read_csv(path, usecols=lambda c: c.strip() in wanted, dtype=str,
                        keep_default_na=False, encoding=encoding)
    return frame.rename(columns=str.strip)


def _cells(text):
    """(value, symbol) Series from cell texts: a number, or NaN with the DfE symbol.

    Cells are not stripped of spaces (the loaders strip them): DfE files have none to strip.
    """
    import pandas as pd

    value = pd.to_numeric(text, errors="coerce")
    return value, text.where(value.isna(), "")


def _f(*names: str, **values):
    """Column names (or a dict of columns) prefixed "f:", apart from any the file has."""
    if values:
        return {f"f:{name}": value for name, value in values.items()}
    return [f"f:{name}" for name in names]


def _figures(dataset_id: int, long, value, symbol):
    import pandas as pd

    from sendtrust.benchmarks.loaders.base import FIGURE_COLUMNS

    # The parts of the figure are named "f:<column>", apart from the file's own columns.
    out = {"dataset_id": dataset_id}
    out.update((name, long[f"f:{name}"]) for name in FIGURE_COLUMNS[1:-2])
    return pd.DataFrame({**out, "value": value, "symbol": symbol})[list(FIGURE_COLUMNS)]


def _tidy_frame(comp: Comparator, dataset_id: int):
    """A tidy file: mapping functions once per distinct key, merged in, then melted."""
    import pandas as pd

    from sendtrust.benchmarks.loaders.geography import Places
    from sendtrust.benchmarks.loaders.tidy import _columns, _plan

    spec = comp.loader.load.keywords["spec"]
    rest, place = list(comp.rest_cols), list(comp.place_cols)
    keys = list(dict.fromkeys(rest + place))
    frame = _read(comp.path, [*keys, *comp.value_cols], comp.encoding)

    class Writer:  # _plan's measure check, without a FigureWriter
        def use(self, measure):
            return measure

    plans = []
    for values in _distinct(frame, rest):
        row = dict(zip(rest, values, strict=True))
        dims = spec.classify(row)
        if isinstance(dims, str):
            continue
        when = spec.when(row)
        for _, column, measure, tail in _plan(Writer(), _Index(), _columns(spec, row, dims), dims):
            plans.append((*values, column, measure, when.period, when.year, *tail))
    plan = pd.DataFrame(plans, columns=[*rest, *_f("column", "measure_id", "period", "year",
                                                   "phase", "sen", "need", "breakdown")])
    places, geo = Places(), []
    for values in _distinct(frame, place):
        where = spec.place(dict(zip(place, values, strict=True)), places)
        if where is not None:
            geo.append((*values, where.level, where.code, where.name, where.la_code))
    geo = pd.DataFrame(geo, columns=[*place, *_f("level", "geo_code", "geo_name", "la_code")])
    long = frame.melt(id_vars=keys, value_vars=list(comp.value_cols), var_name="f:column",
                      value_name="f:text")
    long = long.merge(plan, on=[*rest, "f:column"])
    long = long.merge(geo, on=place) if place else long.merge(geo, how="cross")
    return _figures(dataset_id, long, *_cells(long["f:text"]))


def _distinct(frame, columns: list[str]) -> list[tuple]:
    """The distinct combinations of the columns' values ([()] for no columns)."""
    if not columns:
        return [()]
    return list(frame[columns].drop_duplicates().itertuples(index=False, name=None))


class _Index(dict):
    """_plan wants column positions; pandas needs none."""

    def __missing__(self, key):
        return 0


def _census_frame(path: Path, dataset_id: int):
    """Schools and NAT rows melted; LA sums per phase from the complete school rows."""
    import pandas as pd

    from sendtrust.benchmarks.loaders.census2019 import (
        COLUMNS,
        LA_SUMMED,
        NATIONAL_PHASES,
        SCHOOL_TYPES,
        WHEN,
    )
    from sendtrust.benchmarks.loaders.geography import ENGLAND

    frame = _read(path, ["URN", "LA", "ESTAB", "SCHOOLTYPE", *COLUMNS])
    nat = frame["URN"] == "NAT"
    schools, national = frame[~nat].copy(), frame[nat].copy()
    types = {k: str(v) for k, v in SCHOOL_TYPES.items()}
    schools["f:phase"] = schools["SCHOOLTYPE"].map(types).fillna("")
    national["f:phase"] = national["ESTAB"].map({k: str(v) for k, v in NATIONAL_PHASES.items()})
    parts = []
    for rows, level, code, name, la in (
        (schools, "school", schools["URN"], "", schools["LA"]),
        (national, ENGLAND.level, ENGLAND.code, ENGLAND.name, ""),
    ):
        rows = rows.assign(**_f(level=str(level), geo_code=code, geo_name=name, la_code=la))
        long = rows.melt(id_vars=_f("level", "geo_code", "geo_name", "la_code", "phase"),
                         value_vars=list(COLUMNS), var_name="f:column", value_name="f:text")
        value, symbol = _cells(long["f:text"])
        parts.append((long.assign(**_f(measure_id=long["f:column"].map(COLUMNS))), value, symbol))
    # LA figures per phase: sums over the schools with NOR, TSENELSE and TSENELK all given.
    lookup = _read(path.with_name("la_and_region_codes_meta.csv"), ["LEA", "LA Name"])
    names = dict(zip(lookup["LEA"], lookup["LA Name"], strict=True))
    phased = schools[schools["f:phase"] != ""]
    counts = phased[LA_SUMMED].apply(pd.to_numeric, errors="coerce")
    counts = counts.where(counts.notna().all(axis=1), 0)
    sums = counts.groupby([phased["LA"], phased["f:phase"]]).sum()
    sums.columns = ["pupils", "ehcp_count", "sen_support_count"]
    for part, rate in (("ehcp_count", "ehcp_rate"), ("sen_support_count", "sen_support_rate")):
        sums[rate] = (100 * sums[part] / sums["pupils"]).round(1).where(sums["pupils"] != 0)
    long = sums.reset_index().melt(id_vars=["LA", "f:phase"], var_name="f:measure_id",
                                   value_name="value")
    long = long.assign(**_f(level="la", geo_code=long["LA"], la_code=long["LA"],
                            geo_name=long["LA"].map(names).fillna("")))
    parts.append((long, long["value"], long["value"].isna().map({True: "z", False: ""})))
    out = []
    for long, value, symbol in parts:
        long = long.assign(**_f(period=WHEN.period, year=WHEN.year, sen="", need="", breakdown=""))
        out.append(_figures(dataset_id, long, value, symbol))
    return pd.concat(out, ignore_index=True)


def _lait_frame(path: Path, dataset_id: int):
    """LAIT is long already: places and indicators mapped once per distinct key."""
    import pandas as pd

    from sendtrust.benchmarks.loaders.lait import CANONICAL, lait_period, lait_place

    frame = _read(path, ["Short Desc", "Data item", "Years", "LA and Regions", "Values",
                         "LA Number"])
    where = []
    keys = frame[["Years", "LA Number", "LA and Regions"]].drop_duplicates()
    for years, number, name in keys.itertuples(index=False, name=None):
        when = lait_period(years)
        place = lait_place({"LA Number": number, "LA and Regions": name})
        where.append((years, number, name, when.period, when.year, place.level, place.code,
                      place.name, place.la_code))
    where = pd.DataFrame(where, columns=["Years", "LA Number", "LA and Regions",
                                         *_f("period", "year", "level", "geo_code", "geo_name",
                                             "la_code")])
    what = []
    for short in frame["Short Desc"].drop_duplicates():
        indicator = short.strip()
        measure, sen, phase = CANONICAL.get(indicator, (f"lait:{indicator}"[:64], "", ""))
        what.append((short, measure, str(phase), str(sen)))
    what = pd.DataFrame(what, columns=["Short Desc", *_f("measure_id", "phase", "sen")])
    long = frame.merge(where, on=["Years", "LA Number", "LA and Regions"]).merge(
        what, on="Short Desc")
    long = long.assign(**_f(need="", breakdown=""))
    return _figures(dataset_id, long, *_cells(long["Values"]))
