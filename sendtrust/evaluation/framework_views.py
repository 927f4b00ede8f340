"""Framework pages: the shipped frameworks and a trust's copies, edited until a round uses them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from sendtrust.access import policy
from sendtrust.access.policy import EvalAction
from sendtrust.evaluation import services
from sendtrust.evaluation.models import (
    Area,
    Framework,
    KeyQuestion,
    Round,
    ScaleLevel,
    Theme,
)

# Access helpers, in the policy's terms: None is 404 for everyone, then the policy decides.
from sendtrust.evaluation.views import _errors, _trust_or_404
from sendtrust.organisations.models import Trust

# Frameworks: a trust's copies, edited until a round uses them --------------------------------


def _framework_in_trust(request, code, framework_code):
    """The trust and a framework it may use (shipped or its own copy), for its SEND leader.

    A framework of another trust is not found, for everyone; then the policy decides.
    """
    trust = Trust.objects.filter(code=code).first()
    framework = None
    if trust is not None:
        framework = (Framework.objects.filter(Q(trust__isnull=True) | Q(trust=trust))
                     .select_related("copied_from").filter(code=framework_code).first())
    if framework is None:
        raise Http404("Not found")
    policy.require_evaluation(request.user, EvalAction.ROUND_OPEN, trust)
    return trust, framework


@login_required
@require_safe
def framework_list(request, code):
    """The shipped frameworks and the trust's copies, with the rounds that use each."""
    trust = _trust_or_404(request, code, EvalAction.ROUND_LIST)
    user = request.user
    frameworks = list(
        services.frameworks_for(trust).select_related("copied_from")
        .prefetch_related(Prefetch(
            "rounds", Round.objects.filter(trust=trust).select_related("trust")
            .order_by("opened_at", "id"), to_attr="trust_rounds"))
        .order_by(F("trust").asc(nulls_first=True), "slug", "version")
    )
    for fw in frameworks:
        fw.visible_rounds = [r for r in fw.trust_rounds
                             if policy.allows_evaluation(user, EvalAction.ROUND_VIEW, r)]
        # Rounds of other trusts also fix a shipped version; only a copy's own rounds count.
        fw.locked = fw.is_shipped or bool(fw.trust_rounds)
    return render(request, "evaluation/framework_list.html", {
        "trust": trust,
        "shipped": [fw for fw in frameworks if fw.is_shipped],
        "copies": [fw for fw in frameworks if not fw.is_shipped],
        "can_edit": policy.allows_evaluation(user, EvalAction.ROUND_OPEN, trust),
    })


@login_required
@require_POST
def copy_framework(request, code, framework):
    """Copy a shipped framework (or one of the trust's copies) into the trust, to edit."""
    trust, source = _framework_in_trust(request, code, framework)
    copy = services.copy_framework(source, trust, by=request.user, request=request)
    messages.success(request, f"Copied {source.name} v{source.version}. This is your trust's "
                              f"version {copy.version}: edit it below.")
    return redirect("evaluation:edit_framework", trust.code, copy.code)


class _Field:
    """One editable field of a framework copy, named after what it is, not after its row."""

    def __init__(self, item, field, name, label, described, multiline):
        self.item, self.field, self.name, self.label = item, field, name, label
        self.described = described  # the field in words, for error messages
        self.multiline = multiline
        self.id = f"id_{name}"
        self.value = getattr(item, field)
        self.error = ""
        self.saved = False
        self.max_length = item._meta.get_field(field).max_length
        self.required = field not in services.OPTIONAL


