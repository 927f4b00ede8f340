"""Synthetic benchmark figures shaped like the loaded DfE files, for tests and browser tests.

Tests must not depend on the real DfE folder, so this writes a small, fixed, seeded set of
`Figure` rows with the same measures, levels and phases the loaders write: a school-level
census (with overdispersion, as real schools have), national series, LA need mix, EHC plan
timeliness and outcomes by SEN status. `SYNTH` keeps the numbers written, so tests compute
what to expect from the data, not from the code under test.
"""

from __future__ import annotations

import numpy as np
from django.utils import timezone

from sendtrust.benchmarks.measures import MEASURES
from sendtrust.benchmarks.models import Dataset, Figure, Level, Measure

ENGLAND = "E92000001"
LAS = {"801": "Bristol, City of", "802": "North Somerset"}
NEEDS = {"SLCN": 30, "SEMH": 20, "ASD": 15, "MLD": 15, "SPLD": 10, "NSA": 10}
TIMELY = {("801", y): (400 + 10 * i, 100 + 30 * i) for i, y in enumerate(range(2019, 2025))}
TIMELY.update({(ENGLAND, y): (50000 + 1000 * i, 29000 + 200 * i)
               for i, y in enumerate(range(2019, 2025))})


def _dataset(key: str, title: str) -> Dataset:
    return Dataset.objects.create(
        key=key, family=key.split("/")[0], title=title, file_name=key.rsplit("/", 1)[-1],
        sha256="0" * 64, loaded_at=timezone.now(),
    )


