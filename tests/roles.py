"""The Reporter, Editor and Moderator groups, put back after a transactional test.

A transactional test (every browser test, and the few that need real commits) flushes the
database when it ends, and the rows the data migrations wrote go with it; Django recreates
permissions and content types, but not our groups. `ensure_roles()` replays the same migration
functions, so whatever runs next finds the groups a migrated database has.
"""

import importlib

ROLE_MIGRATIONS = [
    ("articles.migrations.0002_create_roles", "create_roles"),
    ("interviews.migrations.0002_create_roles", "grant"),
    ("comments.migrations.0002_roles", "grant"),
    ("newsroom.migrations.0003_front_page", "grant"),
]


def ensure_roles():
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    if Group.objects.filter(name__in=["Editor", "Reporter", "Moderator"]).count() == 3 and \
            Group.objects.get(name="Editor").permissions.exists():
        return
    state_apps = MigrationLoader(connection).project_state().apps
    for module, function in ROLE_MIGRATIONS:
        getattr(importlib.import_module(module), function)(state_apps, None)
