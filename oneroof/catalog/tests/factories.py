import factory

from oneroof.catalog.models import Agency, RequiredDocument, Service


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name_ar = factory.Sequence(lambda n: f"جهة {n}")
    name_en = factory.Sequence(lambda n: f"Agency {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    slug = factory.Sequence(lambda n: f"service-{n}")
    agency = factory.SubFactory(AgencyFactory)
    name_ar = factory.Sequence(lambda n: f"خدمة {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    fee = 0


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    service = factory.SubFactory(ServiceFactory)
    name_ar = "مستند"
    name_en = "Document"