def load_synthetic_benchmarks(schools: dict[str, int] | None = None, seed: int = 7) -> dict:
    """Write the figures; return what was written (school rows and headline values)."""
    schools = schools or {"primary": 300, "secondary": 120}
    for code, (label, unit) in MEASURES.items():
        Measure.objects.get_or_create(code=code, defaults={"label": label, "unit": unit})
    rng = np.random.default_rng(seed)
    rows: list[Figure] = []
    written: dict = {"schools": {}}

    census = _dataset("synthetic/census.csv", "Synthetic school census, January 2019")
    urn = 500000
    for phase, count in schools.items():
        lo, hi = (30, 600) if phase == "primary" else (300, 1600)
        n = rng.integers(lo, hi, size=count)
        p_k = rng.beta(12, 88, size=count)  # SEN support around 12%, overdispersed
        p_e = rng.beta(2, 98, size=count)  # EHC plans around 2%
        k = rng.binomial(n, p_k)
        e = rng.binomial(n, p_e)
        written["schools"][phase] = list(zip(n.tolist(), k.tolist(), e.tolist(), strict=True))
        for i in range(count):
            urn += 1
            for measure, value in (("pupils", n[i]), ("sen_support_count", k[i]),
                                   ("ehcp_count", e[i]),
                                   ("sen_support_rate", round(100 * k[i] / n[i], 1)),
                                   ("ehcp_rate", round(100 * e[i] / n[i], 1))):
                rows.append(Figure(dataset=census, measure_id=measure, period="2019",
                                   year=2019, level=Level.SCHOOL, geo_code=str(urn),
                                   la_code="801", phase=phase, value=float(value)))
        # One school row with a missing count, as the real file has ("NA").
        urn += 1
        rows.append(Figure(dataset=census, measure_id="pupils", period="2019", year=2019,
                           level=Level.SCHOOL, geo_code=str(urn), la_code="801", phase=phase,
                           value=200.0))
        rows.append(Figure(dataset=census, measure_id="sen_support_count", period="2019",
                           year=2019, level=Level.SCHOOL, geo_code=str(urn), la_code="801",
                           phase=phase, value=None, symbol="NA"))
        rows.append(Figure(dataset=census, measure_id="ehcp_count", period="2019",
                           year=2019, level=Level.SCHOOL, geo_code=str(urn), la_code="801",
                           phase=phase, value=None, symbol="NA"))
        tn, tk, te = int(n.sum()), int(k.sum()), int(e.sum())
        for level, code in ((Level.NATIONAL, ENGLAND), (Level.LA, "801")):
            for measure, value in (("pupils", tn), ("sen_support_count", tk), ("ehcp_count", te),
                                   ("sen_support_rate", round(100 * tk / tn, 1)),
                                   ("ehcp_rate", round(100 * te / tn, 1))):
                rows.append(Figure(dataset=census, measure_id=measure, period="2019", year=2019,
                                   level=level, geo_code=code, la_code="801" if code == "801"
                                   else "", phase=phase, value=float(value)))

    series = _dataset("synthetic/lait.csv", "Synthetic LAIT SEN indicators")
    written["national"] = {}
    for i, year in enumerate(range(2016, 2026)):
        k, e = round(11.6 + 0.2 * i, 1), round(2.8 + 0.2 * i, 1)
        written["national"][year] = (k, e)
        for measure, value in (("sen_support_rate", k), ("ehcp_rate", e)):
            rows.append(Figure(dataset=series, measure_id=measure, period=str(year), year=year,
                               level=Level.NATIONAL, geo_code=ENGLAND, geo_name="England",
                               value=value))

    need = _dataset("synthetic/need.csv", "Synthetic SEN by primary need, 2022/23")
    for j, (la, name) in enumerate(LAS.items()):
        for phase in ("primary", "secondary"):
            for code, base in NEEDS.items():
                rows.append(Figure(dataset=need, measure_id="sen_need_count", period="2022/23",
                                   year=2023, level=Level.LA, geo_code=la, geo_name=name,
                                   la_code=la, phase=phase, need=code,
                                   value=float(base * (10 + j) + (5 if phase == "primary" else 0))))

    timely = _dataset("synthetic/timeliness.csv", "Synthetic EHC plans within 20 weeks")
    for (geo, year), (den, num) in TIMELY.items():
        level = Level.NATIONAL if geo == ENGLAND else Level.LA
        for measure, value in (("ehcp_20wk_den", den), ("ehcp_20wk_count", num),
                               ("ehcp_20wk_rate", round(100 * num / den, 1))):
            rows.append(Figure(dataset=timely, measure_id=measure, period=str(year), year=year,
                               level=level, geo_code=geo, la_code="" if geo == ENGLAND else geo,
                               value=float(value)))

    outcomes = _dataset("synthetic/outcomes.csv", "Synthetic outcomes by SEN status")
    written["absence"] = {"any_sen": 8.9, "no_sen": 5.6}
    written["ks2"] = {"any_sen": (28000, 130000), "no_sen": (371000, 530000)}
    written["excl"] = {"ehcp": (14500, 250000), "sen_support": (56700, 1000000),
                       "no_sen": (112000, 6900000)}
    for geo in (ENGLAND, "801"):
        level = Level.NATIONAL if geo == ENGLAND else Level.LA
        bump = 0.0 if geo == ENGLAND else 0.7
        for sen, value in written["absence"].items():
            rows.append(Figure(dataset=outcomes, measure_id="absence_overall_pct",
                               period="2022/23", year=2023, level=level, geo_code=geo,
                               sen=sen, value=value + bump))
    for sen, (x, n) in written["ks2"].items():
        for measure, value in (("ks2_rwm_expected_count", x), ("ks2_rwm_pupils", n),
                               ("ks2_rwm_expected_pct", round(100 * x / n))):
            rows.append(Figure(dataset=outcomes, measure_id=measure, period="2021/22",
                               year=2022, level=Level.NATIONAL, geo_code=ENGLAND, sen=sen,
                               value=float(value)))
    for sen, (x, n) in written["excl"].items():
        for measure, value in (("excl_one_plus_fixed", x), ("excl_headcount", n),
                               ("excl_one_plus_fixed_rate", round(100 * x / n, 2))):
            rows.append(Figure(dataset=outcomes, measure_id=measure, period="2016/17",
                               year=2017, level=Level.NATIONAL, geo_code=ENGLAND, sen=sen,
                               value=float(value)))
    Figure.objects.bulk_create(rows, batch_size=2000)
    return written
