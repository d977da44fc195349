import factory

from oneroof.centers.models import Center, Closure, OpeningInterval


class CenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Center

    slug = factory.Sequence(lambda n: f"center-{n}")
    name_ar = factory.Sequence(lambda n: f"مجمع {n}")
    name_en = factory.Sequence(lambda n: f"Center {n}")
    latitude = 25.3
    longitude = 51.5
    time_zone = "Asia/Qatar"


class IntervalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningInterval

    center = factory.SubFactory(CenterFactory)
    weekday = 6
    opens = 7 * 60
    closes = 13 * 60


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    reason_ar = "إجازة"
    reason_en = "Holiday"
