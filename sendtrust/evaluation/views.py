"""Self-evaluation pages: rounds, the rating page with autosave, moderation, heat map."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from sendtrust.access import policy
from sendtrust.access.policy import EvalAction
from sendtrust.evaluation import evidence, services
from sendtrust.evaluation.forms import (
    AnswerForm,
    ContextForm,
    ModerationForm,
    OpenRoundForm,
    RatingForm,
    is_uuid,
)
from sendtrust.evaluation.models import (
    Answer,
    Area,
    KeyQuestion,
    Moderation,
    Rating,
    Round,
    RoundUnit,
    Theme,
)
from sendtrust.evaluation.summary import (
    area_reading,
    area_scores,
    area_wheel_spec,
    heat_map_rows,
    previous_round,
    round_changes,
)
from sendtrust.organisations.models import School, Trust

# Access helpers, in the policy's terms: None is 404 for everyone, then the policy decides.


def get_round_for_user(request, code, action=EvalAction.ROUND_VIEW) -> Round:
    round_ = Round.objects.select_related("trust", "framework").filter(code=code).first()
    if round_ is None:
        raise Http404("Not found")
    return policy.require_evaluation(request.user, action, round_)


def get_unit_for_user(request, code, action=EvalAction.UNIT_VIEW) -> RoundUnit:
    unit = (RoundUnit.objects.select_related("round__trust", "round__framework", "school")
            .filter(code=code).first())
    if unit is None:
        raise Http404("Not found")
    return policy.require_evaluation(request.user, action, unit)


def get_rw_unit_for_user(request, code) -> RoundUnit:
    unit = get_unit_for_user(request, code)
    return policy.require_evaluation(request.user, EvalAction.UNIT_RATE, unit)


def _trust_or_404(request, code, action):
    trust = Trust.objects.filter(code=code).first()
    if trust is None:
        raise Http404("Not found")
    return policy.require_evaluation(request.user, action, trust)


def _errors(e: ValidationError) -> str:
    return " ".join(e.messages)


# Rounds ----------------------------------------------------------------------------------------


@login_required
@require_safe
def round_list(request, code):
    """A trust's rounds; school leaders see the rounds that cover their school."""
    trust = _trust_or_404(request, code, EvalAction.ROUND_LIST)
    rounds = list(trust.rounds.select_related("framework", "opened_by").prefetch_related(
        Prefetch("units", RoundUnit.objects.select_related("school"))
    ))
    user = request.user
    visible = [r for r in rounds if policy.allows_evaluation(user, EvalAction.ROUND_VIEW, r)]
    for r in visible:
        units = r.units.all()
        r.unit_count = len(units)
        r.submitted_count = sum(u.status == RoundUnit.Status.SUBMITTED for u in units)
    return render(request, "evaluation/round_list.html", {
        "trust": trust, "rounds": visible,
        "can_open": policy.allows_evaluation(request.user, EvalAction.ROUND_OPEN, trust),
        "can_edit_context": policy.allows_evaluation(request.user, EvalAction.CONTEXT_EDIT, trust),
    })


@login_required
def open_round(request, code):
    """Open a round for chosen schools and the trust: SEND leader only."""
    trust = _trust_or_404(request, code, EvalAction.ROUND_OPEN)
    form = OpenRoundForm(request.POST or None, trust=trust)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        round_ = services.open_round(trust, name=d["name"], framework=d["framework"],
                                     schools=d["schools"], by=request.user, request=request)
        messages.success(request, f"{round_.name} is open.")
        return redirect("evaluation:round_detail", round_.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/open_round.html", {"trust": trust, "form": form},
                  status=status)


@login_required
@require_safe
def round_detail(request, code):
    """One round: the units the user may open and how far each has got."""
    round_ = get_round_for_user(request, code)
    units = list(round_.units.select_related("school", "submitted_by"))
    user = request.user
    visible = [u for u in units if policy.allows_evaluation(user, EvalAction.UNIT_VIEW, u)]
    return render(request, "evaluation/round_detail.html", {
        "round": round_, "units": visible,
        "can_manage": policy.allows_evaluation(user, EvalAction.ROUND_OPEN, round_),
        "can_moderate": policy.allows_evaluation(user, EvalAction.MODERATE, round_),
        "can_see_heat_map": policy.allows_evaluation(user, EvalAction.HEAT_MAP, round_),
    })


