"""The upload form of the import page."""

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone

from sendtrust.pupils.forms import GovukForm


class ImportForm(GovukForm):
    file = forms.FileField(
        label="Census file (CSV or Excel .xlsx)",
        error_messages={"required": "Choose a census file to upload",
                        "empty": "The file is empty: choose the census file again"},
        validators=[FileExtensionValidator(["csv", "xlsx"], "Upload a .csv or .xlsx file.")],
    )
    effective = forms.DateField(
        label="Changes take effect on",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="The start date of new pupils and of changes to SEN status. Leave blank "
                  "for today.",
    )

    def clean_effective(self):
        effective = self.cleaned_data["effective"]
        if effective and effective > timezone.localdate():
            raise forms.ValidationError("The date the changes take effect cannot be in the "
                                        "future")
        return effective
