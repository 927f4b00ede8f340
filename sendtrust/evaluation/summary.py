"""Read-only summaries of a round: the heat map and the change since the previous round.

Each runs a fixed number of queries whatever the number of schools: the round's units, its
framework's themes and levels, and every rating of the round in one query.
"""

from __future__ import annotations

from typing import NamedTuple

from django.core.cache import cache
from django.db import connection

from sendtrust.evaluation.models import (
    Area,
    Framework,
    Rating,
    Round,
    RoundUnit,
    ScaleLevel,
    Theme,
)


def _themes_by_area(framework_id) -> list[dict]:
    themes = Theme.objects.filter(framework_id=framework_id).select_related("area").order_by(
        "area__order", "order")
    areas: list[dict] = []
    for t in themes:
        if not areas or areas[-1]["area"].pk != t.area_id:
            areas.append({"area": t.area, "themes": []})
        areas[-1]["themes"].append(t)
    return areas


# A framework version's structure, as plain rows. A version that a round uses never changes
# (services.edit_framework_items refuses), so its structure is cached for good under its code
# and checksum; STRUCTURE_VERSION changes the key when the shape below changes.
STRUCTURE_VERSION = 3


class AreaRow(NamedTuple):
    pk: int
    slug: str
    title: str
    order: int


class ThemeRow(NamedTuple):
    pk: int
    area_id: int
    slug: str
    title: str


class LevelRow(NamedTuple):
    pk: int
    value: int
    label: str
    descriptor: str


class UnitRow(NamedTuple):
    pk: int
    school_id: int | None
    name: str
    status: str


class Structure(NamedTuple):
    areas: list[AreaRow]
    themes: list[ThemeRow]
    levels: list[LevelRow]


def _structure_key(framework: Framework) -> str:
    return (f"evaluation:framework-structure:{STRUCTURE_VERSION}:{framework.code}:"
            f"{framework.checksum}")


def framework_structure(framework: Framework, *, in_use: bool) -> Structure:
    """The areas, themes and levels of a framework version as plain rows, in their order.

    in_use: a round uses this version, so it can no longer change and may be cached (a
    shipped version never changes either). An editable copy is always read afresh.
    """
    cacheable = in_use or framework.trust_id is None
    key = _structure_key(framework)
    if cacheable:
        found = cache.get(key)
        if found is not None:
            return found
    areas = [AreaRow(*row) for row in Area.objects.filter(framework=framework)
             .order_by("order").values_list("pk", "slug", "title", "order")]
    themes = [ThemeRow(*row) for row in Theme.objects.filter(framework=framework)
              .order_by("area__order", "order").values_list("pk", "area_id", "slug", "title")]
    levels = [LevelRow(*row) for row in ScaleLevel.objects.filter(framework=framework)
              .order_by("value").values_list("pk", "value", "label", "descriptor")]
    found = Structure(areas, themes, levels)
    if cacheable:
        cache.set(key, found, timeout=None)
    return found


def _round_ratings(round_id: int) -> list[tuple]:
    """(unit id, theme id, level id, status) of every rating of a round.

    The heat map's hot path, so a plain cursor: the ORM's values_list() costs as much
    again as the query itself for a round of thousands of ratings.
    """
    rating, unit = Rating._meta.db_table, RoundUnit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.unit_id, r.theme_id, r.level_id, r.status FROM {rating} r "  # noqa: S608
            f"INNER JOIN {unit} u ON u.id = r.unit_id WHERE u.round_id = %s", [round_id])
        return cursor.fetchall()


