from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oneroof.care.choices import (
    CaseChannel,
    CaseKind,
    CasePriority,
    CaseStatus,
    PublicNoticeKind,
)
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center


class AskForm(forms.Form):
    """The portal's "Ask us, complain or suggest" form."""

    kind = forms.ChoiceField(
        label=_("What would you like to do?"),
        choices=[
            (CaseKind.INQUIRY, _("Ask a question")),
            (CaseKind.COMPLAINT, _("Make a complaint")),
            (CaseKind.SUGGESTION, _("Suggest an improvement")),
        ],
        initial=CaseKind.INQUIRY,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        help_text=_("Write as you would say it, in Arabic or English."),
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=120, required=False)
    phone = forms.CharField(
        label=_("Mobile number (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "dir": "ltr"}),
        help_text=_("We send the answer by SMS."),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )


class CitizenReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Write to us"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"})
    )
    then = forms.ChoiceField(
        label=_("After sending"),
        choices=[
            (CaseStatus.WAITING, _("Wait for the citizen")),
            (CaseStatus.RESOLVED, _("Mark resolved")),
            (CaseStatus.OPEN, _("Keep open")),
        ],
        initial=CaseStatus.WAITING,
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Only staff see notes."),
    )


class CaseFieldsForm(forms.Form):
    """Correct what was guessed."""

    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=CasePriority.choices)
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.active(),
        required=False,
        empty_label=pgettext_lazy("agency", "— general queue —"),
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.active().select_related("agency"),
        required=False,
        empty_label="—",
    )
    center = forms.ModelChoiceField(
        label=_("Center"),
        queryset=Center.objects.filter(is_active=True),
        required=False,
        empty_label="—",
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=400,
        help_text=_("Separated by commas."),
    )


class PhoneCaseForm(forms.Form):
    """An agent logs a phone call."""

    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    text = forms.CharField(
        label=_("What the caller said"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
    )
    phone = forms.CharField(
        label=_("Caller's number"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "dir": "ltr"}),
    )
    name = forms.CharField(label=_("Caller's name"), max_length=120, required=False)
    lang = forms.ChoiceField(label=_("Language"), choices=[("ar", "العربية"), ("en", "English")])
    priority = forms.ChoiceField(
        label=_("Priority"), choices=CasePriority.choices, initial=CasePriority.NORMAL
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.active().select_related("agency"),
        required=False,
        empty_label=_("— guess from the text —"),
    )


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Needs action")), ("all", _("All")), *CaseStatus.choices],
    )
    sla = forms.ChoiceField(
        label=_("SLA"),
        required=False,
        choices=[
            ("", _("Any")),
            ("on_time", _("On time")),
            ("due_soon", _("Due soon")),
            ("breached", _("Breached")),
            ("paused", _("Paused")),
        ],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *CaseChannel.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *CaseKind.choices]
    )
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    owner = forms.ChoiceField(
        label=_("Owner"),
        required=False,
        choices=[("", _("Anyone")), ("me", _("Mine")), ("none", _("Unassigned"))],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [
            ("", _("Any")),
            ("0", _("General queue")),
            *[(str(a.pk), a.name) for a in agencies],
        ]


class PublicNoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PublicNoticeKind.choices)
    title_ar = forms.CharField(label=_("Title (Arabic)"), max_length=160)
    title_en = forms.CharField(label=_("Title (English)"), max_length=160, required=False)
    body_ar = forms.CharField(
        label=_("Text (Arabic)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body_en = forms.CharField(
        label=_("Text (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.active(), required=False, empty_label="—"
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.active().select_related("agency"),
        required=False,
        empty_label="—",
    )
    center = forms.ModelChoiceField(
        label=_("Center"),
        queryset=Center.objects.filter(is_active=True),
        required=False,
        empty_label=_("Every center"),
    )
    starts_at = forms.DateTimeField(
        label=_("Shown from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    ends_at = forms.DateTimeField(
        label=_("Shown until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    source_notice = forms.IntegerField(required=False, widget=forms.HiddenInput)


class SubscribeForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "dir": "ltr"}),
    )
    agency = forms.ModelChoiceField(
        label=_("Notices of"),
        queryset=Agency.objects.active(),
        required=False,
        empty_label=_("Every agency"),
    )
