"""The site's URLs with error handlers that draw no page: the permission matrix's URLconf.

A refusal's status is decided before its page is drawn (PermissionDenied is 403 and Http404
is 404, in Django's response_for_exception); drawing the site's 403 or 404 page in the full
layout was about two thirds of the CPU of each of the matrix's 4,523 refused page requests.
The real pages are checked for every role by
test_permission_matrix.PermissionMatrixTest.test_every_role_gets_the_real_refusal_pages.
"""

from django.http import HttpResponseForbidden, HttpResponseNotFound

from sendtrust.urls import urlpatterns  # noqa: F401 - the site's own, unchanged


def handler403(request, exception=None):
    return HttpResponseForbidden()


def handler404(request, exception=None):
    return HttpResponseNotFound()
