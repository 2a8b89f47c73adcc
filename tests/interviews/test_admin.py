"""The interview desk in the admin: one page builds the whole interview, and publishing there
(form or action) is refused, naming the questions, while answers are missing."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interviews import services
from interviews.models import Answer, Guest, Interview, InterviewGuest, Question, Segment
from tests.articles.factories import ArticleFactory, AuthorFactory

from .dom import form_values
from .factories import AnswerFactory, GuestFactory, InterviewFactory, build_interview

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/interviews/interview/add/"
LIST_URL = "/admin/interviews/interview/"


def change_url(interview):
    return f"/admin/interviews/interview/{interview.pk}/change/"


def formset_prefixes(client):
    """The nested formsets' prefixes, read from the add page: guests, sections, and the
    patterns for a section's questions and a question's answers."""
    html = client.get(ADD_URL).content.decode()
    found = re.findall(r'name="([\w-]+)-TOTAL_FORMS"', html)
    assert found == ["lineup", "segments", "segments-empty-questions",
                     "segments-empty-questions-empty-answers"], found
    return {
        "guests": found[0],
        "segments": found[1],
        "questions": found[2].replace("empty", "{s}"),
        "answers": found[3].replace("empty", "{s}", 1).replace("empty", "{q}", 1),
    }


def management(prefix, total, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def new_interview_post(prefixes, guests, sections, **fields):
    """POST data for the add page.

    `sections` is [(title, [(question text, [addressed guests], {guest: answer text})])].
    """
    data = {
        "title": "Syria: a new front?", "slug": "syria-a-new-front",
        "interviewer": str(AuthorFactory(name="Mara Ellison").pk),
        "introduction": "<p>Welcome to the programme.</p><script>alert(1)</script>",
        "closing": "<p>Thank you both.</p>", "prep_notes": "Adapt the questions.",
        "status": "preparing", "publish_at_0": "", "publish_at_1": "", "tags": "Syria",
        "comment_mode": "moderated", "article": "", "_save": "Save",
    }
    data.update(fields)
    data.update(management(prefixes["guests"], len(guests)))
    for position, guest in enumerate(guests):
        data[f"{prefixes['guests']}-{position}-guest"] = str(guest.pk)
        data[f"{prefixes['guests']}-{position}-position"] = str(position)
    data.update(management(prefixes["segments"], len(sections)))
    for s, (title, questions) in enumerate(sections):
        data[f"{prefixes['segments']}-{s}-title"] = title
        data[f"{prefixes['segments']}-{s}-position"] = str(s)
        question_prefix = prefixes["questions"].format(s=s)
        data.update(management(question_prefix, len(questions)))
        for q, (text, addressed, answers) in enumerate(questions):
            data[f"{question_prefix}-{q}-text"] = text
            data[f"{question_prefix}-{q}-position"] = str(q)
            data[f"{question_prefix}-{q}-addressed_to"] = [str(g.pk) for g in addressed]
            answer_prefix = prefixes["answers"].format(s=s, q=q)
            data.update(management(answer_prefix, len(answers)))
            for a, (guest, answer) in enumerate(answers.items()):
                data[f"{answer_prefix}-{a}-guest"] = str(guest.pk)
                data[f"{answer_prefix}-{a}-text"] = answer
    return data


@pytest.fixture
def guests():
    return (GuestFactory(name="Omar Hassan", honorific="Dr."),
            GuestFactory(name="James Miller", honorific="Colonel"))


def sections_for(hassan, miller, missing=False):
    return [
        ("The militia offensive", [
            ("Colonel Miller, what are the tactical implications?", [miller],
             {miller: "<p>Serious ones.</p>"}),
            ("Dr. Hassan, who are these militias?", [hassan],
             {hassan: "…" if missing else "<p>A coalition of local groups.</p>"}),
        ]),
        ("The future of the conflict", [
            ("What happens next?", [],
             {hassan: "<p>More talks.</p>", miller: "<p>More fighting.</p>"}),
        ]),
    ]


def test_editor_builds_a_whole_interview_on_one_page(editor_client, guests):
    hassan, miller = guests
    prefixes = formset_prefixes(editor_client)

    response = editor_client.post(
        ADD_URL, new_interview_post(prefixes, guests, sections_for(hassan, miller))
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    interview = Interview.objects.get(slug="syria-a-new-front")
    assert "<script>" not in interview.introduction
    assert interview.status == Interview.Status.PREPARING
    assert [a.guest for a in interview.lineup.all()] == [hassan, miller]
    segments = list(interview.segments.all())
    assert [s.title for s in segments] == ["The militia offensive", "The future of the conflict"]
    first, second = segments[0].questions.all()
    assert list(first.addressed_to.all()) == [miller]
    assert list(segments[1].questions.get().addressed_to.all()) == []
    assert second.answers.get().text == "<p>A coalition of local groups.</p>"
    assert Answer.objects.filter(question__segment__interview=interview).count() == 4
    assert interview.unanswered_questions() == []
    assert list(interview.tags.names()) == ["Syria"]


def test_publishing_from_the_form_is_refused_naming_the_question_and_nothing_is_saved(
        editor_client, guests):
    hassan, miller = guests
    prefixes = formset_prefixes(editor_client)
    data = new_interview_post(prefixes, guests, sections_for(hassan, miller, missing=True),
                              status="published")

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Unanswered: Part 1, question 2 (Dr. Hassan): Dr. Hassan, who are these" in html
    assert 'class="errornote"' in html
    assert not Interview.objects.exists()
    assert not Segment.objects.exists() and not Question.objects.exists()
    assert not Answer.objects.exists() and not InterviewGuest.objects.exists()
    # The editor's work is still on the page, ready to be finished.
    assert "Colonel Miller, what are the tactical implications?" in html

    data["status"] = "preparing"
    assert editor_client.post(ADD_URL, data).status_code == 302
    assert Interview.objects.get().status == Interview.Status.PREPARING


def test_publishing_a_complete_interview_from_the_form(editor_client, guests):
    hassan, miller = guests
    prefixes = formset_prefixes(editor_client)
    data = new_interview_post(prefixes, guests, sections_for(hassan, miller),
                              status="published")

    assert editor_client.post(ADD_URL, data).status_code == 302

    interview = Interview.objects.get()
    assert interview.status == Interview.Status.PUBLISHED and interview.is_public


def test_changing_an_interview_to_published_is_refused_and_changes_nothing(editor_client):
    interview = build_interview(guests=2, segments=2, questions=2,
                                status=Interview.Status.PREPARING, publish_at=None)
    answer = Answer.objects.filter(question__segment__interview=interview).order_by("pk")[3]
    html = editor_client.get(change_url(interview)).content.decode()
    data = form_values(html)
    answer_field = next(name for name, values in data.items()
                        if name.endswith("-text") and answer.text in values)
    data[answer_field] = ["<p>...</p>"]
    data["title"] = ["A new title"]
    data["status"] = ["published"]
    data["_save"] = ["Save"]

    response = editor_client.post(change_url(interview), data)

    assert response.status_code == 200
    guest = answer.guest.short_name
    assert f"Unanswered: Part 1, question 2 ({guest})" in response.content.decode()
    title = interview.title
    interview.refresh_from_db()
    assert (interview.title, interview.status) == (title, "preparing")
    assert Answer.objects.get(pk=answer.pk).text == answer.text

    # Unchanged answers: the same form publishes.
    data[answer_field] = [answer.text]
    assert editor_client.post(change_url(interview), data).status_code == 302
    interview.refresh_from_db()
    assert (interview.title, interview.status) == ("A new title", "published")


def status_options(client, url):
    html = client.get(url).content.decode()
    select = re.search(r'<select name="status"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no status select on the page"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def test_the_refusal_is_made_before_saving_and_names_every_question(editor_client,
                                                                    monkeypatch):
    interview = build_interview(guests=2, segments=2, questions=2,
                                status=Interview.Status.PREPARING, publish_at=None)
    first = interview.segments.get(position=0).questions.get(position=1)
    second = interview.segments.get(position=1).questions.get(position=0)
    first.answers.all().delete()
    second.answers.filter(guest=interview.lineup.first().guest).delete()
    data = form_values(editor_client.get(change_url(interview)).content.decode())
    data.update(status=["published"], title=["Retitled"], _save=["Save"])
    called = []
    for name in ("publish_interview", "save_interview", "mark_answered"):
        monkeypatch.setattr(services, name, lambda *a, name=name, **k: called.append(name))

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.post(change_url(interview), data)

    assert response.status_code == 200
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
              and "interviews_" in q["sql"]]
    assert writes == [] and called == []
    both = ", ".join(a.guest.short_name for a in interview.lineup.all())
    one = interview.lineup.first().guest.short_name
    assert response.context["adminform"].form.errors["status"] == [
        f"Unanswered: Part 1, question 2 ({both}): {first.text}",
        f"Unanswered: Part 2, question 1 ({one}): {second.text}",
    ]
    html = response.content.decode()
    assert f"Part 2, question 1 ({one})" in html
    title = interview.title
    interview.refresh_from_db()
    assert (interview.title, interview.status) == (title, Interview.Status.PREPARING)


def test_a_question_deleted_in_the_same_submission_no_longer_holds_it_back(editor_client):
    interview = build_interview(guests=1, segments=1, questions=2,
                                status=Interview.Status.PREPARING, publish_at=None)
    missing = interview.segments.get().questions.get(position=1)
    missing.answers.all().delete()
    data = form_values(editor_client.get(change_url(interview)).content.decode())
    delete = next(name[: -len("-id")] for name, values in data.items()
                  if name.endswith("-id") and values == [str(missing.pk)]
                  and "-questions-" in name)
    data[f"{delete}-DELETE"] = ["on"]
    data.update(status=["published"], _save=["Save"])

    assert editor_client.post(change_url(interview), data).status_code == 302

    interview.refresh_from_db()
    assert interview.status == Interview.Status.PUBLISHED
    assert not Question.objects.filter(pk=missing.pk).exists()


def test_an_interview_without_guests_is_refused_on_the_form(editor_client):
    prefixes = formset_prefixes(editor_client)
    data = new_interview_post(prefixes, [], [], status="published")
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"] == [
        "An interview needs at least one guest before it can be published."]
    assert not Interview.objects.exists()


def test_reporter_marking_it_answered_is_refused_naming_the_question(reporter_client, guests):
    hassan, miller = guests
    prefixes = formset_prefixes(reporter_client)
    data = new_interview_post(prefixes, guests, sections_for(hassan, miller, missing=True),
                              status="answered")

    response = reporter_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"] == [
        "Unanswered: Part 1, question 2 (Dr. Hassan): Dr. Hassan, who are these militias?"]
    assert not Interview.objects.exists() and not Answer.objects.exists()


def test_publish_action_refuses_with_the_unanswered_questions(editor_client):
    done = build_interview(status=Interview.Status.ANSWERED, publish_at=None, title="Done")
    missing = build_interview(status=Interview.Status.PREPARING, publish_at=None,
                              guests=1, segments=2, questions=1, title="Missing")
    Answer.objects.filter(question__segment__interview=missing,
                          question__segment__position=1).delete()

    response = editor_client.post(
        LIST_URL, {"action": "publish", "_selected_action": [done.pk, missing.pk]}, follow=True
    )

    messages = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    guest = missing.lineup.get().guest.short_name
    assert ("error", f"Missing: Unanswered: Part 2, question 1 ({guest}): "
                     f"{missing.segments.get(position=1).questions.get().text}") in messages
    assert ("success", "1 interview published.") in messages
    done.refresh_from_db()
    missing.refresh_from_db()
    assert done.status == "published" and missing.status == "preparing"

    editor_client.post(LIST_URL, {"action": "unpublish", "_selected_action": [done.pk]})
    done.refresh_from_db()
    assert done.status == Interview.Status.ANSWERED


def test_change_list_counts_unanswered_questions_without_a_query_per_row(
        editor_client, django_assert_max_num_queries):
    counts = {}
    for size in (1, 15):
        Interview.objects.all().delete()
        for _ in range(size):
            build_interview(guests=2, segments=1, questions=3, answered=False,
                            status=Interview.Status.PREPARING)
        editor_client.get(LIST_URL)
        with django_assert_max_num_queries(14) as captured:
            response = editor_client.get(LIST_URL)
        counts[size] = len(captured)
        html = response.content.decode()
        assert html.count('<td class="field-unanswered">3</td>') == size
    assert counts[1] == counts[15], counts


def test_prep_notes_are_in_the_admin(editor_client):
    interview = InterviewFactory(prep_notes="Ask about the supply lines first.")
    html = editor_client.get(change_url(interview)).content.decode()
    assert "Ask about the supply lines first." in html
    assert "never shown to readers" in html


def test_guest_autocomplete_and_add_another_popup(editor_client):
    GuestFactory(name="Omar Hassan", honorific="Dr.")
    GuestFactory(name="James Miller", honorific="Colonel")
    found = editor_client.get("/admin/autocomplete/", {
        "app_label": "interviews", "model_name": "interviewguest", "field_name": "guest",
        "term": "hass",
    }).json()
    assert [r["text"] for r in found["results"]] == ["Dr. Omar Hassan"]

    html = editor_client.get(ADD_URL).content.decode()
    assert 'id="add_id_lineup-__prefix__-guest"' in html  # the "+" beside the guest picker

    response = editor_client.post(
        "/admin/interviews/guest/add/?_to_field=id&_popup=1",
        {"honorific": "Prof.", "name": "Lena Vogt", "slug": "lena-vogt",
         "credentials": "Economist", "bio": "", "photo": "", "_popup": "1", "_to_field": "id"},
    )
    assert response.status_code == 200
    assert "popup_response" in response.content.decode()
    assert Guest.objects.filter(slug="lena-vogt").exists()


def test_accompanying_story_is_picked_by_autocomplete(editor_client):
    ArticleFactory(title="Militias break through near Tervan")
    found = editor_client.get("/admin/autocomplete/", {
        "app_label": "interviews", "model_name": "interview", "field_name": "article",
        "term": "tervan",
    }).json()
    assert [r["text"] for r in found["results"]] == ["Militias break through near Tervan"]


# Roles -------------------------------------------------------------------------------------


def test_reporter_prepares_but_cannot_publish(reporter_client, guests):
    hassan, miller = guests
    prefixes = formset_prefixes(reporter_client)
    data = new_interview_post(prefixes, guests, sections_for(hassan, miller),
                              status="published")

    response = reporter_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Reporters cannot publish" in response.content.decode()
    assert not Interview.objects.exists()

    data["status"] = "answered"
    assert reporter_client.post(ADD_URL, data).status_code == 302
    interview = Interview.objects.get()
    assert interview.status == Interview.Status.ANSWERED

    html = reporter_client.get(LIST_URL).content.decode()
    assert 'value="publish"' not in html and 'value="unpublish"' not in html
    reporter_client.post(LIST_URL, {"action": "publish", "_selected_action": [interview.pk]})
    interview.refresh_from_db()
    assert interview.status == Interview.Status.ANSWERED


def test_reporter_is_offered_preparing_and_answered_only(reporter_client, reporter):
    assert status_options(reporter_client, ADD_URL) == ["preparing", "answered"]
    interview = build_interview(status=Interview.Status.ANSWERED, publish_at=None,
                                created_by=reporter)
    assert status_options(reporter_client, change_url(interview)) == ["preparing", "answered"]


def test_editor_is_offered_every_interview_status(editor_client):
    assert status_options(editor_client, ADD_URL) == ["preparing", "answered", "published"]
    interview = build_interview(status=Interview.Status.PREPARING, publish_at=None)
    assert status_options(editor_client, change_url(interview)) == [
        "preparing", "answered", "published"]


def test_reporter_has_no_publish_or_unpublish_action(reporter_client):
    response = reporter_client.get(LIST_URL)
    offered = {value for value, _ in response.context["action_form"].fields["action"].choices}
    assert "mark_answered" in offered
    assert not {"publish", "unpublish"} & offered


def test_reporter_cannot_change_a_published_interview(reporter_client, reporter):
    interview = build_interview(created_by=reporter)
    page = reporter_client.get(change_url(interview))
    assert page.status_code == 200  # their own: they may read it
    html = page.content.decode()
    assert 'name="_save"' not in html  # view only
    response = reporter_client.post(change_url(interview), {"title": "Hijacked"})
    assert response.status_code == 403
    interview.refresh_from_db()
    assert interview.title != "Hijacked"


def test_moderators_have_no_interview_desk(client, moderator):
    client.force_login(moderator)
    interview = InterviewFactory()
    for url in [LIST_URL, ADD_URL, change_url(interview), "/admin/interviews/guest/"]:
        assert client.get(url).status_code == 403, url


def test_roles_hold_the_right_permissions(editor, reporter, moderator):
    assert editor.has_perm("interviews.publish_interview")
    assert editor.has_perm("interviews.delete_interview")
    assert not reporter.has_perm("interviews.publish_interview")
    assert reporter.has_perm("interviews.add_interview")
    assert reporter.has_perm("interviews.change_answer")
    assert not reporter.has_perm("interviews.delete_interview")
    assert not any(p.startswith("interviews.") for p in moderator.get_all_permissions())


def test_answers_with_placeholders_count_in_admin_as_unanswered(editor_client):
    interview = build_interview(guests=1, segments=1, questions=1,
                                status=Interview.Status.PREPARING)
    Answer.objects.all().delete()
    AnswerFactory(question=Question.objects.get(), guest=interview.lineup.get().guest,
                  text="<p>…</p>")
    html = editor_client.get(LIST_URL).content.decode()
    assert '<td class="field-unanswered">1</td>' in html


def test_the_same_guest_twice_is_a_form_error_not_a_crash(editor_client, guests):
    hassan, miller = guests
    prefixes = formset_prefixes(editor_client)
    sections = [("Only part", [("Who answers twice?", [], {hassan: "<p>One.</p>"})])]
    data = new_interview_post(prefixes, [hassan, hassan], sections)

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Please correct the duplicate data" in response.content.decode()
    assert not Interview.objects.exists()

    answers = prefixes["answers"].format(s=0, q=0)
    data = new_interview_post(prefixes, guests, sections)
    data.update(management(answers, 2))
    data[f"{answers}-1-guest"] = str(hassan.pk)
    data[f"{answers}-1-text"] = "<p>Two.</p>"
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Please correct the duplicate data" in response.content.decode()
    assert not Interview.objects.exists()


def test_change_page_lists_what_is_still_unanswered(editor_client):
    interview = build_interview(guests=1, segments=1, questions=2,
                                status=Interview.Status.PREPARING)
    question = interview.segments.get().questions.last()
    question.answers.all().delete()
    html = editor_client.get(change_url(interview)).content.decode()
    guest = interview.lineup.get().guest.short_name
    assert f"<li>Part 1, question 2 ({guest}): {question.text}</li>" in html


def test_tag_filter_offers_only_interview_tags(editor_client):
    ArticleFactory(tags=["Only on a story"])
    tagged = InterviewFactory(tags=["Diplomacy"])
    InterviewFactory(tags=[])
    html = editor_client.get(LIST_URL).content.decode()
    assert "Only on a story" not in html
    response = editor_client.get(LIST_URL, {"tag": "diplomacy"})
    assert list(response.context["cl"].result_list) == [tagged]


def test_change_list_search_finds_interviews_by_guest_once(editor_client):
    hassan = GuestFactory(name="Omar Hassan")
    wanted = InterviewFactory(guests=[hassan, GuestFactory(name="Omar Farid")],
                              title="Two Omars")
    InterviewFactory(guests=[GuestFactory(name="Someone Else")])
    response = editor_client.get(LIST_URL, {"q": "Omar"})
    assert list(response.context["cl"].result_list) == [wanted]
    assert response.context["cl"].result_list[0].unanswered_count == 0
