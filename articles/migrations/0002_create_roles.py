# Creates the newsroom's roles and gives them the article desk's permissions.
# Later apps (interviews, comments) add their own permissions to these groups.
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = {
    "articles": ["article", "section", "author", "photo", "correction", "articleauthor"],
    "taggit": ["tag", "taggeditem"],
}
EDITOR_EXTRA = ["publish_article"]
REPORTER = [
    "add_article", "change_article", "view_article",
    "add_articleauthor", "change_articleauthor", "delete_articleauthor", "view_articleauthor",
    "view_section", "view_author", "view_correction",
    "add_photo", "change_photo", "view_photo",
    "add_tag", "view_tag",
]


def create_roles(apps, schema_editor):
    # Permissions are normally made after migrations; make them now so groups can hold them.
    for app_label in ["articles", "taggit"]:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # the migration state's stub lacks it
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    editor, _ = Group.objects.get_or_create(name="Editor")
    for app_label, models in EDITOR.items():
        editor.permissions.add(*Permission.objects.filter(
            content_type__app_label=app_label, content_type__model__in=models
        ))
    editor.permissions.add(*Permission.objects.filter(
        content_type__app_label="articles", codename__in=EDITOR_EXTRA
    ))

    reporter, _ = Group.objects.get_or_create(name="Reporter")
    reporter.permissions.add(*Permission.objects.filter(
        content_type__app_label__in=["articles", "taggit"], codename__in=REPORTER
    ))

    Group.objects.get_or_create(name="Moderator")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