@login_required
@require_POST
def close_round(request, code):
    round_ = get_round_for_user(request, code, EvalAction.ROUND_OPEN)
    services.close_round(round_, by=request.user, request=request)
    messages.success(request, f"{round_.name} is closed. Its ratings are kept as they are.")
    return redirect("evaluation:round_detail", round_.code)


# Rating a unit ---------------------------------------------------------------------------------


def _unit_context(request, unit, forms=None):
    framework = unit.round.framework
    levels = list(framework.levels.all())
    ratings = {r.theme_id: r for r in Rating.objects.filter(unit=unit).select_related(
        "level", "updated_by").prefetch_related(
        Prefetch("moderations", queryset=_moderation_qs()))}
    answers = {a.question_id: a for a in Answer.objects.filter(unit=unit)}
    areas = Area.objects.filter(framework=framework).prefetch_related(
        Prefetch("themes", Theme.objects.order_by("order")),
        Prefetch("questions", KeyQuestion.objects.order_by("number")),
    )
    can_rate = (not unit.is_locked
                and policy.allows_evaluation(request.user, EvalAction.UNIT_RATE, unit))
    forms = forms or {}
    areas = list(areas)
    # Live evidence: every indicator computed once for the unit, shared by its themes.
    slugs = [t.slug for a in areas for t in a.themes.all()]
    trust = unit.round.trust
    own = evidence.readings_by_theme(slugs, trust=trust, school=unit.school, user=request.user)
    sections = []
    for area in areas:
        themes = []
        for theme in area.themes.all():
            rating = ratings.get(theme.pk)
            # Inputs are written out in the template (24 themes x 8 widgets is slow to render
            # through the widget templates); a refused form brings back what was typed.
            form = forms.get(theme.slug)
            values = _initial(rating)
            if form is not None:
                values = {f: form.data.get(f"{theme.slug}-{f}", "") for f in RATING_FIELDS}
                values["level"] = _int_or_none(values["level"])
            errors = form.errors if form is not None else {}
            fields = [
                {"name": name, "label": label, "hint": hint, "value": values.get(name) or "",
                 "errors": errors.get(name), "id": f"id_{theme.slug}-{name}"}
                for name, label, hint in TEXT_FIELDS
            ]
            themes.append({"theme": theme, "rating": rating, "level": values["level"],
                           "level_errors": errors.get("level"), "fields": fields,
                           "readings": own.get(theme.slug, [])})
        questions = [{"question": q, "answer": answers.get(q.pk), "key": f"{area.slug}-q{q.number}"}
                     for q in area.questions.all()]
        rated = sum(1 for t in themes if t["rating"] is not None and t["rating"].level_id)
        sections.append({"area": area, "themes": themes, "questions": questions,
                         "rated": rated})
    unrated = [t["theme"] for s in sections for t in s["themes"]
               if t["rating"] is None or not t["rating"].level_id]
    profile = services.context_profile(unit.round.trust, unit.school)
    return {
        "unit": unit, "round": unit.round, "framework": framework, "levels": levels,
        "sections": sections, "can_rate": can_rate, "profile": profile, "unrated": unrated,
        "first_level": levels[0].value if levels else None,
        "profile_form": ContextForm(instance=profile),
        "can_submit": can_rate,
        "can_moderate": policy.allows_evaluation(request.user, EvalAction.MODERATE, unit),
        "can_edit_context": policy.allows_evaluation(
            request.user, EvalAction.CONTEXT_EDIT, unit.school or unit.round.trust),
    }


def _moderation_qs():
    return Moderation.objects.select_related("by", "from_level", "to_level")


