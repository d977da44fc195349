"""System checks of OneRoof's own configuration."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_secret_key_is_set(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    from oneroof.settings import _DEV_SECRET

    if settings.SECRET_KEY == _DEV_SECRET:
        return [
            Error(
                "ONEROOF_SECRET_KEY is not set: the development key is in use.",
                hint="Set ONEROOF_SECRET_KEY to a long random value in production.",
                id="oneroof.E001",
            )
        ]
    return []
