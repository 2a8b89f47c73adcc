"""What every demo-content loader shares: reading a seed file and saying where it is wrong."""

import json

from django.core.management.base import CommandError


def read_seed(path, check):
    """The parsed JSON seed at `path`, or a CommandError naming the file (and line).

    `check(data)` returns the list of problems with the file's structure; any problem stops
    the load before anything is written.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise CommandError(f"{path}:{error.lineno}: not valid JSON: {error.msg}") from error
    problems = check(data)
    if problems:
        raise CommandError(f"{path}: " + "; ".join(problems))
    return data
