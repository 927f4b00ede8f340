from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "sendtrust.quality"
    label = "quality"
