"""API routes for evaluation, mounted in sendtrust/api/urls.py; same policy as the pages."""

from ninja import Router

router = Router(tags=["evaluation"])
