"""Pages of API lists: ?page=N&page_size=M (at most 200), with count, next and previous links."""

from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    page_size = settings.MINYI_API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 200
