"""API pagination: clients choose the page size (`?page_size=`), up to a bound."""

from rest_framework.pagination import PageNumberPagination


class WardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    # A bound keeps one request from loading the whole inventory into memory.
    max_page_size = 1000
