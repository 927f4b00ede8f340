"""Every change to frameworks, rounds, ratings and profiles: one transaction, one audit entry."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sendtrust.access.audit import log_action
from sendtrust.evaluation.models import (
    Answer,
    Area,
    ContextProfile,
    Framework,
    KeyQuestion,
    Moderation,
    Rating,
    Round,
    RoundUnit,
    ScaleLevel,
    Theme,
)


class Locked(ValidationError):
    """The unit was submitted or the round closed: its ratings no longer change."""


UNCHANGED = object()  # save_rating(level=...) default: leave the level as it is


# Frameworks ----------------------------------------------------------------------------------


@transaction.atomic
def copy_framework(framework: Framework, trust, *, by, request=None) -> Framework:
    """Copy a framework version for trust to edit; return the copy (the next trust version)."""
    if framework.trust_id not in (None, trust.pk):
        raise ValidationError("A trust can copy only shipped frameworks or its own.")
    last = (
        Framework.objects.filter(trust=trust, slug=framework.slug)
        .order_by("-version").values_list("version", flat=True).first()
    )
    copy = Framework.objects.create(
        slug=framework.slug, version=(last or 0) + 1, name=framework.name,
        description=framework.description, trust=trust, copied_from=framework,
        source=f"copy of {framework.slug} v{framework.version}"
               + ("" if framework.trust_id is None else f" ({trust.name})"),
    )
    ScaleLevel.objects.bulk_create([
        ScaleLevel(framework=copy, value=lv.value, label=lv.label, descriptor=lv.descriptor)
        for lv in framework.levels.all()
    ])
    questions = {}
    for q in KeyQuestion.objects.filter(area__framework=framework):
        questions.setdefault(q.area_id, []).append(q)
    themes = {}
    for t in framework.themes.all():
        themes.setdefault(t.area_id, []).append(t)
    for area in framework.areas.all():
        new = Area.objects.create(
            framework=copy, slug=area.slug, title=area.title, summary=area.summary,
            domains=area.domains, order=area.order,
        )
        KeyQuestion.objects.bulk_create([
            KeyQuestion(area=new, number=q.number, text=q.text)
            for q in questions.get(area.pk, [])
        ])
        Theme.objects.bulk_create([
            Theme(framework=copy, area=new, slug=t.slug, title=t.title, summary=t.summary,
                  order=t.order)
            for t in themes.get(area.pk, [])
        ])
    log_action(request, "evaluation.framework.copied", user=by, trust=trust,
               object_repr=str(copy), source=str(framework.code), copy=str(copy.code))
    return copy


EDITABLE = {
    Framework: {"name", "description"},
    Area: {"title", "summary"},
    Theme: {"title", "summary"},
    KeyQuestion: {"text"},
    ScaleLevel: {"label", "descriptor"},
}
OPTIONAL = {"description", "summary"}  # every other editable field must say something


def _framework_of(item) -> Framework:
    if isinstance(item, Framework):
        return item
    if isinstance(item, KeyQuestion):
        return item.area.framework
    return item.framework


def round_using(framework: Framework) -> Round | None:
    """The first round opened with this version: from then on the version is fixed."""
    return framework.rounds.order_by("opened_at", "id").first()


def locked_reason(framework: Framework) -> str:
    """Why this version cannot be edited, in the words the editor shows; "" when it can."""
    if framework.is_shipped:
        return "Shipped frameworks cannot be edited: copy one for your trust."
    round_ = round_using(framework)
    if round_ is not None:
        return f"Round '{round_.name}' uses this version: copy it again to make changes."
    return ""


def clean_framework_value(item, field: str, value) -> str:
    """Return value as it would be saved into item.field, or raise ValidationError."""
    if field not in EDITABLE[type(item)]:
        raise ValidationError(f"Cannot change {field}")
    value = str(value).replace("\r\n", "\n").strip()
    if field not in OPTIONAL and not value:
        raise ValidationError("This cannot be empty.")
    max_length = item._meta.get_field(field).max_length
    if max_length and len(value) > max_length:
        raise ValidationError(
            f"Use at most {max_length} characters (this has {len(value)}).")
    return value


def _item_ref(item) -> str:
    """Which part of the framework an audit entry is about, e.g. `governance`, `level 3`."""
    if isinstance(item, KeyQuestion):
        return f"{item.area.slug} question {item.number}"
    if isinstance(item, ScaleLevel):
        return f"level {item.value}"
    return item.slug


@transaction.atomic
def edit_framework_items(framework: Framework, edits, *, by, request=None) -> list:
    """Apply [(item, {field: value})] to parts of one trust copy; one audit entry per item.

    Everything is checked before anything is saved. Refused for a shipped version, and once
    a round uses the copy: the framework row is locked first, so that a round opened at the
    same moment waits for the edit (services.open_round takes the same lock).
    """
    if framework.is_shipped:
        raise ValidationError(locked_reason(framework))
    Framework.objects.select_for_update().filter(pk=framework.pk).first()
    reason = locked_reason(framework)
    if reason:
        raise ValidationError(reason)
    cleaned = []
    for item, changes in edits:
        if _framework_of(item).pk != framework.pk:
            raise ValidationError("That part belongs to another framework.")
        values = {}
        for name, value in changes.items():
            try:
                values[name] = clean_framework_value(item, name, value)
            except ValidationError as e:
                raise ValidationError({name: e.messages}) from None
        cleaned.append((item, {k: v for k, v in values.items() if getattr(item, k) != v}))
    changed = []
    for item, values in cleaned:
        if not values:
            continue
        for name, value in values.items():
            setattr(item, name, value)
        item.save(update_fields=sorted(values))
        log_action(request, "evaluation.framework.edited", user=by, trust=framework.trust,
                   object_repr=str(framework), framework=str(framework.code),
                   item=type(item).__name__, ref=_item_ref(item), fields=sorted(values))
        changed.append(item)
    return changed


def edit_framework_item(item, *, by, request=None, **changes):
    """Change the wording of part of a trust's copy; refused once a round uses the copy."""
    edit_framework_items(_framework_of(item), [(item, changes)], by=by, request=request)
    return item


