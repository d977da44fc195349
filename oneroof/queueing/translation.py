from modeltranslation.translator import TranslationOptions, register

from oneroof.queueing.models import Line


@register(Line)
class LineTR(TranslationOptions):
    fields = ("name",)
