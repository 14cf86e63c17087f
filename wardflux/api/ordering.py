"""Ordering that pages cleanly."""

from rest_framework.filters import OrderingFilter


class StableOrderingFilter(OrderingFilter):
    """Ordering by a column with ties (site, status) would let rows hop between pages or
    show twice; the primary key breaks the ties."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(str(o).lstrip("-") in ("pk", "id") for o in ordering):
            ordering = [*ordering, "pk"]
        return ordering
