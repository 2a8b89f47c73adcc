from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import ListView
from taggit.models import Tag

from . import pages, previews
from .images import save_editor_image
from .listing import KeptListMixin, section_or_404
from .models import Article, Author, Correction, PreviewLink
from .publishing import can_preview
from .services import find_moved_article

# The list pages show their cards in a fragment per page number (the templates), and keep
# their count (KeptListMixin): a page rendered again reads its header's row and no story.


class SectionView(KeptListMixin, ListView):
    template_name = "articles/section.html"
    paginate_by = 20

    def get_queryset(self):
        self.section = section_or_404(self.request, self.kwargs["section"])
        return Article.objects.for_listing().filter(section=self.section)

    def list_tag(self):
        return f"list:section:{self.section.pk}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(section=self.section,
                                           current_section=self.section.slug, **kwargs)
        pages.show(self.request, self.list_tag())
        return context


class TagView(KeptListMixin, ListView):
    template_name = "articles/tag.html"
    paginate_by = 20

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Article.objects.for_listing().tagged(self.tag)

    def list_tag(self):
        return f"list:tag:{self.tag.pk}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tag=self.tag, **kwargs)
        pages.show(self.request, f"tag:{self.tag.pk}", self.list_tag())
        # A tag only unpublished stories carry would give away what they are about. (The kept
        # count answers this; ListView's allow_empty would ask the database every time.)
        if not context["paginator"].count:
            raise Http404("No such tag")
        return context


class AuthorView(KeptListMixin, ListView):
    template_name = "articles/author.html"
    paginate_by = 20

    def get_queryset(self):
        self.author = get_object_or_404(Author.objects.select_related("photo"),
                                        slug=self.kwargs["slug"])
        return Article.objects.for_listing().filter(authors=self.author)

    def list_tag(self):
        return f"list:author:{self.author.pk}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(author=self.author, **kwargs)
        pages.show(self.request, f"author:{self.author.pk}", self.list_tag())
        return context


class CorrectionsView(ListView):
    """Every correction, clarification, editor's note and update of a public story."""

    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    paginate_by = 20

    def get_queryset(self):
        return Correction.objects.for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A note added, changed or removed, and any public story changing, refresh it.
        pages.show(self.request, "list:corrections")
        return context


def article_detail(request, section, year, month, day, slug):
    article = _public_story(request, slug)
    if article is None:
        moved = find_moved_article(request.path)
        if moved is None:
            raise Http404("No such story")
        return HttpResponsePermanentRedirect(moved.get_absolute_url())
    canonical = article.get_absolute_url()
    if request.path != canonical:
        return HttpResponsePermanentRedirect(canonical)
    # The title and other fields outside the page's fragments; each fragment names the rest
    # (articles_tags.story_shown) as it renders, and loads it only then.
    pages.show(request, f"article:{article.pk}",
               f"photo:{article.lead_photo_id}" if article.lead_photo_id else "")
    return render(request, "articles/detail.html",
                  {"article": article, "current_section": article.section.slug,
                   "public_page": True})


def _public_story(request, slug):
    """The public story at `slug` (its row, section and photo), kept in the cache while
    nothing it carries changes: the story (published, moved, embargoed), its photo, and its
    section's name and slug (`nav`), which make its address."""
    def produce():
        article = Article.objects.published().for_page().filter(slug=slug).first()
        if article is not None:
            pages.show(request, f"article:{article.pk}", "nav",
                       f"photo:{article.lead_photo_id}" if article.lead_photo_id else "")
        return article

    return pages.kept(request, "story-row", [slug], produce)


def article_preview(request, pk):
    # Anyone but the desk gets the same 404 as for a story that does not exist.
    if not can_preview(request.user, Article):
        raise Http404("No such story")
    article = get_object_or_404(Article.objects.for_detail(), pk=pk)
    return render(request, "articles/detail.html", {"article": article, "preview": True})


@never_cache
def preview_link(request, token):
    """A story shown through a preview link, as readers will see it, to anyone holding it."""
    link = previews.open_link(PreviewLink, token)
    if link is None:
        return previews.invalid_link_page(request)
    if link.article.is_public:
        return HttpResponseRedirect(link.article.get_absolute_url())
    article = get_object_or_404(Article.objects.for_detail(), pk=link.article_id)
    response = render(request, "articles/detail.html",
                      {"article": article, "preview": True, "preview_link": link})
    return previews.not_indexed(response)


@require_POST
def editor_upload(request):
    """CKEditor's image upload: staff with the photo permission, checked like a photo."""
    if not (request.user.is_active and request.user.is_staff
            and request.user.has_perm("articles.add_photo")):
        return JsonResponse({"error": {"message": "You may not upload images."}}, status=403)
    uploaded = request.FILES.get("upload")
    if uploaded is None:
        return JsonResponse({"error": {"message": "Choose an image to upload."}}, status=400)
    try:
        url = save_editor_image(uploaded)
    except ValidationError as error:
        return JsonResponse({"error": {"message": error.messages[0]}}, status=400)
    return JsonResponse({"url": url})
