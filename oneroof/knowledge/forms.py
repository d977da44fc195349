from django import forms
from django.utils.translation import gettext_lazy as _

from oneroof.knowledge.choices import ArticleKind
from oneroof.knowledge.models import Article

MARKUP_HELP = _(
    "One paragraph a line. A line starting with “## ” is a heading, “### ” a question, "
    "“- ” an item of a list."
)


class ArticleTextsForm(forms.Form):
    title_ar = forms.CharField(label=_("Title (Arabic)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    short_answer_ar = forms.CharField(
        label=_("Short answer (Arabic)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences, sent as an automatic reply."),
    )
    short_answer_en = forms.CharField(
        label=_("Short answer (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    body_ar = forms.CharField(
        label=_("Body (Arabic)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        help_text=MARKUP_HELP,
    )
    body_en = forms.CharField(
        label=_("Body (English)"), widget=forms.Textarea(attrs={"rows": 12}), required=False
    )
    notes_ar = forms.CharField(
        label=_("Notes (Arabic)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Shown after the body; the catalog never changes them."),
    )
    notes_en = forms.CharField(
        label=_("Notes (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, article: Article | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if article is not None and article.kind == ArticleKind.SERVICE:
            # The catalog writes a service article's body.
            for name in ("body_ar", "body_en"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Written from the catalog; edit the service.")

    def texts(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(name, "")
            for name in self.fields
            if name.startswith(("title_", "short_answer_", "body_", "notes_"))
            and not self.fields[name].disabled
        }


class ArticleEditForm(ArticleTextsForm):
    is_published = forms.BooleanField(label=_("Published"), required=False)
    reason = forms.CharField(label=_("What changed and why"), max_length=200, required=False)


class ArticleCreateForm(ArticleTextsForm):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=None,
        required=False,
        empty_label=_("Every center (no agency)"),
    )

    def __init__(self, *args, agencies=None, allow_no_agency: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["agency"].required = not allow_no_agency
        if not allow_no_agency:
            self.fields["agency"].empty_label = None


class ProposalForm(ArticleTextsForm):
    comment = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