RATING_FIELDS = ["level", *Rating.TEXT_FIELDS]
TEXT_FIELDS = [
    (name, f.label, f.help_text) for name, f in RatingForm.base_fields.items() if name != "level"
]


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _initial(rating):
    if rating is None:
        return {"level": None}
    initial = {f: getattr(rating, f) for f in Rating.TEXT_FIELDS}
    initial["level"] = rating.level.value if rating.level_id else None
    return initial


@login_required
@require_safe
def rate_unit(request, code):
    """One unit's self-evaluation: every theme by area, with the key questions and the scale."""
    unit = get_unit_for_user(request, code)
    return render(request, "evaluation/rate_unit.html", _unit_context(request, unit))


def _autosave_response(request, unit, ctx, status=200):
    """The status line for htmx; otherwise back to the theme, or the page with the error."""
    if request.htmx:
        return render(request, "evaluation/rate_unit.html#save-status", ctx, status=status)
    if status == 200:
        url = reverse("evaluation:rate_unit", args=[unit.code])
        return redirect(f"{url}#{ctx['anchor']}")
    messages.error(request, ctx["error"])
    full = _unit_context(request, unit, forms=ctx.get("forms"))
    return render(request, "evaluation/rate_unit.html", full, status=status)


def _autosave(request, unit, form, save, ctx):
    """Validate form, call save(cleaned_data) and answer with what happened."""
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items())
        ctx["error"] = f"Not saved. {errors}"
        return _autosave_response(request, unit, ctx, status=422)
    try:
        saved = save(form.cleaned_data)
    except services.Locked as e:
        ctx["error"] = f"Not saved. {_errors(e)}"
        return _autosave_response(request, unit, ctx, status=409)
    ctx["saved_at"] = saved.updated_at
    return _autosave_response(request, unit, ctx)


@login_required
@require_POST
def save_rating(request, code, theme):
    """Autosave one theme's draft rating (htmx) or save it from the plain form."""
    unit = get_rw_unit_for_user(request, code)
    theme_obj = Theme.objects.filter(framework_id=unit.round.framework_id, slug=theme).first()
    if theme_obj is None:
        raise Http404("Not found")
    form = RatingForm(request.POST, prefix=theme, levels=list(unit.round.framework.levels.all()))
    ctx = {"status_id": f"status-{theme}", "anchor": f"theme-{theme}", "forms": {theme: form}}
    return _autosave(request, unit, form, lambda data: services.save_rating(
        unit, theme_obj, by=request.user, request=request, **data), ctx)


@login_required
@require_POST
def save_answer(request, code, area, number):
    """Autosave the answer to one key question."""
    unit = get_rw_unit_for_user(request, code)
    question = KeyQuestion.objects.select_related("area").filter(
        area__framework_id=unit.round.framework_id, area__slug=area, number=number).first()
    if question is None:
        raise Http404("Not found")
    form = AnswerForm(request.POST, prefix=f"{area}-q{number}")
    ctx = {"status_id": f"status-{area}-q{number}", "anchor": f"area-{area}"}
    return _autosave(request, unit, form, lambda data: services.save_answer(
        unit, question, text=data["text"], by=request.user, request=request), ctx)


@login_required
@require_POST
def submit_unit(request, code):
    """Submit a unit's ratings for moderation once every theme has a level and the person has
    ticked that they understand the ratings lock; nothing changes otherwise."""
    unit = get_rw_unit_for_user(request, code)
    confirmed = request.POST.get("confirm") == "yes"
    ctx = _unit_context(request, unit)
    problems = [(f"#id_{t.slug}-level_{ctx['first_level']}", f"Give {t.title} a level.")
                for t in ctx["unrated"]]
    if not confirmed:
        problems.append(("#id_confirm-submit", "Tick the box to confirm that submitting "
                                               "locks the ratings."))
    if not problems:
        try:
            services.submit_unit(unit, by=request.user, request=request)
        except ValidationError as e:
            status = 409 if isinstance(e, services.Locked) else 400
            problems = [("#submit-heading", _errors(e))]
        else:
            messages.success(request, "Submitted for moderation. The ratings can no longer "
                                      "be changed.")
            return redirect("evaluation:rate_unit", unit.code)
    else:
        status = 400
    ctx["submit_problems"] = problems
    return render(request, "evaluation/rate_unit.html", ctx, status=status)


