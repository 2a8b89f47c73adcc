from django import forms
from django.forms.models import ModelChoiceIterator

from articles.models import Section
from articles.search import clean_query


class QueryField(forms.CharField):
    """Anything goes in; what comes out is printable text of at most 200 characters.

    Cleaning comes first, so a NUL or other control character separates words like a space
    instead of failing CharField's null-character check (an error the form never showed).
    """

    def to_python(self, value):
        return clean_query(super().to_python(value))

    def bound_data(self, data, initial):
        # The box shows what was searched for, not 10,000 characters of raw input.
        return self.to_python(data)


class ListedChoices(ModelChoiceIterator):
    """The choices read in one plain query: Django's own iterator streams them through a
    server-side cursor on PostgreSQL, three round trips for a dozen sections."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class SectionChoiceField(forms.ModelChoiceField):
    iterator = ListedChoices


class SearchForm(forms.Form):
    STORIES, INTERVIEWS = "stories", "interviews"

    q = QueryField(
        label="Search for", required=False,
        widget=forms.SearchInput(attrs={"placeholder": "Search stories and interviews"}),
    )
    type = forms.ChoiceField(
        label="Show", required=False,
        choices=[("", "Stories and interviews"), (STORIES, "Stories only"),
                 (INTERVIEWS, "Interviews only")],
    )
    # For interviews, a section means "accompanying a story in that section".
    section = SectionChoiceField(queryset=Section.objects.all(), required=False,
                                     empty_label="All sections", to_field_name="slug")
    start = forms.DateField(label="From", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        return data
