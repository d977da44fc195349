from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from oneroof.accounts.admin_mixins import SystemAdminOnly
from oneroof.centers.models import (
    Center,
    CenterAgency,
    Closure,
    Counter,
    OpeningInterval,
    fmt_minute,
    parse_hhmm,
)


class IntervalForm(forms.ModelForm):
    """Opening and closing times typed as HH:MM (24:00 allowed for midnight)."""

    opens = forms.CharField(label=_("opens"), max_length=5, help_text="HH:MM")
    closes = forms.CharField(label=_("closes"), max_length=5, help_text="HH:MM, 24:00")

    class Meta:
        model = OpeningInterval
        fields = ("agency", "weekday", "opens", "closes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opens", "closes"):
            value = self.initial.get(name)
            if isinstance(value, int):
                self.initial[name] = fmt_minute(value)

    def _clean_time(self, name: str) -> int:
        try:
            return parse_hhmm(self.cleaned_data[name])
        except ValueError as exc:
            raise forms.ValidationError(_("Enter a time as HH:MM, e.g. 07:30 or 24:00.")) from exc

    def clean_opens(self) -> int:
        return self._clean_time("opens")

    def clean_closes(self) -> int:
        return self._clean_time("closes")

    def clean(self):
        data = super().clean()
        if (
            isinstance(data.get("opens"), int)
            and isinstance(data.get("closes"), int)
            and data["opens"] >= data["closes"]
        ):
            raise forms.ValidationError(_("An interval must close after it opens."))
        return data


class IntervalInline(admin.TabularInline):
    model = OpeningInterval
    form = IntervalForm
    extra = 0


class CenterAgencyInline(admin.TabularInline):
    model = CenterAgency
    extra = 0


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    fields = ("number", "label", "zone", "agency", "is_active")


@admin.register(Center)
class CenterAdmin(SystemAdminOnly, TranslationAdmin):
    list_display = ("name", "slug", "time_zone", "is_active")
    search_fields = ("name_ar", "name_en", "slug")
    inlines = [CenterAgencyInline, IntervalInline, CounterInline]


@admin.register(Closure)
class ClosureAdmin(SystemAdminOnly, TranslationAdmin):
    list_display = ("reason", "center", "agency", "starts_on", "ends_on")
    list_filter = ("center",)
