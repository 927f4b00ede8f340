"""Read-only summaries of a round: the heat map and the change since the previous round.

Each runs a fixed number of queries whatever the number of schools: the round's units, its
framework's themes and levels, and every rating of the round in one query.
"""

from __future__ import annotations

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


def heat_map_rows(round_: Round) -> dict:
    """Rows of themes grouped by area, a cell per unit holding its rating (or None)."""
    units = list(round_.units.select_related("school"))
    levels = list(round_.framework.levels.all())
    grid = {
        (r.unit_id, r.theme_id): r
        for r in Rating.objects.filter(unit__round=round_).select_related("level")
    }
    areas = _themes_by_area(round_.framework_id)
    for group in areas:
        group["rows"] = [
            {"theme": t, "cells": [grid.get((u.pk, t.pk)) for u in units]}
            for t in group["themes"]
        ]
    return {"units": units, "areas": areas, "levels": levels}


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
