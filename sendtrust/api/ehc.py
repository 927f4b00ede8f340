"""API routes for the ehc app, mounted in sendtrust/api/urls.py; same policy as the pages."""

from ninja import Router

router = Router(tags=["ehc"])
