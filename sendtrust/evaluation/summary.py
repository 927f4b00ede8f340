"""Read-only summaries of a round: the heat map and the change since the previous round.

Each runs a fixed number of queries whatever the number of schools: the round's units, its
framework's themes and levels, and every rating of the round in one query.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from sendtrust.evaluation.models import Rating, Round, Theme


def _themes_by_area(framework_id) -> list[dict]:
    themes = Theme.objects.filter(framework_id=framework_id).select_related("area").order_by(
        "area__order", "order")
    areas: list[dict] = []
    for t in themes:
        if not areas or areas[-1]["area"].pk != t.area_id:
            areas.append({"area": t.area, "themes": []})
        areas[-1]["themes"].append(t)
    return areas


def _level_html(level, moderated: bool = False) -> str:
    """One heat-map cell's content, as evaluation/_level.html writes it (escaped here)."""
    if level is None:
        return '<span class="level level-none">Not rated</span>'
    html = format_html('<span class="level level-{}"><strong>{}</strong> {}</span>',
                       level.value, level.value, level.label)
    return html + (' <span class="hint">moderated</span>' if moderated else "")


def heat_map_rows(round_: Round) -> dict:
    """Rows of themes grouped by area, a cell per unit holding its level (or Not rated).

    Built for speed: ratings are read as plain tuples, and each row's cells are written out
    once here from a handful of pre-escaped strings (one per level), not by a template
    include per cell.
    """
    units = list(round_.units.select_related("school"))
    levels = list(round_.framework.levels.all())
    by_id = {lv.pk: lv for lv in levels}
    grid = {
        (unit_id, theme_id): (by_id.get(level_id), status)
        for unit_id, theme_id, level_id, status in Rating.objects.filter(
            unit__round=round_).values_list("unit_id", "theme_id", "level_id", "status")
    }
    cell_html = {(lv_id, moderated): f"<td>{_level_html(by_id.get(lv_id), moderated)}</td>"
                 for lv_id in [None, *by_id] for moderated in (False, True)}
    empty = cell_html[(None, False)]
    areas = _themes_by_area(round_.framework_id)
    unit_ids = [u.pk for u in units]
    for group in areas:
        rows = []
        for t in group["themes"]:
            theme_id = t.pk
            cells = []
            for unit_id in unit_ids:
                level, status = grid.get((unit_id, theme_id), (None, None))
                cells.append(empty if level is None else
                             cell_html[(level.pk, status == Rating.Status.MODERATED)])
            rows.append({"theme": t, "cells_html": mark_safe("".join(cells))})  # noqa: S308
        group["rows"] = rows
    means = round_area_means(areas, units, grid)
    strongest, weakest = strongest_and_weakest(means)
    return {"units": units, "areas": areas, "levels": levels, "area_means": means,
            "strongest": strongest, "weakest": weakest}


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


def area_wheel_spec(name: str, rows: list[dict], top_level: int, reading: str) -> dict:
    """A Vega-Lite bar chart of the mean level per area (a bar reads more exactly than arcs)."""
    data = [{"area": r["area"].title, "order": r["area"].order,
             "mean": r["mean"], "rated": f"{r['rated']} of {r['themes']}"}
            for r in rows if r["mean"] is not None]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": f"Bar chart of the mean level per area for {name}. {reading}",
        "width": "container",
        "height": {"step": 36},
        "data": {"values": data},
        "layer": [
            {"mark": {"type": "bar", "color": "#1d4f91"}},
            {"mark": {"type": "text", "align": "left", "dx": 4, "color": "#1b1b1b"},
             "encoding": {"text": {"field": "mean", "type": "quantitative", "format": ".1f"}}},
        ],
        "encoding": {
            "y": {"field": "area", "type": "nominal", "title": None,
                  "sort": {"field": "order"}, "axis": {"labelLimit": 260}},
            "x": {"field": "mean", "type": "quantitative", "title": "Mean level",
                  "scale": {"domain": [0, top_level]}, "axis": {"tickMinStep": 1}},
            "tooltip": [{"field": "area", "title": "Area"},
                        {"field": "mean", "title": "Mean level", "format": ".1f"},
                        {"field": "rated", "title": "Themes rated"}],
        },
    }


def round_area_means(areas: list[dict], units: list, grid: dict) -> list[dict]:
    """Per area, the mean level over every unit's rated themes in the round (no query).

    grid: (unit id, theme id) -> (level or None, status).
    """
    area_of = {t.pk: group["area"].pk for group in areas for t in group["themes"]}
    unit_ids = {u.pk for u in units}
    values: dict[int, list[int]] = {group["area"].pk: [] for group in areas}
    for (unit_id, theme_id), (level, _) in grid.items():
        if level is not None and unit_id in unit_ids and theme_id in area_of:
            values[area_of[theme_id]].append(level.value)
    return [{"area": group["area"], "mean": _mean(values[group["area"].pk]),
             "rated": len(values[group["area"].pk]),
             "themes": len(group["themes"]) * len(units)} for group in areas]
