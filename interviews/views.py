from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView

from articles.publishing import can_preview

from .models import Guest, Interview


class InterviewListView(ListView):
    template_name = "interviews/list.html"
    context_object_name = "interviews"
    paginate_by = 20

    def get_queryset(self):
        return Interview.objects.for_listing()


class GuestView(ListView):
    template_name = "interviews/guest.html"
    context_object_name = "interviews"
    paginate_by = 20

    def get_queryset(self):
        self.guest = get_object_or_404(Guest.objects.select_related("photo"),
                                       slug=self.kwargs["slug"])
        return Interview.objects.for_listing().filter(guests=self.guest)

    def get_context_data(self, **kwargs):
        return super().get_context_data(guest=self.guest, **kwargs)


def _render(request, interview, preview=False):
    return render(request, "interviews/detail.html", {
        "interview": interview,
        "segments": interview.transcript(),
        "interview_preview": preview,
    })


def interview_detail(request, slug):
    interview = get_object_or_404(Interview.objects.published().for_detail(), slug=slug)
    return _render(request, interview)


def interview_preview(request, pk):
    # Anyone but the desk gets the same 404 as for an interview that does not exist.
    if not can_preview(request.user, Interview):
        raise Http404("No such interview")
    interview = get_object_or_404(Interview.objects.for_detail(), pk=pk)
    return _render(request, interview, preview=True)