def heat_map_rows(round_: Round, *, area: str = "") -> dict:
    """Rows of themes grouped by area, a cell per unit: (level row or None, moderated).

    Built for speed: the framework's structure comes from the cache, and units and ratings
    are read as plain tuples (no model instances); evaluation/heat_map.html writes the
    table. area (a slug) keeps that area's rows only; the means cover every area.
    """
    structure = framework_structure(round_.framework, in_use=True)
    units = [UnitRow(pk, school_id, name or "Trust", status)
             for pk, school_id, name, status in round_.units.values_list(
                 "pk", "school_id", "school__name", "status")]
    moderated = Rating.Status.MODERATED
    level_of = {lv.pk: lv for lv in structure.levels}
    cells_of: dict[int, dict[int, tuple]] = {t.pk: {} for t in structure.themes}
    sums = dict.fromkeys(cells_of, 0)
    counts = dict.fromkeys(cells_of, 0)
    for unit_id, theme_id, level_id, status in _round_ratings(round_.pk):
        cells = cells_of.get(theme_id)
        level = level_of.get(level_id)
        if cells is None or level is None:
            continue  # not rated yet (or, impossibly, not of this framework)
        cells[unit_id] = (level, status == moderated)
        sums[theme_id] += level.value
        counts[theme_id] += 1
    unit_ids = [u.pk for u in units]
    empty = (None, False)
    by_area: dict[int, list] = {}
    for t in structure.themes:
        get = cells_of[t.pk].get
        by_area.setdefault(t.area_id, []).append(
            {"theme": t, "cells": [get(u, empty) for u in unit_ids]})
    grid, means = [], []
    for a in structure.areas:
        rows = by_area.get(a.pk)
        if not rows:
            continue
        if not area or area == a.slug:
            grid.append({"area": a, "rows": rows})
        total = sum(sums[r["theme"].pk] for r in rows)
        count = sum(counts[r["theme"].pk] for r in rows)
        means.append({"area": a, "mean": round(total / count, 1) if count else None,
                      "rated": count, "themes": len(rows) * len(units)})
    strongest, weakest = strongest_and_weakest(means)
    return {"units": units, "grid": grid, "all_areas": structure.areas,
            "levels": structure.levels, "area_means": means, "strongest": strongest,
            "weakest": weakest}


def previous_round(round_: Round) -> Round | None:
    return (
        Round.objects.filter(trust_id=round_.trust_id, opened_at__lt=round_.opened_at)
        .select_related("framework").order_by("-opened_at", "-id").first()
    )


def _direction(before, after) -> str:
    if after is None:
        return "not rated"
    if before is None:
        return "new"
    if after.value > before.value:
        return "up"
    if after.value < before.value:
        return "down"
    return "same"


def round_changes(round_: Round) -> dict:
    """Per unit and theme: the previous round's level, this round's, and which way it moved.

    Themes are matched by slug and units by school, so a round on a newer framework version
    still compares with one on an older version.
    """
    previous = previous_round(round_)
    if previous is None:
        return {"previous": None, "units": []}
    levels: dict[tuple[int, int | None, str], object] = {}
    rows = (
        Rating.objects.filter(unit__round__in=[round_, previous], level__isnull=False)
        .select_related("level", "theme").values_list(
            "unit__round_id", "unit__school_id", "theme__slug", "level__value", "level__label")
    )
    for round_id, school_id, slug, value, label in rows:
        levels[(round_id, school_id, slug)] = _Level(value, label)
    areas = _themes_by_area(round_.framework_id)
    units = []
    for unit in round_.units.select_related("school"):
        changes = []
        for group in areas:
            for t in group["themes"]:
                before = levels.get((previous.pk, unit.school_id, t.slug))
                after = levels.get((round_.pk, unit.school_id, t.slug))
                changes.append({"area": group["area"], "theme": t, "before": before,
                                "after": after, "direction": _direction(before, after)})
        units.append({"unit": unit, "changes": changes})
    return {"previous": previous, "units": units}


class _Level:
    __slots__ = ("value", "label")

    def __init__(self, value: int, label: str):
        self.value, self.label = value, label


# Areas --------------------------------------------------------------------------------------


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def area_scores(unit) -> list[dict]:
    """Per area of the unit's framework: the mean level of its rated themes (two queries)."""
    levels = dict(
        Rating.objects.filter(unit=unit, level__isnull=False).values_list(
            "theme_id", "level__value")
    )
    rows = []
    for group in _themes_by_area(unit.round.framework_id):
        rated = [levels[t.pk] for t in group["themes"] if t.pk in levels]
        rows.append({"area": group["area"], "mean": _mean(rated), "rated": len(rated),
                     "themes": len(group["themes"])})
    return rows


