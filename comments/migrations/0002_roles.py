# Gives the newsroom's roles (made by articles 0002) the comment desk's permissions:
# moderators moderate, ban and keep the word lists; editors see comments and may close the
# discussion under a story (they already set an article's comment mode); reporters nothing.
from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR = [
    "view_comment", "change_comment", "delete_comment", "moderate_comment",
    "add_wordrule", "change_wordrule", "delete_wordrule", "view_wordrule",
    "add_ban", "change_ban", "delete_ban", "view_ban",
    "view_moderationdecision",
]
EDITOR = ["view_comment", "close_comments", "view_moderationdecision"]


def grant(apps, schema_editor):
    # Permissions are normally made after migrations; make them now so groups can hold them.
    app_config = apps.get_app_config("comments")
    app_config.models_module = True  # the migration state's stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="comments")

    moderator, _ = Group.objects.get_or_create(name="Moderator")
    moderator.permissions.add(*ours.filter(codename__in=MODERATOR))

    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(*ours.filter(codename__in=EDITOR))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="comments")
    for group in Group.objects.filter(name__in=["Moderator", "Editor"]):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0002_create_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
