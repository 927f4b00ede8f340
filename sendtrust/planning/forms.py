from django import forms
from django.core.exceptions import ValidationError

from sendtrust.evaluation.forms import is_uuid
from sendtrust.planning import indicators, services
from sendtrust.planning.models import Horizon, PlanAction, SuccessCriterion

TEXTAREA = {"rows": 3}


def _raise_on(form, error: ValidationError):
    """Attach a service's ValidationError to the form fields it names."""
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error)


class PlanForm(forms.Form):
    """Labels without Django's trailing colon: the label is the field's accessible name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ThemesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class GoalForm(PlanForm):
    horizon = forms.TypedChoiceField(choices=Horizon.choices, coerce=int,
                                     widget=forms.RadioSelect, label="Horizon")
    title = forms.CharField(max_length=200, label="Goal",
                            help_text="What will be happening then that is not happening now.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA),
                                  label="Description")
    themes = ThemesField(required=False, label="Evaluation themes it addresses")
    source_round = forms.ModelChoiceField(queryset=None, required=False, to_field_name="code",
                                          label="From the self-evaluation round",
                                          empty_label="None")
    order = forms.IntegerField(required=False, min_value=0, max_value=999, initial=0,
                               label="Position within its horizon")

    def __init__(self, *args, trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.trust = trust
        self.fields["themes"].choices = services.theme_choices(trust)
        self.fields["source_round"].queryset = trust.rounds.all()

    def clean_order(self):
        return self.cleaned_data["order"] or 0

    def clean(self):
        data = super().clean()
        try:
            services.check_themes(self.trust, data.get("themes") or [])
        except ValidationError as e:
            _raise_on(self, e)
        return data


class IndicatorChoiceField(forms.ChoiceField):
    def valid_value(self, value):
        # The registry grows while a page is open: ask it rather than the choices built then.
        return indicators.exists(value) or super().valid_value(value)


class CriterionForm(PlanForm):
    description = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA),
                                  label="How we will know",
                                  help_text="Needed unless an indicator measures it.")
    indicator_key = IndicatorChoiceField(required=False, label="Indicator",
                                      help_text="A live figure from sendtrust's own data.")
    school = forms.ModelChoiceField(queryset=None, required=False, to_field_name="code",
                                    label="Measured for", empty_label="The whole trust")
    target = forms.FloatField(required=False, label="Target value",
                              help_text="In the indicator's unit, for example 12.5 for 12.5%.")
    direction = forms.ChoiceField(choices=SuccessCriterion.Direction.choices,
                                  initial=SuccessCriterion.Direction.UP,
                                  widget=forms.RadioSelect, label="Which way is better")

    def __init__(self, *args, trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.trust = trust
        self.fields["indicator_key"].choices = [("", "None: judged from the description"),
                                                *indicators.choices()]
        self.fields["school"].queryset = trust.schools.all()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_criterion(
                self.trust, description=data.get("description", ""),
                indicator_key=data.get("indicator_key", ""), school=data.get("school"),
                target=data.get("target"))
        except ValidationError as e:
            _raise_on(self, e)
        return data


class ActionForm(PlanForm):
    """An action; its owner is chosen from a list that a search and a school narrow down.

    Without JavaScript "Show matching people" sends the form back with the list narrowed
    (nothing is saved); with htmx the list narrows as you type (owner_search_attrs).
    """

    title = forms.CharField(max_length=200, label="Action")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA),
                                  label="Description")
    owner_q = forms.CharField(required=False, label="Find the owner",
                              help_text="Part of a name, a role or a school.",
                              widget=forms.TextInput(attrs={"type": "search",
                                                            "autocomplete": "off"}))
    owner_school = forms.ModelChoiceField(queryset=None, required=False, to_field_name="code",
                                          label="People of", empty_label="Every school and "
                                          "the trust")
    owner = forms.ModelChoiceField(queryset=None, label="Owner",
                                   help_text="A current member of the trust's staff or board.")
    due_on = forms.DateField(label="Due date", widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(choices=PlanAction.Status.choices,
                               initial=PlanAction.Status.NOT_STARTED, label="Status")
    themes = ThemesField(required=False, label="Evaluation themes")
    schools = forms.ModelMultipleChoiceField(queryset=None, required=False, to_field_name="code",
                                             widget=forms.CheckboxSelectMultiple,
                                             label="Schools it concerns")

    def __init__(self, *args, trust, search_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.trust = trust
        schools = trust.schools.all()
        self.fields["owner_school"].queryset = schools
        self.fields["owner"].queryset = services.owners_for(trust)
        self.fields["themes"].choices = services.theme_choices(trust)
        self.fields["schools"].queryset = schools
        query = self._value("owner_q") or ""
        school = schools.filter(code=code).first() if is_uuid(
            code := self._value("owner_school")) else None
        keep = self._value("owner")
        keep = int(keep) if str(keep or "").isdigit() else getattr(keep, "pk", None)
        self.owner_options = services.owner_choices(trust, query=query, school=school,
                                                    keep=keep)
        self.fields["owner"].choices = [("", "Choose the owner"), *self.owner_options]
        if search_url:
            live = {"hx-get": search_url, "hx-target": "#id_owner", "hx-select": "#id_owner",
                    "hx-swap": "outerHTML", "hx-select-oob": "#owner-count",
                    "hx-include": "#id_owner_q, #id_owner_school, #id_owner",
                    "aria-controls": "id_owner"}
            self.fields["owner_q"].widget.attrs.update(
                live, **{"hx-trigger": "input changed delay:300ms, search"})
            self.fields["owner_school"].widget.attrs.update(live, **{"hx-trigger": "change"})

    def _value(self, name):
        """What the person chose for a field: the sent value, else the initial one."""
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        value = self.initial.get(name, self.fields[name].initial)
        return getattr(value, "code", value)


class ProgressForm(PlanForm):
    status = forms.ChoiceField(choices=PlanAction.Status.choices, label="Status")
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           label="Progress note", help_text="What has happened since last time.")
