from modeltranslation.translator import TranslationOptions, register

from oneroof.knowledge.models import Article


@register(Article)
class ArticleTR(TranslationOptions):
    fields = ("title", "short_answer", "body", "notes")
