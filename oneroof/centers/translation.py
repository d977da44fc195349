from modeltranslation.translator import TranslationOptions, register

from oneroof.centers.models import Center, Closure


@register(Center)
class CenterTR(TranslationOptions):
    fields = ("name", "address")


@register(Closure)
class ClosureTR(TranslationOptions):
    fields = ("reason",)
