from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from sendtrust.pupils.models import NeedType, Provision
from sendtrust.pupils.services import check_status

STATUS_FILTERS = [
    ("sen", "Any SEN (SEN support or EHC plan)"),
    ("K", "SEN support"),
    ("E", "EHC plan"),
    ("N", "No SEN"),
    ("all", "All pupils"),
]
SORTS = {
    "name": ("surname", "forename", "id"),
    "year": ("year_group", "surname", "forename", "id"),
    "status": ("sen_provision", "surname", "forename", "id"),
    "need": ("primary_need__code", "surname", "forename", "id"),
}


class RegisterFilterForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False, label="SEN status")
    need = forms.ModelChoiceField(
        NeedType.objects.all(), required=False, to_field_name="code",
        label="Primary need", empty_label="Any need",
    )
    year = forms.TypedChoiceField(
        choices=[("", "Any year")] + [(str(y), "Reception" if y == 0 else f"Year {y}")
                                      for y in range(0, 15)],
        coerce=int, empty_value=None, required=False, label="Year group",
    )
    sort = forms.ChoiceField(
        choices=[("name", "Name"), ("year", "Year group"), ("status", "SEN status"),
                 ("need", "Primary need")],
        required=False, label="Sort by",
    )

    def filter(self, qs):
        """Return qs filtered and sorted; an invalid choice falls back to the default."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or "sen"
        if status == "sen":
            qs = qs.exclude(sen_provision=Provision.NONE)
        elif status in Provision.values:
            qs = qs.filter(sen_provision=status)
        if data.get("need"):
            qs = qs.filter(primary_need=data["need"])
        if data.get("year") is not None:
            qs = qs.filter(year_group=data["year"])
        return qs.order_by(*SORTS[data.get("sort") or "name"])


class StatusForm(forms.Form):
    provision = forms.ChoiceField(choices=Provision.choices, label="SEN provision")
    primary_need = forms.ModelChoiceField(
        NeedType.objects.all(), required=False, to_field_name="code", label="Primary need"
    )
    secondary_need = forms.ModelChoiceField(
        NeedType.objects.all(), required=False, to_field_name="code", label="Secondary need"
    )
    starts_on = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )

    def clean(self):
        data = super().clean()
        if "provision" in data:
            try:
                check_status(
                    data["provision"], data.get("primary_need"), data.get("secondary_need")
                )
            except ValidationError as e:
                for field, errors in e.message_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        if data.get("starts_on") and data["starts_on"] > timezone.localdate():
            self.add_error("starts_on", "Record a change on or after the day it takes effect.")
        return data


class MoveForm(forms.Form):
    to_school = forms.ModelChoiceField(queryset=None, label="Move to", to_field_name="code")
    on = forms.DateField(
        label="Date of the move",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_school"].queryset = schools
