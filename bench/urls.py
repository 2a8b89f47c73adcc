from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    """The floor: a Django page through the same middleware that does no work of its own."""
    return HttpResponse("<!doctype html><title>bare</title><p>ok</p>")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("newsroom.urls")),
]
