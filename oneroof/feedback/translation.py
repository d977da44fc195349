from modeltranslation.translator import TranslationOptions, register

from oneroof.feedback.models import SurveyVersion


@register(SurveyVersion)
class SurveyVersionTR(TranslationOptions):
    fields = ("q_overall", "q_waiting", "q_courtesy", "q_one_visit")
