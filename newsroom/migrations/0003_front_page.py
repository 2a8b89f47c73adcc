# ruff: noqa: E501  (generated field definitions)
# The front page's curation (lead, ordered featured slots, pinned interview) and the site's
# simple pages (about, contact); editors get every permission on them, other roles none.

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

EDITOR_MODELS = ["frontpage", "frontpageslot", "page"]


def grant(apps, schema_editor):
    # Permissions are normally made after migrations; make them now so groups can hold them.
    app_config = apps.get_app_config("newsroom")
    app_config.models_module = True  # the migration state's stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(*Permission.objects.filter(
        content_type__app_label="newsroom", content_type__model__in=EDITOR_MODELS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editor"):
        group.permissions.remove(*Permission.objects.filter(
            content_type__app_label="newsroom", content_type__model__in=EDITOR_MODELS))


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0004_admin_list_indexes'),
        ('interviews', '0004_segment_is_called_part'),
        ('newsroom', '0002_imported_story'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='Page',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=120)),
                ('slug', models.SlugField(help_text='The last part of the address: /pages/<slug>/.', max_length=80, unique=True)),
                ('body', models.TextField(blank=True)),
                ('in_footer', models.BooleanField(default=True, verbose_name='link in the footer')),
                ('position', models.PositiveSmallIntegerField(default=0, help_text='Order of the footer links.')),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['position', 'title'],
            },
        ),
        migrations.CreateModel(
            name='FrontPage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('is_live', models.BooleanField(default=True, help_text='Untick to prepare a curation and preview it while the front page keeps filling itself with the latest stories.', verbose_name='live')),
                ('lead_until', models.DateTimeField(blank=True, help_text='After this time the newest story leads again. Empty: until changed.', null=True, verbose_name='lead until')),
                ('interview_until', models.DateTimeField(blank=True, null=True, verbose_name='pinned until')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('interview', models.ForeignKey(blank=True, help_text='Shown first among the interviews.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='interviews.interview', verbose_name='pinned interview')),
                ('lead', models.ForeignKey(blank=True, help_text='The story at the top of the front page.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='articles.article', verbose_name='lead story')),
            ],
            options={
                'verbose_name': 'front page',
                'verbose_name_plural': 'front page',
            },
        ),
        migrations.CreateModel(
            name='FrontPageSlot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('until', models.DateTimeField(blank=True, help_text='After this time the slot goes back to the latest stories.', null=True)),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='articles.article', verbose_name='story')),
                ('front_page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='slots', to='newsroom.frontpage')),
            ],
            options={
                'verbose_name': 'featured slot',
                'ordering': ['position', 'pk'],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
