"""Forms of the appointment pages. They check shapes only; the actions decide the rest (a
free slot, a valid phone number, the per-phone limit) and raise domain errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oneroof.catalog.models import Agency


class PhoneForm(forms.Form):
    """The visitor's phone (proven by a one-time code) and an optional e-mail address."""

    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "dir": "ltr", "class": "wide"}
        ),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        max_length=200,
        help_text=_("We send the confirmation with a calendar file to this address too."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr", "class": "wide"}),
    )
    code = forms.CharField(
        label=_("Code from the SMS"),
        required=False,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "dir": "ltr",
                "pattern": "[0-9]{6}",
                "class": "code-input",
            }
        ),
    )


class FindBookingForm(forms.Form):
    code = forms.CharField(
        label=_("Booking code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "dir": "ltr", "class": "code-input"}
        ),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "dir": "ltr"}),
    )


class StaffBookingForm(forms.Form):
    """A booking made by staff for a visitor (on the phone or at the desk): no code needed."""

    phone = forms.CharField(
        label=_("Visitor's mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "dir": "ltr"}),
    )
    email = forms.EmailField(label=_("E-mail (optional)"), required=False, max_length=200)
    lang = forms.ChoiceField(
        label=_("Language of the messages"),
        choices=[("ar", "العربية"), ("en", "English")],
        initial="ar",
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ClosureForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("To (inclusive)"), widget=DateInput())
    agency = forms.ModelChoiceField(
        label=_("Only this agency's desk"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("The whole center"),
    )
    reason_ar = forms.CharField(label=_("Reason (Arabic)"), max_length=200)
    reason_en = forms.CharField(label=_("Reason (English)"), max_length=200, required=False)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies
        self.fields["reason_ar"].widget.attrs.update({"dir": "rtl", "lang": "ar"})
        self.fields["reason_en"].widget.attrs.update({"dir": "ltr", "lang": "en"})