# Moderation ------------------------------------------------------------------------------------


def _queue_context(request, round_, *, problems=(), ticked=(), reason=""):
    """Submitted ratings of a round, filtered by school and area, each beside the level the
    same school gave the theme in the trust's previous round. Five queries."""
    # The school and area the leader chose: a unit code (or "trust") and an area slug.
    chosen = {"school": request.GET.get("school", ""), "area": request.GET.get("area", "")}
    ratings = (
        Rating.objects.filter(unit__round=round_).exclude(status=Rating.Status.DRAFT)
        .select_related("unit__school", "theme__area", "level")
        .prefetch_related(Prefetch("moderations", queryset=_moderation_qs()))
        .order_by("status", "unit__school__name", "theme__area__order", "theme__order")
    )
    if chosen["school"] == "trust":
        ratings = ratings.filter(unit__school__isnull=True)
    elif chosen["school"]:
        ratings = ratings.filter(unit__code=chosen["school"]) if is_uuid(
            chosen["school"]) else ratings.none()
    if chosen["area"]:
        ratings = ratings.filter(theme__area__slug=chosen["area"])
    ratings = list(ratings)
    previous = previous_round(round_)
    before = {}
    if previous is not None:
        before = {(school, slug): (value, label) for school, slug, value, label in
                  Rating.objects.filter(unit__round=previous, level__isnull=False)
                  .values_list("unit__school_id", "theme__slug", "level__value",
                               "level__label")}
    for r in ratings:
        r.before = before.get((r.unit.school_id, r.theme.slug))
        change = None if r.before is None else r.level.value - r.before[0]
        r.change = ("" if change is None else "no change" if change == 0
                    else f"up {change}" if change > 0 else f"down {-change}")
    units = list(round_.units.select_related("school"))
    areas = list(Area.objects.filter(framework_id=round_.framework_id).order_by("order"))
    return {
        "round": round_, "previous": previous, "chosen": chosen, "units": units,
        "areas": areas, "ticked": set(ticked), "reason": reason, "problems": problems,
        "waiting": [r for r in ratings if r.status == Rating.Status.SUBMITTED],
        "done": [r for r in ratings if r.status == Rating.Status.MODERATED],
    }


@login_required
@require_safe
def moderation_queue(request, code):
    """Submitted ratings of a round waiting for the SEND leader, and those already moderated,
    by school and area; several can be agreed at once."""
    round_ = get_round_for_user(request, code, EvalAction.MODERATE)
    return render(request, "evaluation/moderation.html", _queue_context(request, round_))


@login_required
@require_POST
def agree_ratings(request, code):
    """Agree the ticked ratings at their submitted level, with one reason recorded for each."""
    round_ = get_round_for_user(request, code, EvalAction.MODERATE)
    codes = [c for c in request.POST.getlist("ratings") if is_uuid(c)]
    reason = request.POST.get("reason", "")
    ratings = list(Rating.objects.filter(unit__round=round_, code__in=codes,
                                         status=Rating.Status.SUBMITTED)
                   .select_related("level", "theme", "unit__school"))
    try:
        services.agree_ratings(ratings, reason=reason, by=request.user, request=request)
    except ValidationError as e:
        fields = getattr(e, "error_dict", {"ratings": [e]})
        anchors = {"reason": "#id_agree-reason", "ratings": "#waiting-heading"}
        problems = [(anchors.get(f, "#waiting-heading"), m) for f, errs in fields.items()
                    for err in errs for m in err.messages]
        ctx = _queue_context(request, round_, problems=problems, ticked=codes, reason=reason)
        return render(request, "evaluation/moderation.html", ctx, status=400)
    n = len(ratings)
    messages.success(request, f"Agreed {n} rating{'s' if n != 1 else ''}, each with the "
                              "reason you gave.")
    query = request.GET.urlencode()
    url = reverse("evaluation:moderation_queue", args=[round_.code])
    return redirect(f"{url}?{query}" if query else url)


