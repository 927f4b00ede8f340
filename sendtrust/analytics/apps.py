from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "sendtrust.analytics"
    label = "analytics"
