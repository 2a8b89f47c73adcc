from django.conf import settings
from django.db import models


class StaffSession(models.Model):
    """A session a staff member signed in with, so that all of them can be ended at once
    (accounts.sessions.end_sessions) whatever the session backend."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="staff_sessions")
    session_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "session_key"])]

    def __str__(self):
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"