def strongest_and_weakest(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """The rows with the highest and the lowest mean (ties kept); empty when nothing is rated."""
    scored = [r for r in rows if r["mean"] is not None]
    if not scored:
        return [], []
    top = max(r["mean"] for r in scored)
    bottom = min(r["mean"] for r in scored)
    return ([r for r in scored if r["mean"] == top], [r for r in scored if r["mean"] == bottom])


def _names(rows: list[dict]) -> str:
    titles = [r["area"].title for r in rows]
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]


def area_reading(name: str, rows: list[dict], top_level: int) -> str:
    """One plain-English sentence about a set of area means."""
    strongest, weakest = strongest_and_weakest(rows)
    rated = sum(r["rated"] for r in rows)
    themes = sum(r["themes"] for r in rows)
    if not strongest:
        return f"{name} has not rated any theme yet."
    high, low = strongest[0]["mean"], weakest[0]["mean"]
    if high == low:
        return (f"{name} rates every area it has rated the same, {high} of {top_level} "
                f"on average; {rated} of {themes} themes rated.")
    return (f"{name} rates itself highest on {_names(strongest)} ({high} of {top_level} on "
            f"average) and lowest on {_names(weakest)} ({low} of {top_level}); {rated} of "
            f"{themes} themes rated.")


# Six distinguishable colours (Okabe–Ito); each slice is also numbered, so colour is never the
# only way to tell the areas apart.
WHEEL_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                 "#999999", "#F0E442"]


def area_wheel_spec(name: str, rows: list[dict], top_level: int, reading: str) -> dict:
    """A Vega-Lite area wheel: one equal slice per area, its length the area's mean level.

    A pale full-length slice behind each shows the top of the scale, so a short slice reads
    as "far from the top"; the number on each slice is the area's number in the table.
    """
    data = [{"area": r["area"].title, "order": r["area"].order,
             "number": i, "start": i - 1, "end": i, "middle": i - 0.5, "top": top_level,
             "mean": r["mean"], "rated": f"{r['rated']} of {r['themes']}",
             "label": f"{i}: {r['mean']:.1f}"}
            for i, r in enumerate(rows, start=1) if r["mean"] is not None]
    radius = {"type": "quantitative", "scale": {"domain": [0, top_level], "zero": True,
                                                "range": [0, 150]}}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": f"Area wheel of the mean level per area for {name}. {reading}",
        "width": 340,
        "height": 340,
        "data": {"values": data},
        # Every area keeps its own slice, rated or not: slice i runs from i - 1 to i of n.
        "encoding": {
            "theta": {"field": "start", "type": "quantitative", "stack": None,
                      "scale": {"domain": [0, len(rows)], "range": [0, 6.2832]}},
            "theta2": {"field": "end"},
        },
        "layer": [
            {"mark": {"type": "arc", "fill": "#eef1f5", "stroke": "#ffffff", "strokeWidth": 2},
             "encoding": {"radius": {"field": "top", **radius}}},
            {"mark": {"type": "arc", "stroke": "#ffffff", "strokeWidth": 2},
             "encoding": {
                 "radius": {"field": "mean", **radius},
                 "color": {"field": "area", "type": "nominal", "legend": None,
                           "sort": {"field": "order"},
                           "scale": {"range": WHEEL_COLOURS[:max(1, len(data))]}},
                 "tooltip": [{"field": "number", "title": "Area number"},
                             {"field": "area", "title": "Area"},
                             {"field": "mean", "title": "Mean level", "format": ".1f"},
                             {"field": "rated", "title": "Themes rated"}],
             }},
            {"mark": {"type": "text", "radius": 165, "fontSize": 13, "fontWeight": "bold",
                      "color": "#1b1b1b"},
             "encoding": {"text": {"field": "label"}, "theta": {"field": "middle",
                          "type": "quantitative", "stack": None,
                          "scale": {"domain": [0, len(rows)], "range": [0, 6.2832]}},
                          "theta2": None}},
        ],
        "view": {"stroke": None},
    }
