"""Helpers for evaluation tests: the shipped frameworks and a round ready to rate."""

from sendtrust.evaluation import services
from sendtrust.evaluation.models import Framework, Theme

SIX_AREA = "six-area-leadership"


def shipped(slug=SIX_AREA, version=1) -> Framework:
    return Framework.objects.get(trust=None, slug=slug, version=version)


def open_round(cast, name="Autumn 2026", framework=None, schools=None):
    return services.open_round(
        cast.trust, name=name, framework=framework or shipped(),
        schools=[cast.school_a, cast.school_b] if schools is None else schools,
        by=cast.users["send_leader"],
    )


def unit_of(round_, school=None):
    return round_.units.select_related("round", "school").get(school=school)


def rate_all(unit, by, level=3, **texts):
    for theme in Theme.objects.filter(framework_id=unit.round.framework_id):
        services.save_rating(unit, theme, level=level, by=by, **texts)


def fill(unit, level=2, by=None):
    """Give every theme of the unit a draft level in one query (setup only: no audit)."""
    from sendtrust.evaluation.models import Rating, ScaleLevel

    framework_id = unit.round.framework_id
    scale = ScaleLevel.objects.get(framework_id=framework_id, value=level)
    Rating.objects.bulk_create([
        Rating(unit=unit, theme=t, level=scale, updated_by=by)
        for t in Theme.objects.filter(framework_id=framework_id)
    ])
