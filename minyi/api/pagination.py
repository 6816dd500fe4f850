"""Pages of API lists: ?page=N&page_size=M, with count, next and previous links.

`page` and `page_size` are whole numbers from 1, as the schema says: anything else (0, -1, "null",
"last") is refused with a 400 naming the parameter, where DRF alone would quietly use the default
page size or answer 404. An empty value counts as not given. A page size over MAX_PAGE_SIZE gives
pages of MAX_PAGE_SIZE; a page after the last is a 404.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.pagination import PageNumberPagination

from minyi.core.errors import InvalidInput

MAX_PAGE_SIZE = 200


class Pages(PageNumberPagination):
    page_size = settings.MINYI_API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()
    invalid_page_message = gettext_lazy("There is no page {page_number} in this list: {message}")

    def get_page_size(self, request):
        asked = _whole(request, self.page_size_query_param)
        return self.page_size if asked is None else min(asked, self.max_page_size)

    def get_page_number(self, request, paginator):
        asked = _whole(request, self.page_query_param)
        return 1 if asked is None else asked

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "The page, from 1 (a page after the last one answers 404).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, from 1 (default {self.page_size}; more than "
                f"{self.max_page_size} gives {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


def _whole(request, name: str) -> int | None:
    """The parameter as a whole number from 1, None when not given (or empty), else InvalidInput."""
    value = request.query_params.get(name, "")
    if value == "":
        return None
    digits = value.lstrip("0")
    if value.isascii() and value.isdigit() and digits:
        return int(digits) if len(digits) <= 18 else 10**18  # past any page, over any page size
    raise InvalidInput(
        _("%(name)s must be a whole number from 1, not “%(value)s”.") % {"name": name, "value": value[:40]},
        field=name,
    )
