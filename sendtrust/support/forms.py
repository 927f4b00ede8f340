"""Forms of the support pages. Each row check names its own field, so the error summary links
to it; the services check the same rules again for the API."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from sendtrust.support import services
from sendtrust.support.models import ChronologyEntry, Conversation, Progress
from sendtrust.support.voice import QUESTIONS

TEXT = {"rows": 3}
DATE = {"type": "date"}
MAX_ACTIONS = 3


def date_field(label, required=True, help_text="For example 2026-03-31."):
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


def text_field(label, required=False, help_text=""):
    return forms.CharField(label=label, required=required, help_text=help_text,
                           widget=forms.Textarea(attrs=TEXT))


def raise_on(form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the fields it names (or the whole form)."""
    if hasattr(error, "error_dict"):
        for name, errs in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error)


class SupportForm(forms.Form):
    """Labels without a trailing colon: the label is the field's accessible name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def group(self, prefix: str) -> list:
        return [self[name] for name in self.fields if name.startswith(prefix)]


class PlanForm(SupportForm):
    starts_on = date_field("Start date")
    review_on = date_field("Review date", help_text="Usually 6 to 12 weeks after the start.")
    assessment = text_field("What we know", help_text="A short summary of the assessment.")
    strengths = text_field("Strengths")
    needs_communication = text_field("Needs: communication and interaction")
    needs_cognition = text_field("Needs: cognition and learning")
    needs_semh = text_field("Needs: social, emotional and mental health")
    needs_sensory = text_field("Needs: sensory and/or physical")
    who_does_what = text_field("Who does what")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    OUTCOME_PARTS = (
        ("description", "What the pupil will achieve", True),
        ("target_on", "Target date", False),
        ("strategies", "Strategies", True),
        ("provision", "Provision", True),
        ("who", "Who does it", False),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, services.MAX_OUTCOMES + 1):
            for part, label, long in self.OUTCOME_PARTS:
                name = f"outcome_{n}_{part}"
                if part == "target_on":
                    self.fields[name] = date_field(f"Outcome {n}: {label.lower()}",
                                                   required=False)
                elif long:
                    self.fields[name] = text_field(f"Outcome {n}: {label.lower()}")
                else:
                    self.fields[name] = forms.CharField(
                        label=f"Outcome {n}: {label.lower()}", required=False, max_length=200)

    def outcome_rows(self) -> list[tuple[int, list]]:
        return [(n, self.group(f"outcome_{n}_")) for n in range(1, services.MAX_OUTCOMES + 1)]

    def outcomes(self) -> list[services.OutcomeInput]:
        d = self.cleaned_data
        return [
            services.OutcomeInput(
                description=d.get(f"outcome_{n}_description") or "",
                target_on=d.get(f"outcome_{n}_target_on"),
                strategies=d.get(f"outcome_{n}_strategies") or "",
                provision=d.get(f"outcome_{n}_provision") or "",
                who=d.get(f"outcome_{n}_who") or "")
            for n in range(1, services.MAX_OUTCOMES + 1)
        ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        rows = self.outcomes()
        for n, o in enumerate(rows, 1):
            if o.empty:
                continue
            if not o.description.strip():
                self.add_error(f"outcome_{n}_description",
                               "Write what the pupil will achieve, or clear this outcome.")
            if o.target_on is None:
                self.add_error(f"outcome_{n}_target_on", "Give a target date for this outcome.")
            elif o.target_on < data["starts_on"]:
                self.add_error(f"outcome_{n}_target_on",
                               "The target date cannot be before the plan starts.")
        if all(o.empty for o in rows):
            self.add_error("outcome_1_description", "Write at least one outcome.")
        if data["review_on"] < data["starts_on"]:
            self.add_error("review_on", "The review date must be on or after the start date.")
        return data

    def plan_values(self) -> dict:
        d = self.cleaned_data
        return {k: d.get(k) or "" for k in services.PLAN_FIELDS}

    @classmethod
    def initial_for(cls, plan) -> dict:
        initial = {k: getattr(plan, k) for k in services.PLAN_FIELDS}
        initial.update(starts_on=plan.starts_on, review_on=plan.review_on,
                       version=plan.version)
        for n, o in enumerate(plan.outcomes.all(), 1):
            for part, _, _ in cls.OUTCOME_PARTS:
                initial[f"outcome_{n}_{part}"] = getattr(o, part)
        return initial


class ReviewForm(SupportForm):
    held_on = date_field("Date of the review")
    summary = text_field("Summary of the review")
    pupil_views = text_field("The pupil's views",
                             help_text="In the pupil's own words where you can.")
    parent_views = text_field("The parents' or carers' views")
    next_review_on = date_field("Next review date", help_text="For the next cycle.")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome_list = list(outcomes)
        for n, o in enumerate(self.outcome_list, 1):
            self.fields[f"progress_{o.pk}"] = forms.ChoiceField(
                label=f"Outcome {n}: progress", choices=Progress.choices,
                widget=forms.RadioSelect)
            self.fields[f"evidence_{o.pk}"] = text_field(f"Outcome {n}: evidence")
            self.fields[f"carry_{o.pk}"] = forms.BooleanField(
                label=f"Outcome {n}: carry it into the next cycle", required=False)

    def outcome_rows(self):
        return [(n, o, [self[f"progress_{o.pk}"], self[f"evidence_{o.pk}"],
                        self[f"carry_{o.pk}"]])
                for n, o in enumerate(self.outcome_list, 1)]

    def progress(self) -> list[services.ProgressInput]:
        d = self.cleaned_data
        return [services.ProgressInput(o, d[f"progress_{o.pk}"], d.get(f"evidence_{o.pk}", ""),
                                       bool(d.get(f"carry_{o.pk}")))
                for o in self.outcome_list]


class ProfileForm(SupportForm):
    admire = text_field("What people like and admire about me")
    important = text_field("What is important to me")
    support = text_field("How best to support me")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ConversationForm(SupportForm):
    status = forms.ChoiceField(label="Has it happened yet?", widget=forms.RadioSelect,
                               choices=[(Conversation.Status.HELD, "Yes, it was held"),
                                        (Conversation.Status.SCHEDULED, "No, it is planned")],
                               initial=Conversation.Status.HELD)
    on = date_field("Date", required=False)
    attendees = text_field("Who attended", help_text="Names and roles.")
    language = forms.CharField(label="Language of the meeting", initial="English",
                               max_length=60)
    interpreter_needed = forms.BooleanField(label="An interpreter was needed", required=False)
    explore = text_field("Explore", help_text="What the family told us: hopes, worries, what "
                                              "works at home.")
    focus = text_field("Focus", help_text="The one or two things that matter most now.")
    plan_notes = text_field("Plan", help_text="What we will do, and by when.")
    review_notes = text_field("Review", help_text="How and when we will check it worked.")
    staff_notes = text_field("Notes for staff only", help_text="Never shown to the family.")
    shared_with_family = forms.BooleanField(
        label="Share the explore, focus, plan and review notes with the family",
        required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_ACTIONS + 1):
            self.fields[f"action_{n}_text"] = forms.CharField(
                label=f"Agreed action {n}", required=False, max_length=300)
            self.fields[f"action_{n}_owner"] = forms.CharField(
                label=f"Agreed action {n}: who", required=False, max_length=120)
            self.fields[f"action_{n}_due_on"] = date_field(f"Agreed action {n}: by when",
                                                           required=False)

    def action_rows(self):
        return [(n, self.group(f"action_{n}_")) for n in range(1, MAX_ACTIONS + 1)]

    def actions(self) -> list[services.ActionInput]:
        d = self.cleaned_data
        return [services.ActionInput(d.get(f"action_{n}_text") or "",
                                     d.get(f"action_{n}_owner") or "",
                                     d.get(f"action_{n}_due_on"))
                for n in range(1, MAX_ACTIONS + 1)]

    def clean(self):
        data = super().clean()
        for n, a in enumerate(self.actions() if not self.errors else [], 1):
            if a.empty:
                continue
            for part, value, message in (("text", a.text.strip(), "Say what was agreed."),
                                         ("owner", a.owner.strip(), "Say who will do it."),
                                         ("due_on", a.due_on, "Give a date.")):
                if not value:
                    self.add_error(f"action_{n}_{part}", message)
        return data

    def values(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in services.CONVERSATION_FIELDS}


class ParentViewsForm(SupportForm):
    going_well = text_field("What is going well for your child?")
    worries = text_field("Is anything worrying you?")
    wishes = text_field("What would you like to happen next?")


class RequestConversationForm(SupportForm):
    note = text_field("What would you like to talk about? (you can leave this empty)")


class VoiceForm(SupportForm):
    own_words = text_field("Anything else you want to say?")
    with_adult = forms.CharField(label="Adult who helped (if any)", required=False,
                                 max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for q in QUESTIONS:
            self.fields[q.key] = forms.ChoiceField(
                label=q.text, required=False, widget=forms.RadioSelect,
                choices=[(c.value, c.word) for c in q.choices])

    def answers(self) -> dict[str, str]:
        return {q.key: self.cleaned_data.get(q.key) or "" for q in QUESTIONS}

    def clean(self):
        data = super().clean()
        if not any(data.get(q.key) for q in QUESTIONS) and not data.get("own_words"):
            raise ValidationError("Choose at least one answer.")
        return data


class ReportForm(SupportForm):
    visited_on = date_field("Date of the visit")
    title = forms.CharField(label="Title", max_length=200,
                            help_text="For example: Speech and language assessment.")
    findings = text_field("What you found", required=True)
    recommendations = text_field("Recommendations", required=True,
                                 help_text="What school should do: strategies and provision.")


class ChronologyForm(SupportForm):
    on = date_field("Date")
    kind = forms.ChoiceField(label="Kind", choices=ChronologyEntry.Kind.choices)
    title = forms.CharField(label="Title", max_length=200)
    notes = text_field("Notes")
    document = forms.FileField(label="Attach a document (optional)", required=False,
                               help_text="PDF, Word, JPEG or PNG, up to 10 MB.")
