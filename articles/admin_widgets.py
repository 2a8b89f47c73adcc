"""Autocomplete boxes that survive a value that is not an id.

Django's admin autocomplete widgets look up the submitted value when they draw a refused form
again; a value that is not a number ("<script>", or one too big for any id column) makes that
lookup raise, and the editor gets a server error instead of "Select a valid choice". These
draw only the values that could be ids; the form's own validation still refuses the rest with
its message.
"""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

BIGGEST_ID = 2**63 - 1


class _PossibleIdsOnly:
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        field_name = getattr(remote, "field_name", None)  # a ForeignKey's to_field
        opts = remote.model._meta
        target = opts.get_field(field_name) if field_name else opts.pk
        possible = []
        for item in value:
            try:
                candidate = target.to_python(item)
            except (ValidationError, ValueError, TypeError, OverflowError):
                continue
            if isinstance(candidate, int) and not -BIGGEST_ID <= candidate <= BIGGEST_ID:
                continue  # no database column holds it
            possible.append(item)
        return super().optgroups(name, possible, attr)


class CheckedAutocompleteSelect(_PossibleIdsOnly, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(_PossibleIdsOnly, AutocompleteSelectMultiple):
    pass


class CheckedAutocompleteMixin:
    """For a ModelAdmin or inline with autocomplete_fields."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site,
                                                         using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(db_field, self.admin_site,
                                                                 using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)
