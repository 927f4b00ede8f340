"""Refuse a request body larger than MAX_UPLOAD_MB before anything reads it.

Django only keeps large uploads out of memory; it still accepts them. A 200 MB upload ties up
a worker and the disk for nothing when no sendtrust form takes more than a census file. The
refusal is a 413 page that names the limit.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.html import escape


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_UPLOAD_MB * 1024 * 1024
        if length > limit:
            message = (f"The file is too large: {length / 1024 / 1024:.1f} MB. sendtrust takes "
                       f"files of up to {settings.MAX_UPLOAD_MB} MB; split the file and send "
                       f"each part.")
            return HttpResponse(
                f"<!doctype html><html lang='en-GB'><title>File too large</title>"
                f"<h1>File too large</h1><p>{escape(message)}</p>"
                f"<p><a href='/'>Go to the home page</a></p></html>",
                status=413)
        return self.get_response(request)
