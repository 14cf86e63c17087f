from django.urls import path

from . import api

urlpatterns = [
    path("query", api.QueryView.as_view(), name="metrics-query"),
    path("query_range", api.QueryRangeView.as_view(), name="metrics-query-range"),
    path("promql", api.PromQLView.as_view(), name="metrics-promql"),
    path("import", api.ImportView.as_view(), name="metrics-import"),
]
