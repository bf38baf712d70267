"""Page-number pagination shared by every list endpoint.

Query: ``page`` (≥ 1, default 1) and ``pageSize`` (1–100, default 20).
Response block ``meta``: ``{"page", "pageSize", "total", "totalPages", "hasNextPage",
"hasPrevPage"}`` (DOMAIN.md "Envelope").
A page past the last one (when there are rows) is a 400 ``PAGE_OUT_OF_RANGE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel

from taquilla.core.errors import BadRequest

MAX_PAGE_SIZE = 100


class Meta(BaseModel):
    """The paging block of a list response (``meta``)."""

    page: int
    pageSize: int
    total: int
    totalPages: int
    hasNextPage: bool
    hasPrevPage: bool


@dataclass(frozen=True)
class PageParams:
    """Validated ``page``/``pageSize``; ``offset``/``limit`` for the query."""

    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def limit(self) -> int:
        return self.page_size

    def block(self, total: int) -> Meta:
        """The response block for ``total`` rows. Raises BadRequest for a page past the end."""
        total_pages = (total + self.page_size - 1) // self.page_size
        if total and self.page > total_pages:
            raise BadRequest(f"page {self.page} is out of range (1–{total_pages}).", code="PAGE_OUT_OF_RANGE")
        return Meta(
            page=self.page,
            pageSize=self.page_size,
            total=total,
            totalPages=total_pages,
            hasNextPage=self.page < total_pages,
            hasPrevPage=self.page > 1,
        )


async def _page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    pageSize: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="rows per page")] = 20,  # noqa: N803
) -> PageParams:
    return PageParams(page=page, page_size=pageSize)


PageDep = Annotated[PageParams, Depends(_page_params)]
