from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "sendtrust.access"
    label = "access"

    def ready(self):
        from sendtrust.access import signals  # noqa: F401 - connects the sign-in audit
