"""`PagedList`: one page of search results and the token of the next page, the answer of every store search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class PagedList(list, Generic[T]):
    """A page of results; `token` fetches the next page, None on the last one."""

    def __init__(self, items: Sequence[T] = (), token: str | None = None) -> None:
        super().__init__(items)
        self.token = token
