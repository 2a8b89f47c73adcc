"""Interview cards as plain Python (see articles.cards): the interview list, a guest's page
and the front page's interview block draw one per interview."""

from django.utils.html import conditional_escape as _e
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from articles import pages
from articles.cards import card_time, picture, short_date


def interview_card(interview, *, request=None, level=3, short=False, compact=False,
                   with_guests=False, guest_photos=False):
    """An interview's card: its guests' photos (`guest_photos`: the line-up prefetched with
    `guest__photo`), kicker, title, its guests (`with_guests`: the line-up prefetched), summary
    (cut to 22 words if `short`, left out if `compact`), interviewer and time. Names the
    interview, its interviewer and its guests for the page cache."""
    lineup = interview.lineup.all() if (with_guests or guest_photos) else ()
    if request is not None:
        pages.show(request, f"interview:{interview.pk}", f"author:{interview.interviewer_id}",
                   *(f"guest:{appearance.guest_id}" for appearance in interview.lineup.all()))
    level = level or 3
    parts = ['<article class="card interview-card">']
    if guest_photos:
        faces = "".join(picture(appearance.guest.photo, "4rem") for appearance in lineup
                        if appearance.guest.photo)
        parts.append(f'<div class="interview-card__faces">{faces}</div>')
    parts.append('<div class="card__text"><p class="kicker">Interview</p>')
    parts.append(f'<h{level} class="card__title"><a href="{_e(interview.get_absolute_url())}">'
                 f"{_e(interview.title)}</a></h{level}>")
    if with_guests and lineup:
        links = [f'<a href="{_e(appearance.guest.get_absolute_url())}">'
                 f"{_e(appearance.guest.full_name)}</a>" for appearance in lineup]
        if len(links) > 1:
            links = [", ".join(links[:-1]), links[-1]]
        parts.append(f'<p class="interview-card__guests">With {" and ".join(links)}</p>')
    # The summary is cut from the introduction's HTML each time it is asked for: once here.
    summary = "" if compact else interview.summary
    if summary:
        if short:
            summary = Truncator(summary).words(22, truncate=" …")
        parts.append(f'<p class="card__standfirst">{_e(summary)}</p>')
    parts.append(f'<p class="card__meta">By {_e(interview.interviewer.name)} '
                 f"{card_time(interview.publish_at)}</p>")
    parts.append("</div></article>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def search_result(interview, level=2):
    """An interview found by the search page (its line-up prefetched): guests, the snippet
    around the match (already escaped, with its own <mark>s), interviewer and date."""
    lineup = interview.lineup.all()
    guests = ""
    if lineup:
        links = [f'<a href="{_e(appearance.guest.get_absolute_url())}">'
                 f"{_e(appearance.guest.full_name)}</a>" for appearance in lineup]
        if len(links) > 1:
            links = [", ".join(links[:-1]), links[-1]]
        guests = f'<p class="interview-card__guests">With {" and ".join(links)}</p>'
    snippet = getattr(interview, "snippet", "")
    return mark_safe(  # noqa: S308 - every value escaped, the snippet by the search
        '<article class="card interview-card search-result--interview"><div class="card__text">'
        '<p class="kicker">Interview</p>'
        f'<h{level} class="card__title"><a href="{_e(interview.get_absolute_url())}">'
        f"{_e(interview.title)}</a></h{level}>{guests}"
        + (f'<p class="card__standfirst search-snippet">{_e(snippet)}</p>' if snippet else "")
        + f'<p class="card__meta">By {_e(interview.interviewer.name)} '
        f"{short_date(interview.publish_at)}</p></div></article>")
