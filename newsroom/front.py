"""The front page: the editors' curation (models.FrontPage) laid over the latest stories.

One function builds it, for readers (the live curation) and for the desk's preview (a curation
from the admin form, saved or not). Its rules:
- only public stories and interviews appear: a curated story that is a draft or scheduled is
  skipped and its place filled by the latest stories;
- a choice whose time has passed is skipped too, and the page says when the next one runs out
  (`FrontPageContent.expires`), so a cached copy is not kept past it;
- no story appears twice (lead, featured, headlines, section blocks);
- the query count does not depend on the curation or the archive.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from articles.models import Article
from interviews.models import Interview

from .models import FrontPage, FrontPageSlot

FEATURED_COUNT = 4  # secondary stories with their photos; editors' slots come first
HEADLINE_COUNT = 8  # the "Latest" list of headlines
PER_SECTION = 4
INTERVIEW_COUNT = 3


@dataclass
class Curation:
    lead_id: int | None = None
    lead_until: datetime | None = None
    slots: list[tuple[int, datetime | None]] = field(default_factory=list)  # in order
    interview_id: int | None = None
    interview_until: datetime | None = None

    @classmethod
    def live(cls):
        """The curation readers see (two queries; empty when none is live)."""
        front = FrontPage.objects.filter(is_live=True).first()
        slots = FrontPageSlot.objects.filter(front_page__is_live=True).values_list(
            "article_id", "until")
        slots = list(slots)
        if front is None:
            return cls()
        return cls(lead_id=front.lead_id, lead_until=front.lead_until, slots=slots,
                   interview_id=front.interview_id, interview_until=front.interview_until)

    def current(self, now):
        """(lead id, slot ids, interview id, next expiry) with the choices past their time
        left out."""
        def running(until):
            return until is None or until > now

        lead = self.lead_id if self.lead_id and running(self.lead_until) else None
        slots = []
        for article_id, until in self.slots:
            if running(until) and article_id != lead and article_id not in slots:
                slots.append(article_id)
        interview = (self.interview_id if self.interview_id and running(self.interview_until)
                     else None)
        untils = [until for until in (self.lead_until, self.interview_until,
                                      *(until for _, until in self.slots))
                  if until is not None and until > now]
        return lead, slots[:FEATURED_COUNT], interview, min(untils, default=None)


@dataclass
class FrontPageContent:
    lead: Article | None = None
    featured: list = field(default_factory=list)
    headlines: list = field(default_factory=list)
    section_blocks: list = field(default_factory=list)  # [(section, [article, ...])]
    interviews: list = field(default_factory=list)
    expires: datetime | None = None

    @property
    def articles(self):
        return [*([self.lead] if self.lead else []), *self.featured, *self.headlines,
                *(article for _, block in self.section_blocks for article in block)]

    @property
    def is_empty(self):
        return not self.articles and not self.interviews


def build(curation, sections, now=None):
    """The front page's content for `curation`; `sections` in menu order."""
    now = now or timezone.now()
    lead_id, slot_ids, interview_id, expires = curation.current(now)
    curated = [pk for pk in (lead_id, *slot_ids) if pk]
    wanted = 1 + FEATURED_COUNT + HEADLINE_COUNT
    # Curated and latest stories in one query: enough of the latest to fill every place even
    # when each curated story is among them.
    newest = (Article.objects.published().order_by("-publish_at", "-pk")
              .values("pk")[:wanted + len(curated)])
    found = list(Article.objects.for_listing().filter(Q(pk__in=curated) | Q(pk__in=newest)))
    by_pk = {article.pk: article for article in found}
    latest = [article for article in found if article.pk not in curated]

    content = FrontPageContent(expires=expires)
    content.lead = by_pk.get(lead_id) or (latest.pop(0) if latest else None)
    content.featured = [by_pk[pk] for pk in slot_ids if pk in by_pk]
    while len(content.featured) < FEATURED_COUNT and latest:
        content.featured.append(latest.pop(0))
    content.headlines = latest[:HEADLINE_COUNT]

    shown = [article.pk for article in content.articles]
    blocks = {}
    for article in Article.objects.latest_per_section(PER_SECTION, sections, exclude=shown):
        blocks.setdefault(article.section_id, []).append(article)
    content.section_blocks = [(section, blocks[section.pk]) for section in sections
                              if section.pk in blocks]

    newest_interviews = (Interview.objects.published().order_by("-publish_at", "-pk")
                         .values("pk")[:INTERVIEW_COUNT + 1])
    interviews = list(Interview.objects.for_listing().filter(
        Q(pk=interview_id) | Q(pk__in=newest_interviews) if interview_id
        else Q(pk__in=newest_interviews)))
    interviews.sort(key=lambda interview: interview.pk != interview_id)  # pinned first
    content.interviews = interviews[:INTERVIEW_COUNT]
    return content
