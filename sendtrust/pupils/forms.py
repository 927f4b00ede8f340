from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from sendtrust.lib.upn import clean_upn
from sendtrust.pupils.models import NeedType, Provision
from sendtrust.pupils.services import check_status

STATUS_FILTERS = [
    ("sen", "Any SEN (SEN support or EHC plan)"),
    ("K", "SEN support"),
    ("E", "EHC plan"),
    ("N", "No SEN"),
    ("all", "All pupils on roll"),
    ("left", "Pupils who have left"),
]
SORTS = {
    "name": ("surname", "forename", "id"),
    "year": ("year_group", "surname", "forename", "id"),
    "status": ("sen_provision", "surname", "forename", "id"),
    "need": ("primary_need__code", "surname", "forename", "id"),
}


def year_label(year: int) -> str:
    return "Reception" if year == 0 else f"Year {year}"


class GovukForm(forms.Form):
    """A form in the GOV.UK pattern: each error sits by its field and is tied to it.

    Messages start with a capital letter, and a field with an error points at its message
    (`aria-describedby`), which the error summary at the top of the page links to.
    """

    def full_clean(self):
        super().full_clean()
        self._tie_errors()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._tie_errors()

    def _tie_errors(self):
        for name, errors in (self._errors or {}).items():
            errors[:] = [capfirst(str(e)) for e in errors]
            if name in self.fields:
                field = self[name]
                attrs = self.fields[name].widget.attrs
                hint = f"{field.auto_id}_helptext " if self.fields[name].help_text else ""
                attrs["aria-describedby"] = f"{hint}{field.auto_id}-error"


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (the rest at the top)."""
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class RegisterFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Name or UPN")
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False, label="SEN status")
    need = forms.ModelChoiceField(
        NeedType.objects.all(), required=False, to_field_name="code",
        label="Primary need", empty_label="Any need",
    )
    year = forms.TypedChoiceField(coerce=int, empty_value=None, required=False,
                                  label="Year group")
    sort = forms.ChoiceField(
        choices=[("name", "Name"), ("year", "Year group"), ("status", "SEN status"),
                 ("need", "Primary need")],
        required=False, label="Sort by",
    )

    def __init__(self, *args, years=range(0, 15), **kwargs):
        """`years`: the year groups to offer (a school's own, not every year 0 to 14)."""
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "Any year")] + [
            (str(y), year_label(y)) for y in years
        ]

    def filter(self, qs):
        """Return qs filtered and sorted; an invalid choice falls back to the default."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or "sen"
        if status == "left":
            qs = qs.filter(left_on__isnull=False)
        else:
            qs = qs.filter(left_on__isnull=True)
        if status == "sen":
            qs = qs.exclude(sen_provision=Provision.NONE)
        elif status in Provision.values:
            qs = qs.filter(sen_provision=status)
        if data.get("need"):
            qs = qs.filter(primary_need=data["need"])
        if data.get("year") is not None:
            qs = qs.filter(year_group=data["year"])
        if data.get("q"):
            qs = qs.filter(_search(data["q"]))
        return qs.order_by(*SORTS[data.get("sort") or "name"])


def _search(text: str) -> Q:
    """Pupils whose UPN is the text, or whose names start with each word of it."""
    names = Q()
    for word in text.split():
        names &= Q(surname__istartswith=word) | Q(forename__istartswith=word)
    return Q(upn=clean_upn(text)) | names


class _StatusFields(GovukForm):
    """SEN provision and needs, checked against the census rules."""

    provision = forms.ChoiceField(choices=Provision.choices, label="SEN provision")
    primary_need = forms.ModelChoiceField(
        NeedType.objects.all(), required=False, to_field_name="code", label="Primary need"
    )
    secondary_need = forms.ModelChoiceField(
        NeedType.objects.all(), required=False, to_field_name="code", label="Secondary need",
        help_text="Kept from the current status unless you change it.",
    )

    def clean(self):
        data = super().clean()
        if "provision" in data:
            try:
                check_status(
                    data["provision"], data.get("primary_need"), data.get("secondary_need")
                )
            except ValidationError as e:
                add_service_errors(self, e)
        return data


class StatusForm(_StatusFields):
    starts_on = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    field_order = ["provision", "primary_need", "secondary_need", "starts_on"]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data["starts_on"] > timezone.localdate():
            self.add_error("starts_on", "Record a change on or after the day it takes effect.")
        return data


class CorrectionForm(_StatusFields):
    episode = forms.ModelChoiceField(
        queryset=None, to_field_name="code", label="Which entry is wrong",
        empty_label="Choose the entry",
    )
    reason = forms.CharField(
        label="Why it was wrong", max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: recorded against the wrong pupil, or the need was mistyped. "
                  "The reason and the entry as it was are kept in the history.",
    )
    field_order = ["episode", "provision", "primary_need", "secondary_need", "reason"]

    def __init__(self, *args, episodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["episode"].queryset = episodes
        self.fields["episode"].label_from_instance = _episode_label
        self.fields["secondary_need"].help_text = ""
        # Labels of their own: the status form on the same page asks about the status itself.
        for name, label in (("provision", "SEN provision it should say"),
                            ("primary_need", "Primary need it should say"),
                            ("secondary_need", "Secondary need it should say")):
            self.fields[name].label = label


def _episode_label(e) -> str:
    end = _day(e.ends_on) if e.ends_on else "now"
    need = f", {e.primary_need.code}" if e.primary_need_id else ""
    return f"{e.get_provision_display()}{need}: {_day(e.starts_on)} to {end}"


def _day(d) -> str:
    return f"{d.day} {d:%b %Y}"


class MoveForm(GovukForm):
    to_school = forms.ModelChoiceField(queryset=None, label="Move to", to_field_name="code")
    on = forms.DateField(
        label="Date of the move",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_school"].queryset = schools


class LeaverForm(GovukForm):
    on = forms.DateField(
        label="Last day on roll",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    destination = forms.CharField(
        label="Where the pupil went", max_length=200,
        help_text="The new school and its URN, or, for example, elective home education or "
                  "moved abroad.",
    )
