"""Status board: the whole page, and its body alone for htmx refreshes."""

from django.shortcuts import render

from ..access import console_view
from ..board import Filters, build_board
from ..choices import SEVERITY_ORDER, TILE_ORDER


@console_view()
def board(request):
    filters = Filters.from_query(request.GET)
    context = {
        "board": build_board(request.user, filters),
        "filters": filters,
        "states": TILE_ORDER,
        "severities": SEVERITY_ORDER,
    }
    if request.htmx and request.GET.get("part") == "body":
        return render(request, "console/_board_body.html", context)
    return render(request, "console/board.html", context)