def frameworks_for(trust):
    """Frameworks a trust may open a round with: the shipped ones and its own copies."""
    from django.db.models import Q

    return Framework.objects.filter(Q(trust__isnull=True) | Q(trust=trust))


# Rounds --------------------------------------------------------------------------------------


@transaction.atomic
def open_round(trust, *, name: str, framework: Framework, schools, by, request=None) -> Round:
    """Open a round for the chosen schools and the trust itself; return it."""
    if framework.trust_id not in (None, trust.pk):
        raise ValidationError({"framework": "That framework belongs to another trust."})
    # The same lock as edit_framework_items: a copy is not edited while a round opens with it.
    Framework.objects.select_for_update().filter(pk=framework.pk).first()
    schools = list(schools)
    if any(s.trust_id != trust.pk for s in schools):
        raise ValidationError({"schools": "Every school must belong to the trust."})
    round_ = Round.objects.create(trust=trust, name=name, framework=framework, opened_by=by)
    units = [RoundUnit(round=round_, school=None)]
    units += [RoundUnit(round=round_, school=s) for s in schools]
    RoundUnit.objects.bulk_create(units)
    log_action(request, "evaluation.round.opened", user=by, trust=trust, object_repr=name,
               round=str(round_.code), framework=f"{framework.slug} v{framework.version}",
               schools=[str(s.code) for s in schools])
    return round_


@transaction.atomic
def close_round(round_: Round, *, by, request=None) -> Round:
    """Close a round: nothing in it changes any more."""
    if round_.is_open:
        round_.status, round_.closed_at = Round.Status.CLOSED, timezone.now()
        round_.save(update_fields=["status", "closed_at"])
        log_action(request, "evaluation.round.closed", user=by, trust=round_.trust,
                   object_repr=round_.name, round=str(round_.code))
    return round_


def _lock_unit(unit: RoundUnit) -> RoundUnit:
    """Re-read the unit under a row lock so a save and a submit cannot interleave."""
    fresh = RoundUnit.objects.select_for_update(of=("self",)).select_related("round").get(
        pk=unit.pk)
    if fresh.is_locked:
        why = "the round is closed" if not fresh.round.is_open else "it was submitted"
        raise Locked(f"{unit.name}'s ratings can no longer change: {why}.")
    return fresh


def _audit_unit(request, action, unit, by, **detail):
    school = unit.school if unit.school_id else None
    log_action(request, action, user=by, school=school, trust=unit.round.trust,
               object_repr=str(unit), round=str(unit.round.code), unit=str(unit.code), **detail)


