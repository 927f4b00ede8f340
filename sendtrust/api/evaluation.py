"""API routes for evaluation, mounted in sendtrust/api/urls.py; same policy as the pages.

Frameworks (shipped ones for everyone signed in; a trust's copies for those who may list the
trust's rounds), a trust's rounds, a round's units and a unit's ratings. Outsiders get 404 and
members of the trust without the right 403, exactly as on the pages.
"""

import datetime as dt
from uuid import UUID

from django.db.models import Prefetch, Q
from django.http import Http404
from ninja import Router, Schema

from sendtrust.access import policy
from sendtrust.access.policy import EvalAction
from sendtrust.api.schemas import ErrorOut
from sendtrust.evaluation.models import (
    Area,
    Framework,
    KeyQuestion,
    Moderation,
    Rating,
    Round,
    RoundUnit,
    Theme,
)
from sendtrust.organisations.models import Trust

router = Router(tags=["evaluation"])
ERRORS = {403: ErrorOut, 404: ErrorOut}


class FrameworkOut(Schema):
    code: UUID
    slug: str
    version: int
    name: str
    description: str
    shipped: bool
    trust_code: UUID | None
    source: str
    editable: bool


class LevelOut(Schema):
    value: int
    label: str
    descriptor: str


class ThemeOut(Schema):
    slug: str
    title: str
    summary: str


class QuestionOut(Schema):
    number: int
    text: str


class AreaOut(Schema):
    slug: str
    title: str
    summary: str
    domains: list[str]
    themes: list[ThemeOut]
    questions: list[QuestionOut]


class FrameworkDetailOut(FrameworkOut):
    levels: list[LevelOut]
    areas: list[AreaOut]


class RoundOut(Schema):
    code: UUID
    name: str
    status: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    framework_code: UUID
    framework_name: str
    framework_version: int


class UnitOut(Schema):
    code: UUID
    name: str
    school_code: UUID | None
    status: str
    submitted_at: dt.datetime | None


class ModerationOut(Schema):
    at: dt.datetime
    by: str
    from_level: int
    to_level: int
    agreed: bool
    reason: str


class RatingOut(Schema):
    area: str
    theme: str
    theme_title: str
    level: int | None
    level_label: str | None
    status: str
    evidence: str
    links: list[str]
    strengths: str
    areas_to_develop: str
    updated_at: dt.datetime
    moderations: list[ModerationOut]


def _framework_out(fw: Framework, editable: bool | None = None) -> dict:
    return {
        "code": fw.code, "slug": fw.slug, "version": fw.version, "name": fw.name,
        "description": fw.description, "shipped": fw.is_shipped,
        "trust_code": fw.trust.code if fw.trust_id else None, "source": fw.source,
        "editable": fw.is_editable if editable is None else editable,
    }


def _readable_trust_ids(user) -> list[int]:
    member_of = policy.actor_for(user).member_of
    return [t.pk for t in Trust.objects.filter(pk__in=member_of)
            if policy.allows_evaluation(user, EvalAction.ROUND_LIST, t)]


def _trust_or_404(request, code, action) -> Trust:
    trust = Trust.objects.filter(code=code).first()
    if trust is None:
        raise Http404("Not found")
    return policy.require_evaluation(request.user, action, trust)


@router.get("/frameworks", response=list[FrameworkOut])
def eval_frameworks(request):
    """The shipped frameworks and the copies of every trust whose rounds the user may list."""
    trusts = _readable_trust_ids(request.user)
    frameworks = (
        Framework.objects.filter(Q(trust__isnull=True) | Q(trust_id__in=trusts))
        .select_related("trust").order_by("trust_id", "slug", "version")
    )
    used = set(Round.objects.filter(framework__in=frameworks).values_list(
        "framework_id", flat=True))
    return [_framework_out(fw, editable=not fw.is_shipped and fw.pk not in used)
            for fw in frameworks]


