"""Pagination for list routes: a capped page size, bounded offsets, and an audited read."""

from typing import Any

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from sendtrust.access.audit import log_action

# Far beyond any real list, but inside a 64-bit integer: a larger offset is refused with a 422
# instead of overflowing the database driver.
MAX_OFFSET = 10**9


class AuditedLimitOffset(LimitOffsetPagination):
    """limit (1 to API_MAX_PAGE_SIZE) and offset (0 to 10^9); out of range is a 422.

    Every page read is written to the audit log with its size, so a bulk read of pupils is
    visible as one entry per page with the number of rows it returned.
    """

    class Input(Schema):
        limit: int = Field(100, ge=1, le=settings.API_MAX_PAGE_SIZE,
                           description=f"Rows per page, at most {settings.API_MAX_PAGE_SIZE}")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip")

    def __init__(self, *, audit_action: str = "api.list.read", **kwargs: Any) -> None:
        self.audit_action = audit_action
        super().__init__(max_limit=settings.API_MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(page[self.items_attribute])
        page[self.items_attribute] = items
        log_action(request, self.audit_action, path=request.path, rows=len(items),
                   total=page["count"], offset=pagination.offset, limit=pagination.limit,
                   filters={k: str(v) for k, v in request.GET.items()
                            if k not in ("limit", "offset")})
        return page
