from django import forms

from articles.models import Section
from articles.search import clean_query


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", required=False,
                        widget=forms.SearchInput(attrs={"placeholder": "Search stories"}))
    section = forms.ModelChoiceField(queryset=Section.objects.all(), required=False,
                                     empty_label="All sections", to_field_name="slug")
    start = forms.DateField(label="From", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def clean_q(self):
        # Anything goes in; what reaches the database is cleaned and at most 200 characters.
        return clean_query(self.cleaned_data.get("q", ""))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        return data
