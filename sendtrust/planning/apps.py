from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "sendtrust.planning"
    label = "planning"
