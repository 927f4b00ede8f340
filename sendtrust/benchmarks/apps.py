from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "sendtrust.benchmarks"
    label = "benchmarks"
