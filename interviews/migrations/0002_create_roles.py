# Gives the newsroom's roles (made by articles 0002) the interview desk's permissions:
# editors everything including publishing, reporters prepare interviews but cannot publish or
# delete one, moderators nothing here.
from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["interview", "guest", "interviewguest", "segment", "question", "answer"]
# The parts an interview is built from: removing a wrong question is part of preparing one.
PARTS = ["interviewguest", "segment", "question", "answer"]
REPORTER = (
    [f"{action}_{model}" for model in MODELS for action in ("add", "change", "view")]
    + [f"delete_{model}" for model in PARTS]
)


def grant(apps, schema_editor):
    # Permissions are normally made after migrations; make them now so groups can hold them.
    app_config = apps.get_app_config("interviews")
    app_config.models_module = True  # the migration state's stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="interviews")

    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(*ours)  # every model's add/change/delete/view, and publish_interview

    reporter, _ = Group.objects.get_or_create(name="Reporter")
    reporter.permissions.add(*ours.filter(codename__in=REPORTER))

    Group.objects.get_or_create(name="Moderator")


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="interviews")
    for group in Group.objects.filter(name__in=["Editor", "Reporter"]):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0001_initial"),
        ("articles", "0002_create_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
