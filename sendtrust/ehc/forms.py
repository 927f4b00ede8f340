"""Forms of the ehc pages, in the GOV.UK pattern (sendtrust.pupils.forms.GovukForm)."""

from django import forms
from django.core.validators import FileExtensionValidator

from sendtrust.ehc.models import CalendarFeed, ClockNote, Event
from sendtrust.pupils.forms import GovukForm

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class EventForm(GovukForm):
    kind = forms.ChoiceField(label="What happened", choices=[("", "Choose a step")]
                             + Event.KIND_CHOICES,
                             error_messages={"required": "Choose what happened"})
    on = forms.DateField(label="Date it happened", input_formats=DATE_FORMATS,
                         widget=forms.DateInput(attrs={"type": "date"}),
                         error_messages={"required": "Enter the date it happened",
                                         "invalid": "Enter a real date, like 12/03/2026"})
    outcome = forms.ChoiceField(
        label="Decision (only for a decision)", required=False,
        choices=[("", "Not a decision")] + Event.OUTCOME_CHOICES)
    la_code = forms.CharField(label="Local authority code", max_length=3, required=False,
                              help_text="Three digits, like 801. Leave blank for the "
                                        "authority that holds the plan now.")
    la_name = forms.CharField(label="Local authority name", max_length=100, required=False)
    note = forms.CharField(label="Note (optional)", max_length=300, required=False,
                           help_text="Shown to the school's leaders, not to the family.")


class NoteForm(GovukForm):
    deadline = forms.ChoiceField(label="Deadline", choices=[],
                                 error_messages={"required": "Choose the deadline"})
    type = forms.ChoiceField(label="What you are recording", choices=ClockNote.Type.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Choose an exception or a delay "
                                                         "reason"})
    reason = forms.ChoiceField(label="Reason", choices=[("", "Choose a reason")]
                               + ClockNote.Reason.choices,
                               error_messages={"required": "Choose a reason"})
    note = forms.CharField(label="Details (required for “Other”)", max_length=300,
                           required=False)

    def __init__(self, *args, deadlines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].choices = [("", "Choose a deadline")] + [
            (d.key, f"{d.label}: due {d.due:%d/%m/%Y}") for d in deadlines]


class FeedForm(GovukForm):
    include_names = forms.BooleanField(
        label=CalendarFeed._meta.get_field("include_names").verbose_name, required=False,
        help_text=CalendarFeed._meta.get_field("include_names").help_text)


class ImportForm(GovukForm):
    file = forms.FileField(
        label="EHC events file (CSV or Excel .xlsx)",
        error_messages={"required": "Choose a file to upload",
                        "empty": "The file is empty: choose it again"},
        validators=[FileExtensionValidator(["csv", "xlsx"], "Upload a .csv or .xlsx file.")],
    )
