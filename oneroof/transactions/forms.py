"""Forms of the history pages. They check shapes only; the actions decide the rest (a valid
phone number, who may look, the one-time code) and raise domain errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

PHONE_WIDGET = forms.TextInput(
    attrs={"inputmode": "tel", "autocomplete": "off", "dir": "ltr", "class": "phone-input"}
)


class HistorySearchForm(forms.Form):
    """Staff: a visitor's phone and why they are looking (written to the audit log)."""

    phone = forms.CharField(label=_("Visitor's mobile number"), max_length=30, widget=PHONE_WIDGET)
    reason = forms.CharField(
        label=_("Why are you looking?"),
        min_length=5,
        max_length=300,
        help_text=_(
            "Written to the audit log with your name, for example “complaint 118 about a "
            "passport renewal”."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto", "class": "wide"}),
    )

    def clean_reason(self) -> str:
        return " ".join(self.cleaned_data["reason"].split())


class OwnHistoryForm(forms.Form):
    """Visitors: their phone, then the code sent to it."""

    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "dir": "ltr", "class": "phone-input"}
        ),
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
