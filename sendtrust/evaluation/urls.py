from django.urls import path

from sendtrust.evaluation import framework_views, views

app_name = "evaluation"
urlpatterns = [
    path("trusts/<uuid:code>/evaluation/", views.round_list, name="round_list"),
    path("trusts/<uuid:code>/evaluation/open/", views.open_round, name="open_round"),
    path("trusts/<uuid:code>/frameworks/", framework_views.framework_list, name="framework_list"),
    path("trusts/<uuid:code>/frameworks/<uuid:framework>/", framework_views.edit_framework,
         name="edit_framework"),
    path("trusts/<uuid:code>/frameworks/<uuid:framework>/copy/", framework_views.copy_framework,
         name="copy_framework"),
    path("trusts/<uuid:code>/context/", views.edit_trust_context, name="edit_trust_context"),
    path("schools/<uuid:code>/context/", views.edit_school_context, name="edit_school_context"),
    path("evaluation/rounds/<uuid:code>/", views.round_detail, name="round_detail"),
    path("evaluation/rounds/<uuid:code>/close/", views.close_round, name="close_round"),
    path("evaluation/rounds/<uuid:code>/moderation/", views.moderation_queue,
         name="moderation_queue"),
    path("evaluation/rounds/<uuid:code>/moderation/agree/", views.agree_ratings,
         name="agree_ratings"),
    path("evaluation/rounds/<uuid:code>/heat-map/", views.heat_map, name="heat_map"),
    path("evaluation/rounds/<uuid:code>/changes/", views.changes, name="changes"),
    path("evaluation/units/<uuid:code>/", views.rate_unit, name="rate_unit"),
    path("evaluation/units/<uuid:code>/areas/", views.unit_wheel, name="unit_wheel"),
    path("evaluation/units/<uuid:code>/submit/", views.submit_unit, name="submit_unit"),
    path("evaluation/units/<uuid:code>/themes/<slug:theme>/", views.save_rating,
         name="save_rating"),
    path("evaluation/units/<uuid:code>/areas/<slug:area>/questions/<int:number>/",
         views.save_answer, name="save_answer"),
    path("evaluation/ratings/<uuid:code>/moderate/", views.moderate_rating,
         name="moderate_rating"),
]
