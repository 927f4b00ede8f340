from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sendtrust.api"
    label = "api"