@transaction.atomic
def save_rating(unit: RoundUnit, theme: Theme, *, by, request=None, level=UNCHANGED,
                **texts) -> Rating:
    """Save a draft rating of one theme (autosave); refused once the unit is locked.

    level is a scale value, None to clear it, or left out to keep it; only the text fields
    passed are changed.
    """
    _lock_unit(unit)
    if theme.framework_id != unit.round.framework_id:
        raise ValidationError({"theme": "That theme is not in this round's framework."})
    unknown = set(texts) - set(Rating.TEXT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    scale = None
    if level is not None and level is not UNCHANGED:
        scale = ScaleLevel.objects.filter(framework_id=theme.framework_id, value=level).first()
        if scale is None:
            raise ValidationError({"level": f"{level} is not a level of this scale."})
    rating, _ = Rating.objects.get_or_create(unit=unit, theme=theme)
    changed = [name for name, value in texts.items() if getattr(rating, name) != value]
    if level is not UNCHANGED and rating.level_id != getattr(scale, "pk", None):
        changed.append("level")
    if not changed:
        return rating
    for name in changed:
        setattr(rating, name, scale if name == "level" else texts[name])
    rating.updated_by, rating.updated_at = by, timezone.now()
    rating.save()
    _audit_unit(request, "evaluation.rating.saved", unit, by, theme=theme.slug,
                level=getattr(rating.level, "value", None), fields=sorted(changed))
    return rating


@transaction.atomic
def save_answer(unit: RoundUnit, question: KeyQuestion, *, text: str, by, request=None) -> Answer:
    """Save a unit's answer to a key question; refused once the unit is locked."""
    _lock_unit(unit)
    if question.area.framework_id != unit.round.framework_id:
        raise ValidationError({"question": "That question is not in this round's framework."})
    answer, created = Answer.objects.get_or_create(unit=unit, question=question)
    if answer.text != text:
        answer.text, answer.updated_by, answer.updated_at = text, by, timezone.now()
        answer.save()
        _audit_unit(request, "evaluation.answer.saved", unit, by,
                    area=question.area.slug, question=question.number)
    return answer


def missing_themes(unit: RoundUnit) -> list[Theme]:
    """Themes of the round's framework that the unit has not yet given a level."""
    rated = Rating.objects.filter(unit=unit, level__isnull=False).values("theme_id")
    return list(Theme.objects.filter(framework_id=unit.round.framework_id)
                .exclude(pk__in=rated).select_related("area"))


@transaction.atomic
def submit_unit(unit: RoundUnit, *, by, request=None) -> RoundUnit:
    """Submit every rating of a unit for moderation; from now on they are locked."""
    fresh = _lock_unit(unit)
    missing = missing_themes(fresh)
    if missing:
        names = ", ".join(t.title for t in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ValidationError(f"Give every theme a level before submitting: {names}{more}.")
    now = timezone.now()
    RoundUnit.objects.filter(pk=unit.pk).update(
        status=RoundUnit.Status.SUBMITTED, submitted_by=by, submitted_at=now
    )
    Rating.objects.filter(unit=unit).update(status=Rating.Status.SUBMITTED)
    unit.status, unit.submitted_by, unit.submitted_at = RoundUnit.Status.SUBMITTED, by, now
    _audit_unit(request, "evaluation.unit.submitted", unit, by)
    return unit


@transaction.atomic
def moderate_rating(rating: Rating, *, level: int, reason: str = "", by,
                    request=None) -> Moderation:
    """Agree a submitted rating (same level) or move it with a reason; the trail is kept."""
    rating = (
        # Lock the rating row alone: PostgreSQL refuses FOR UPDATE across the outer joins.
        Rating.objects.select_for_update(of=("self",))
        .select_related("unit__round__trust", "unit__school", "level", "theme")
        .get(pk=rating.pk)
    )
    if rating.status == Rating.Status.DRAFT:
        raise ValidationError("Only submitted ratings can be moderated.")
    if not rating.unit.round.is_open:
        raise Locked("The round is closed.")
    to = ScaleLevel.objects.filter(framework_id=rating.level.framework_id, value=level).first()
    if to is None:
        raise ValidationError({"level": f"{level} is not a level of this scale."})
    reason = reason.strip()
    if to.pk != rating.level_id and not reason:
        raise ValidationError({"reason": "Say why the level changes."})
    moderation = Moderation.objects.create(
        rating=rating, by=by, from_level=rating.level, to_level=to, reason=reason
    )
    Rating.objects.filter(pk=rating.pk).update(level=to, status=Rating.Status.MODERATED)
    _audit_unit(request, "evaluation.rating.moderated", rating.unit, by,
                theme=rating.theme.slug, from_level=rating.level.value, to_level=to.value,
                reason=reason)
    return moderation


@transaction.atomic
def agree_ratings(ratings, *, reason: str, by, request=None) -> list[Moderation]:
    """Agree several submitted ratings at their level, the same reason recorded (and audited)
    with each; all or none."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why you agree with these ratings."})
    if not ratings:
        raise ValidationError({"ratings": "Tick at least one rating to agree with."})
    return [moderate_rating(r, level=r.level.value, reason=reason, by=by, request=request)
            for r in ratings]


# Context -------------------------------------------------------------------------------------


def context_profile(trust, school=None) -> ContextProfile:
    """Return the saved profile of the trust (or one school), or an unsaved empty one."""
    found = ContextProfile.objects.filter(trust=trust, school=school).first()
    return found or ContextProfile(trust=trust, school=school)


@transaction.atomic
def save_context(profile: ContextProfile, *, by, request=None, **factors) -> ContextProfile:
    """Save the context factors of a trust or a school."""
    changed = sorted(k for k, v in factors.items() if getattr(profile, k) != v)
    if not changed and profile.pk:
        return profile
    for k in changed:
        setattr(profile, k, factors[k])
    profile.updated_by, profile.updated_at = by, timezone.now()
    profile.save()
    log_action(request, "evaluation.context.saved", user=by, trust=profile.trust,
               school=profile.school, object_repr=str(profile), fields=changed)
    return profile
