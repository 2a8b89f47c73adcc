from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = "Interviews"

    def ready(self):
        from articles import history

        from .models import Answer, Interview, InterviewGuest, Question, Segment

        # An interview's revision holds its line-up, parts, questions and answers, and tags.
        history.register(Interview, follow=["lineup", "segments", "tagged_items"])
        history.register(InterviewGuest)
        history.register(Segment, follow=["questions"])
        history.register(Question, follow=["answers"])
        history.register(Answer)
