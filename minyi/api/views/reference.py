"""What integrations need to fill a demand in: categories, areas, units, the knowledge base, and
the headline measures of the caller's scope."""

from __future__ import annotations

from django.db.models import F
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from minyi.access import cases as access
from minyi.api.serializers import AreaOut, CategoryOut, KnowledgeOut, MeasuresOut, UnitOut
from minyi.api.views.common import DATE, DeclaredParameters, errors
from minyi.catalog.models import Category
from minyi.console.filters import PeriodForm
from minyi.core import clock
from minyi.core.errors import InvalidInput
from minyi.knowledge.search import search
from minyi.org.models import Area, Unit
from minyi.stats import measures

PERIOD_DATE = (
    "With period=dates (or no named period): a date from 1990-01-01 to 2199-12-31, given together "
    "with the other date (400 otherwise)."
)


def _tree(model, fields: tuple[str, ...]):
    return (
        model.objects.filter(is_active=True)
        .annotate(parent_code=F("parent__code"))
        .values(*fields, "parent_code")
    )


class Categories(DeclaredParameters, GenericAPIView):
    serializer_class = CategoryOut

    @extend_schema(
        operation_id="categories_list", responses={200: CategoryOut(many=True), **errors(400, 401, 404)}
    )
    def get(self, request):
        rows = _tree(Category, ("code", "name", "depth", "is_public"))
        page = self.paginate_queryset([{**r, "parent": r.pop("parent_code")} for r in rows])
        return self.get_paginated_response(CategoryOut(page, many=True).data)


class Areas(DeclaredParameters, GenericAPIView):
    serializer_class = AreaOut

    @extend_schema(operation_id="areas_list", responses={200: AreaOut(many=True), **errors(400, 401, 404)})
    def get(self, request):
        rows = _tree(Area, ("id", "code", "name", "level", "households"))
        page = self.paginate_queryset([{**r, "parent": r.pop("parent_code")} for r in rows])
        return self.get_paginated_response(AreaOut(page, many=True).data)


class Units(DeclaredParameters, GenericAPIView):
    serializer_class = UnitOut

    @extend_schema(operation_id="units_list", responses={200: UnitOut(many=True), **errors(400, 401, 404)})
    def get(self, request):
        rows = _tree(Unit, ("id", "code", "name", "kind"))
        page = self.paginate_queryset([{**r, "parent": r.pop("parent_code")} for r in rows])
        return self.get_paginated_response(UnitOut(page, many=True).data)


class Knowledge(DeclaredParameters, GenericAPIView):
    serializer_class = KnowledgeOut
    pagination_class = None
    query_parameters = (
        OpenApiParameter(
            "q",
            # Words to look for: blank is refused (400); only the first 200 characters count.
            {"type": "string", "minLength": 1, "pattern": r"\S"},
            OpenApiParameter.QUERY,
            required=True,
            description="The question or words to look for (not blank; the first 200 characters).",
        ),
        OpenApiParameter(
            "limit",
            int,
            OpenApiParameter.QUERY,
            description="How many entries, 1 to 50 (default 10; a number outside is brought within).",
        ),
    )

    @extend_schema(
        operation_id="knowledge_search",
        summary="Knowledge-base entries answering a question (Chinese words matched with jieba)",
        parameters=list(query_parameters),
        responses={200: KnowledgeOut(many=True), **errors(400, 401)},
    )
    def get(self, request):
        query = request.query_params.get("q", "").strip()
        if not query:
            raise InvalidInput("q: give the question or words to look for.", field="q")
        try:
            # An optional parameter left empty (limit=) counts as not given (api/schema.py).
            limit = min(max(int(request.query_params.get("limit") or 10), 1), 50)
        except ValueError:
            raise InvalidInput("limit: a whole number from 1 to 50.", field="limit") from None
        hits = search(query[:200], limit=limit)
        return Response(
            [
                {
                    "id": hit.entry.pk,
                    "question": hit.entry.question,
                    "answer": hit.entry.answer,
                    "category": hit.entry.category.code if hit.entry.category_id else None,
                    "score": hit.score,
                }
                for hit in hits
            ]
        )


class Measures(DeclaredParameters, GenericAPIView):
    serializer_class = MeasuresOut
    pagination_class = None
    query_parameters = (
        OpenApiParameter(
            "period",
            str,
            OpenApiParameter.QUERY,
            enum=["month", "last_month", "year", "dates"],
            description="This month (the default), last month, this year, or the dates start to "
            "end. period=dates, or a start or end without a named period, needs both dates: "
            "one alone is refused (400).",
        ),
        OpenApiParameter("start", DATE, OpenApiParameter.QUERY, description=PERIOD_DATE),
        OpenApiParameter("end", DATE, OpenApiParameter.QUERY, description=PERIOD_DATE + " Not before start."),
    )

    @extend_schema(
        operation_id="measures_read",
        summary="Received, closed, on-time and satisfaction of the cases in your scope",
        parameters=list(query_parameters),
        responses={200: MeasuresOut, **errors(400, 401)},
    )
    def get(self, request):
        form = PeriodForm(request.query_params)
        if not form.is_valid():
            field, messages = next(iter(form.errors.items()))
            raise InvalidInput(f"{field}: {messages[0]}", field=field)
        _key, period = form.chosen(clock.now())
        head = measures.headline(access.cases_visible_to(request.user), period.start, period.end)
        return Response(
            {
                "start": period.first_day,
                "end": period.last_day,
                **vars(head),
                "due": head.due,
                "on_time_rate": head.on_time_rate,
                "satisfaction_rate": head.satisfaction_rate,
            }
        )
