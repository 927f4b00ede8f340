"""API routes of the national picture, mounted in sendtrust/api/urls.py."""

from ninja import Router

router = Router(tags=["national"])
