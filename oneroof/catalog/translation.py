from modeltranslation.translator import TranslationOptions, register

from oneroof.catalog.models import FAQ, Agency, Notice, RequiredDocument, Service, ServiceStep


@register(Agency)
class AgencyTR(TranslationOptions):
    fields = ("name", "description")


@register(Service)
class ServiceTR(TranslationOptions):
    fields = ("name", "description", "eligibility")


@register(RequiredDocument)
class RequiredDocumentTR(TranslationOptions):
    fields = ("name",)


@register(ServiceStep)
class ServiceStepTR(TranslationOptions):
    fields = ("text",)


@register(FAQ)
class FAQTR(TranslationOptions):
    fields = ("question", "answer")


@register(Notice)
class NoticeTR(TranslationOptions):
    fields = ("text",)