def _framework_form(framework) -> dict:
    """Every editable field of framework, grouped as the page shows them (four queries)."""
    levels = list(ScaleLevel.objects.filter(framework=framework).order_by("value"))
    areas = list(Area.objects.filter(framework=framework).order_by("order").prefetch_related(
        Prefetch("themes", Theme.objects.order_by("order")),
        Prefetch("questions", KeyQuestion.objects.order_by("number"))))
    fields = [
        _Field(framework, "name", "framework-name", "Name", "Framework name", False),
        _Field(framework, "description", "framework-description", "Description",
               "Framework description", True),
    ]
    scale = []
    for lv in levels:
        here = f"Level {lv.value}"
        row = {"level": lv, "fields": [
            _Field(lv, "label", f"level-{lv.value}-label", "Label", f"{here} label", False),
            _Field(lv, "descriptor", f"level-{lv.value}-descriptor", "Descriptor",
                   f"{here} descriptor", True),
        ]}
        scale.append(row)
        fields += row["fields"]
    sections = []
    for area in areas:
        n, here = area.order, f"Area {area.order} ({area.title})"
        section = {"area": area, "fields": [
            _Field(area, "title", f"area-{area.slug}-title", "Area title", f"{here} title",
                   False),
            _Field(area, "summary", f"area-{area.slug}-summary", "Area summary",
                   f"{here} summary", True),
        ], "questions": [], "themes": []}
        for q in area.questions.all():
            q.area = area  # the audit names the question by its area
            section["questions"].append(_Field(
                q, "text", f"question-{area.slug}-{q.number}", f"Question {n}.{q.number}",
                f"Question {n}.{q.number}", True))
        for t in area.themes.all():
            t.framework = framework
            there = f"Theme {n}.{t.order} ({t.title})"
            section["themes"].append({"theme": t, "number": f"{n}.{t.order}", "fields": [
                _Field(t, "title", f"theme-{t.slug}-title", "Theme title", f"{there} title",
                       False),
                _Field(t, "summary", f"theme-{t.slug}-summary", "Theme summary",
                       f"{there} summary", True),
            ]})
        fields += section["fields"] + section["questions"]
        fields += [f for t in section["themes"] for f in t["fields"]]
        sections.append(section)
    for lv in levels:
        lv.framework = framework
    for area in areas:
        area.framework = framework
    return {"general": fields[:2], "scale": scale, "sections": sections,
            "by_name": {f.name: f for f in fields}}


def _framework_page(request, trust, framework, form, *, status=200, errors=None):
    reason = services.locked_reason(framework)
    return render(request, "evaluation/framework_edit.html", {
        "trust": trust, "framework": framework, "locked": reason, **form,
        "errors": errors or [],
    }, status=status)


def _field_response(request, trust, framework, field, status=200):
    """The htmx answer to one field's autosave: the field again, and the page's status line."""
    return render(request, "evaluation/framework_edit.html#field-saved", {
        "trust": trust, "framework": framework, "f": field}, status=status)


@login_required
def edit_framework(request, code, framework):
    """Edit the wording of a trust's copy until a round uses it; read-only after that.

    A POST saves the fields it carries: one field (htmx autosave, on leaving the field) or
    all of them (the plain form). Nothing is saved unless every field posted is valid.
    """
    trust, framework = _framework_in_trust(request, code, framework)
    if framework.is_shipped:
        raise PermissionDenied("Shipped frameworks cannot be edited: copy it for your trust.")
    form = _framework_form(framework)
    if request.method != "POST":
        return _framework_page(request, trust, framework, form)
    by_name = form["by_name"]
    posted = [by_name[name] for name in request.POST if name in by_name]
    reason = services.locked_reason(framework)
    if reason:
        if request.htmx and posted:
            posted[0].error = f"Not saved. {reason}"
            return _field_response(request, trust, framework, posted[0], status=409)
        messages.error(request, f"Not saved. {reason}")
        return _framework_page(request, trust, framework, form, status=409)
    edits: dict[int, tuple] = {}
    for f in posted:
        typed = request.POST[f.name]
        try:
            clean = services.clean_framework_value(f.item, f.field, typed)
        except ValidationError as e:
            f.value, f.error = typed, f"{f.described}: {' '.join(e.messages)}"
            continue
        if clean != getattr(f.item, f.field):
            edits.setdefault(id(f.item), (f.item, {}))[1][f.field] = clean
            f.saved = True
        f.value = clean
    errors = [f for f in posted if f.error]
    if not errors and edits:
        try:
            services.edit_framework_items(framework, list(edits.values()), by=request.user,
                                          request=request)
        except ValidationError as e:  # a round was opened with it a moment ago
            errors_text = f"Not saved. {_errors(e)}"
            if request.htmx and posted:
                posted[0].error, posted[0].saved = errors_text, False
                return _field_response(request, trust, framework, posted[0], status=409)
            messages.error(request, errors_text)
            return _framework_page(request, trust, framework, _framework_form(framework),
                                   status=409)
    if request.htmx and len(posted) == 1:
        return _field_response(request, trust, framework, posted[0],
                               status=422 if errors else 200)
    if errors:
        return _framework_page(request, trust, framework, form, status=400, errors=errors)
    count = sum(len(changes) for _, changes in edits.values())
    messages.success(request, f"Saved {count} change{'s' if count != 1 else ''}."
                     if count else "Nothing had changed.")
    return redirect("evaluation:edit_framework", trust.code, framework.code)


