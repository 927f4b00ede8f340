from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "sendtrust.evaluation"
    label = "evaluation"
    verbose_name = "Self-evaluation"
