import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import F

from sendtrust.evaluation.models import ContextProfile
from sendtrust.evaluation.services import frameworks_for

TEXTAREA = {"rows": 3}


class OpenRoundForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name of the round",
                           help_text='For example "Autumn 2026".')
    framework = forms.ModelChoiceField(
        queryset=None, to_field_name="code", empty_label=None, label="Framework",
        widget=forms.Select(attrs={"aria-describedby": "framework-hint"}))
    schools = forms.ModelMultipleChoiceField(
        queryset=None, to_field_name="code", required=False,
        widget=forms.CheckboxSelectMultiple, label="Schools taking part",
        help_text="The trust itself always takes part.",
    )

    def __init__(self, *args, trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks_for(trust).order_by(
            F("trust").asc(nulls_first=True), "slug", "-version")
        self.fields["framework"].label_from_instance = lambda f: (
            f"{f.name} v{f.version}" + (" (your trust's copy)" if f.trust_id else "")
        )
        self.fields["schools"].queryset = trust.schools.all()
        if not self.is_bound:
            self.initial["schools"] = list(trust.schools.all())


def _scale_choices(levels):
    return [(lv.value, f"{lv.value} {lv.label}") for lv in levels]


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(coerce=int, empty_value=None, required=False,
                                   widget=forms.RadioSelect, label="Level")
    evidence = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA),
                               label="Evidence")
    links = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA),
                            label="Links to evidence", help_text="One web address a line.")
    strengths = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA),
                                label="Strengths")
    areas_to_develop = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA),
                                       label="Areas to develop")

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = _scale_choices(levels)

    def clean_links(self):
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines()]
        check = URLValidator(schemes=["http", "https"])
        for n, line in enumerate(lines, start=1):
            if line:
                try:
                    check(line)
                except ValidationError:
                    raise ValidationError(f"Line {n} is not a web address: {line[:60]}") from None
        return "\n".join(line for line in lines if line)


class AnswerForm(forms.Form):
    text = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA), label="Answer")


class ModerationForm(forms.Form):
    level = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Moderated level")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             label="Reason", help_text="Required when you change the level.")

    def __init__(self, *args, levels, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = _scale_choices(levels)
        self.current = current
        if current is not None and not self.is_bound:
            self.initial["level"] = current

    def clean(self):
        data = super().clean()
        if (self.current is not None and data.get("level") not in (None, self.current)
                and not data.get("reason", "").strip()):
            self.add_error("reason", "Say why the level changes.")
        return data


class ContextForm(forms.ModelForm):
    class Meta:
        model = ContextProfile
        fields = ContextProfile.FACTORS
        widgets = {f: forms.Textarea(attrs=TEXTAREA) for f in ContextProfile.FACTORS}


def is_uuid(value) -> bool:
    """Whether a value from a query string or a form is a UUID (codes in URLs are)."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
