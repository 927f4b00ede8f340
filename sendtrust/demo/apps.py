from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sendtrust.demo"
    label = "demo"