@router.get("/frameworks/{code}", response={200: FrameworkDetailOut, **ERRORS})
def eval_framework(request, code: UUID):
    """One framework version: its scale, areas, themes and key questions."""
    fw = Framework.objects.select_related("trust").filter(code=code).first()
    if fw is None:
        raise Http404("Not found")
    if fw.trust_id is not None:
        policy.require_evaluation(request.user, EvalAction.ROUND_LIST, fw.trust)
    areas = Area.objects.filter(framework=fw).prefetch_related(
        Prefetch("themes", Theme.objects.order_by("order")),
        Prefetch("questions", KeyQuestion.objects.order_by("number")),
    )
    return {
        **_framework_out(fw),
        "levels": [{"value": lv.value, "label": lv.label, "descriptor": lv.descriptor}
                   for lv in fw.levels.all()],
        "areas": [
            {"slug": a.slug, "title": a.title, "summary": a.summary, "domains": a.domains,
             "themes": [{"slug": t.slug, "title": t.title, "summary": t.summary}
                        for t in a.themes.all()],
             "questions": [{"number": q.number, "text": q.text} for q in a.questions.all()]}
            for a in areas
        ],
    }


@router.get("/trusts/{code}/rounds", response={200: list[RoundOut], **ERRORS})
def eval_rounds(request, code: UUID):
    """A trust's rounds; school leaders see the rounds that cover their school."""
    trust = _trust_or_404(request, code, EvalAction.ROUND_LIST)
    rounds = trust.rounds.select_related("framework", "trust")
    user = request.user
    return [
        {"code": r.code, "name": r.name, "status": r.status, "opened_at": r.opened_at,
         "closed_at": r.closed_at, "framework_code": r.framework.code,
         "framework_name": r.framework.name, "framework_version": r.framework.version}
        for r in rounds if policy.allows_evaluation(user, EvalAction.ROUND_VIEW, r)
    ]


@router.get("/rounds/{code}/units", response={200: list[UnitOut], **ERRORS})
def eval_round_units(request, code: UUID):
    """The units of a round the user may open (a trustee: the trust unit only)."""
    round_ = Round.objects.select_related("trust").filter(code=code).first()
    if round_ is None:
        raise Http404("Not found")
    policy.require_evaluation(request.user, EvalAction.ROUND_VIEW, round_)
    units = round_.units.select_related("school")
    for u in units:
        u.round = round_
    return [
        {"code": u.code, "name": u.name, "school_code": u.school.code if u.school_id else None,
         "status": u.status, "submitted_at": u.submitted_at}
        for u in units if policy.allows_evaluation(request.user, EvalAction.UNIT_VIEW, u)
    ]


@router.get("/units/{code}/ratings", response={200: list[RatingOut], **ERRORS})
def eval_unit_ratings(request, code: UUID):
    """Every rating of one unit, with its moderation trail."""
    unit = (RoundUnit.objects.select_related("round__trust", "school")
            .filter(code=code).first())
    if unit is None:
        raise Http404("Not found")
    policy.require_evaluation(request.user, EvalAction.UNIT_VIEW, unit)
    ratings = (
        Rating.objects.filter(unit=unit)
        .select_related("theme__area", "level")
        .prefetch_related(Prefetch("moderations", Moderation.objects.select_related(
            "by", "from_level", "to_level")))
        .order_by("theme__area__order", "theme__order")
    )
    return [
        {"area": r.theme.area.slug, "theme": r.theme.slug, "theme_title": r.theme.title,
         "level": r.level.value if r.level_id else None,
         "level_label": r.level.label if r.level_id else None, "status": r.status,
         "evidence": r.evidence, "links": r.link_list, "strengths": r.strengths,
         "areas_to_develop": r.areas_to_develop, "updated_at": r.updated_at,
         "moderations": [
             {"at": m.at, "by": (m.by.get_full_name() or m.by.username) if m.by else "",
              "from_level": m.from_level.value, "to_level": m.to_level.value,
              "agreed": m.agreed, "reason": m.reason}
             for m in r.moderations.all()
         ]}
        for r in ratings
    ]
