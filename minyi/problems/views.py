from django.http import HttpResponse

from minyi.console.views.common import staff_view


@staff_view()
def register(request):  # placeholder, replaced by the real page
    return HttpResponse("")