@login_required
def moderate_rating(request, code):
    """One submitted rating: agree it, or move it to another level with a reason."""
    rating = (Rating.objects.select_related("unit__round__trust", "unit__round__framework",
                                            "unit__school", "level", "theme")
              .filter(code=code).first())
    if rating is None:
        raise Http404("Not found")
    policy.require_evaluation(request.user, EvalAction.MODERATE, rating)
    levels = list(rating.unit.round.framework.levels.all())
    current = rating.level.value if rating.level_id else None
    form = ModerationForm(request.POST or None, prefix=str(rating.code), levels=levels,
                          current=current)
    page = {"rating": rating, "round": rating.unit.round, "form": form}
    if request.method != "POST":
        return render(request, "evaluation/moderate_rating.html", page)
    if form.is_valid():
        try:
            services.moderate_rating(rating, level=form.cleaned_data["level"],
                                     reason=form.cleaned_data["reason"], by=request.user,
                                     request=request)
        except ValidationError as e:
            for field, errs in getattr(e, "error_dict", {None: e.error_list}).items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, f"Moderated {rating.theme.title} for {rating.unit.name}.")
            return redirect("evaluation:moderation_queue", rating.unit.round.code)
    return render(request, "evaluation/moderate_rating.html", page, status=400)


# Summaries -------------------------------------------------------------------------------------


@login_required
@require_safe
def heat_map(request, code):
    """Every unit of a round against every theme; a fixed number of queries for any trust."""
    round_ = get_round_for_user(request, code, EvalAction.HEAT_MAP)
    area = request.GET.get("area", "")
    return render(request, "evaluation/heat_map.html",
                  {"round": round_, "area": area, **heat_map_rows(round_, area=area)})


@login_required
@require_safe
def unit_wheel(request, code):
    """The area wheel of one unit: the mean level of each of its framework's areas."""
    unit = get_unit_for_user(request, code)
    rows = area_scores(unit)
    top = max((lv.value for lv in unit.round.framework.levels.all()), default=0)
    reading = area_reading(unit.name, rows, top)
    return render(request, "evaluation/wheel.html", {
        "unit": unit, "round": unit.round, "rows": rows, "reading": reading, "top": top,
        # With nothing rated the chart would be empty marks with no name: say so instead.
        "rated": any(r["mean"] is not None for r in rows),
        "spec": area_wheel_spec(unit.name, rows, top, reading),
    })


@login_required
@require_safe
def changes(request, code):
    """Per unit and theme: the level in the trust's previous round and in this one."""
    round_ = get_round_for_user(request, code, EvalAction.HEAT_MAP)
    return render(request, "evaluation/changes.html", {"round": round_, **round_changes(round_)})


# Context ---------------------------------------------------------------------------------------


def _edit_context(request, profile, back):
    form = ContextForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.save_context(profile, by=request.user, request=request,
                              **{f: form.cleaned_data[f] for f in form.Meta.fields})
        messages.success(request, "Context saved.")
        return redirect(request.path)
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/context.html",
                  {"form": form, "profile": profile, "back": back}, status=status)


@login_required
def edit_trust_context(request, code):
    """The trust's context profile: the SEND leader keeps it up to date."""
    trust = _trust_or_404(request, code, EvalAction.CONTEXT_EDIT)
    return _edit_context(request, services.context_profile(trust), trust)


@login_required
def edit_school_context(request, code):
    """A school's context profile: its headteacher and SENCO keep it up to date."""
    school = School.objects.select_related("trust").filter(code=code).first()
    if school is None:
        raise Http404("Not found")
    policy.require_evaluation(request.user, EvalAction.CONTEXT_EDIT, school)
    return _edit_context(request, services.context_profile(school.trust, school), school)
