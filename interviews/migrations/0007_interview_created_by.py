# Records who created each interview: a reporter works only on their own interviews (those
# they created or conduct), as on their own stories. Existing interviews get the user the
# admin's log says added them; one it does not know stays its interviewer's (and the editors').
from django.conf import settings
from django.db import migrations, models

ADDITION = 1  # django.contrib.admin.models.ADDITION


def creators_from_the_admin_log(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    Interview = apps.get_model("interviews", "Interview")
    content_type = ContentType.objects.filter(app_label="interviews",
                                              model="interview").first()
    if content_type is None:
        return
    added = (LogEntry.objects.filter(content_type=content_type, action_flag=ADDITION)
             .values_list("object_id", "user_id", "action_time"))
    for object_id, user_id, action_time in added.iterator():
        if object_id.isdigit():
            # Logged once it was made: an entry older than the row was about a deleted
            # interview that had the same id.
            Interview.objects.filter(pk=int(object_id), created_by__isnull=True,
                                     created_at__lte=action_time).update(created_by_id=user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0006_search_text_by_block"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="interview",
            name="created_by",
            field=models.ForeignKey(blank=True, editable=False, null=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(creators_from_the_admin_log, migrations.RunPython.noop),
    ]
