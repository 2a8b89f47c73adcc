from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.generic import ListView

from articles import pages, previews
from articles.listing import KeptListMixin
from articles.publishing import at_desk, can_preview

from .models import Guest, Interview, InterviewPreviewLink
from .services import find_moved_interview


class InterviewListView(KeptListMixin, ListView):
    template_name = "interviews/list.html"
    context_object_name = "interviews"
    paginate_by = 20

    def get_queryset(self):
        return Interview.objects.for_listing()

    def list_tag(self):
        return "list:interviews"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pages.show(self.request, self.list_tag())
        return context


class GuestView(KeptListMixin, ListView):
    template_name = "interviews/guest.html"
    context_object_name = "interviews"
    paginate_by = 20

    def get_queryset(self):
        self.guest = get_object_or_404(Guest.objects.select_related("photo"),
                                       slug=self.kwargs["slug"])
        return Interview.objects.for_listing().filter(guests=self.guest)

    def list_tag(self):
        return f"list:guest:{self.guest.pk}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(guest=self.guest, **kwargs)
        pages.show(self.request, f"guest:{self.guest.pk}", f"list:guest:{self.guest.pk}")
        return context


def _render(request, interview, preview=False, preview_link=None):
    return render(request, "interviews/detail.html", {
        "interview": interview,
        "interview_preview": preview,
        "preview_link": preview_link,
        "public_page": not preview,
    })


def interview_detail(request, slug):
    interview = _public_interview(request, slug)
    if interview is None:
        moved = find_moved_interview(slug)
        if moved is None:
            raise Http404("No such interview")
        return HttpResponsePermanentRedirect(moved.get_absolute_url())
    # The title and other fields outside the page's fragments; each fragment names the rest
    # (interviews_tags.interview_shown) as it renders, and loads it only then.
    pages.show(request, f"interview:{interview.pk}")
    return _render(request, interview)


def _public_interview(request, slug):
    """The public interview at `slug` (its row, interviewer, story and section), kept in the
    cache while nothing it carries changes: the interview (published, moved, its story's
    embargo), its interviewer, its story, and the section names (`nav`)."""
    def produce():
        interview = Interview.objects.published().for_page().filter(slug=slug).first()
        if interview is not None:
            pages.show(request, f"interview:{interview.pk}", "nav",
                       f"author:{interview.interviewer_id}",
                       f"article:{interview.article_id}" if interview.article_id else "")
        return interview

    return pages.kept(request, "interview-row", [slug], produce)


def interview_preview(request, pk):
    # Anyone but the desk gets the same 404 as for an interview that does not exist.
    if not can_preview(request.user, Interview):
        raise Http404("No such interview")
    # A reporter previews only their own interviews, as they see only those at the desk.
    interview = get_object_or_404(at_desk(request.user, Interview.objects.for_detail()), pk=pk)
    return _render(request, interview, preview=True)


@never_cache
def interview_preview_link(request, token):
    """An interview shown through a preview link (articles/previews.py) to anyone holding it."""
    link = previews.open_link(InterviewPreviewLink, token)
    if link is None:
        return previews.invalid_link_page(request)
    if link.interview.is_public:
        return HttpResponseRedirect(link.interview.get_absolute_url())
    interview = get_object_or_404(Interview.objects.for_detail(), pk=link.interview_id)
    return previews.not_indexed(_render(request, interview, preview=True, preview_link=link))
