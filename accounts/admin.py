from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.defaultfilters import pluralize

from . import sessions

User = get_user_model()


class StaffUserAdmin(UserAdmin):
    actions = ["end_sessions"]

    @admin.action(description="Sign out everywhere (end all their sessions)",
                  permissions=["change"])
    def end_sessions(self, request, queryset):
        ended = sum(sessions.end_sessions(user, keep=request.session.session_key)
                    for user in queryset)
        accounts = len(queryset)
        messages.success(request, f"Ended {ended} session{pluralize(ended)} of "
                                  f"{accounts} account{pluralize(accounts)}.")


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
