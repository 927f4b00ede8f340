"""Forms of the provision pages. Labels carry no trailing colon (the label is the name)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from sendtrust.organisations.models import Role
from sendtrust.provision.models import (
    AREAS,
    GroupEnrolment,
    IndividualProvision,
    Intervention,
    OutcomeMeasure,
    ProvisionGroup,
    SenBudget,
    StaffQualification,
)

DATE = forms.DateInput(attrs={"type": "date"})
STAFF_ROLE_CHOICES = [(r.value, r.label) for r in (Role.TA, Role.TEACHER, Role.SENCO)]


def attach_errors(form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form fields it names."""
    if hasattr(error, "error_dict"):
        for name, errs in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error)


class NoColon:
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MeasureForm(NoColon, forms.ModelForm):
    class Meta:
        model = OutcomeMeasure
        fields = ["name", "kind", "unit", "minimum", "maximum", "higher_is_better",
                  "max_decline", "expected_gain"]
        labels = {"higher_is_better": "A higher score is better",
                  "max_decline": "Largest fall from entry to exit to accept",
                  "expected_gain": "Gain that counts as expected progress"}

    def clean(self):
        data = super().clean()
        lo, hi = data.get("minimum"), data.get("maximum")
        if lo is not None and hi is not None and lo >= hi:
            self.add_error("maximum", "The maximum must be above the minimum.")
        return data


class InterventionForm(NoColon, forms.ModelForm):
    staff_role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES, label="Staff type")
    evidence_url = forms.URLField(assume_scheme="https", required=False,
                                  label="Link to the evidence")

    class Meta:
        model = Intervention
        fields = ["name", "area", "description", "group_size", "sessions_per_week",
                  "minutes_per_session", "weeks", "staff_role", "evidence_strength",
                  "evidence_url", "cost_model", "cost_per_pupil", "measure"]

    def __init__(self, *args, trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = OutcomeMeasure.objects.filter(trust=trust)
        self.fields["measure"].label = "Outcome measure"


class GroupForm(NoColon, forms.ModelForm):
    staff_role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES, label="Staff type")

    class Meta:
        model = ProvisionGroup
        fields = ["intervention", "name", "staff", "staff_role", "timetable",
                  "sessions_per_week", "minutes_per_session", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "staff": forms.CheckboxSelectMultiple}
        labels = {"starts_on": "Start date", "ends_on": "End date", "staff": "Staff"}

    def __init__(self, *args, school, staff, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        self.fields["intervention"].queryset = Intervention.objects.filter(
            Q(school=school) | Q(school__isnull=True), trust_id=school.trust_id)
        self.fields["staff"].queryset = staff
        self.fields["staff"].required = False
        for name in ("sessions_per_week", "minutes_per_session", "ends_on"):
            self.fields[name].required = False


class ScoreFields(NoColon, forms.Form):
    """A score field as the measure will check it: a number, up to two decimal places."""

    @staticmethod
    def score(label, required=False):
        return forms.DecimalField(label=label, required=required, max_digits=8,
                                  decimal_places=2)


class EnrolForm(ScoreFields):
    pupil = forms.ModelChoiceField(queryset=None, label="Pupil")
    entry_score = ScoreFields.score("Entry score")
    entry_on = forms.DateField(label="Date of the entry score", required=False, widget=DATE)

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["pupil"].label_from_instance = (
            lambda p: f"{p.surname}, {p.forename} (year {p.year_group})")


class ScoresForm(NoColon, forms.ModelForm):
    class Meta:
        model = GroupEnrolment
        fields = ["entry_score", "entry_on", "exit_score", "exit_on"]
        widgets = {"entry_on": DATE, "exit_on": DATE}
        labels = {"entry_on": "Date of the entry score", "exit_on": "Date of the exit score"}


class SessionForm(NoColon, forms.Form):
    held_on = forms.DateField(label="Date of the session", widget=DATE)
    present = forms.ModelMultipleChoiceField(queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple,
                                             label="Pupils present")

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = enrolments
        self.fields["present"].label_from_instance = (
            lambda e: f"{e.pupil.forename} {e.pupil.surname}")


class IndividualForm(NoColon, forms.ModelForm):
    staff_role = forms.ChoiceField(choices=[("", "Not staff time"), *STAFF_ROLE_CHOICES],
                                   required=False, label="Who gives it")

    class Meta:
        model = IndividualProvision
        fields = ["kind", "area", "description", "hours_per_week", "staff_role",
                  "annual_cost", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        labels = {"starts_on": "Start date", "ends_on": "End date (if known)"}


class EhcHoursForm(NoColon, forms.Form):
    hours_per_week = forms.DecimalField(label="Hours a week the EHC plan specifies",
                                        min_value=0, max_value=60, decimal_places=2)
    starts_on = forms.DateField(label="From", widget=DATE)
    description = forms.CharField(label="What the plan specifies", required=False,
                                  max_length=200)


class BudgetForm(NoColon, forms.ModelForm):
    class Meta:
        model = SenBudget
        fields = ["school", "year", "amount", "ta_in_class_hours"]
        labels = {"amount": "Notional SEN budget (£)",
                  "ta_in_class_hours": "TA hours a week supporting in class"}

    def __init__(self, *args, trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = trust.schools.order_by("name")

    def validate_unique(self):
        pass  # a second entry for the same school and year replaces the first


class QualificationForm(NoColon, forms.ModelForm):
    class Meta:
        model = StaffQualification
        fields = ["person", "school", "kind", "title", "area", "intervention", "awarded_on",
                  "expires_on"]
        widgets = {"awarded_on": DATE, "expires_on": DATE}
        labels = {"person": "Member of staff", "awarded_on": "Awarded or trained on",
                  "expires_on": "Expires or renew by (if it does)"}

    def __init__(self, *args, trust, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff
        self.fields["school"].queryset = trust.schools.order_by("name")
        self.fields["intervention"].queryset = Intervention.objects.filter(trust=trust)


class MapFilterForm(NoColon, forms.Form):
    area = forms.ChoiceField(choices=[("", "Every area"), *AREAS], required=False,
                             label="Area of need")
    kind = forms.ChoiceField(choices=[("", "Every kind"), ("group", "Group intervention"),
                                      ("one_to_one", "One-to-one support"),
                                      ("equipment", "Equipment"),
                                      ("service", "External service bought in")],
                             required=False, label="Kind")
    year_group = forms.IntegerField(required=False, min_value=0, max_value=14, label="Year")
    teaching_group = forms.ModelChoiceField(queryset=None, required=False, label="Class",
                                            empty_label="Every class", to_field_name="code")

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teaching_group"].queryset = school.teaching_groups.order_by("name")
