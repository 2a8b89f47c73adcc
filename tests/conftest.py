import pytest
from django.contrib.auth.models import Group, User


@pytest.fixture(autouse=True)
def _isolated_files_and_cache(settings, tmp_path):
    """Uploads go to a throwaway folder, and no test sees another's cache."""
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_staff(username, role):
    user = User.objects.create_user(username, f"{username}@example.org", "pw-for-tests-1234",
                                    is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(db):
    return make_staff("editor", "Editor")


@pytest.fixture
def reporter(db):
    return make_staff("reporter", "Reporter")


@pytest.fixture
def moderator(db):
    return make_staff("moderator", "Moderator")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client
