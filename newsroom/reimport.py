"""What importing the same story again may overwrite: the rule both importers follow (the text
importer, newsroom.importing, and the WordPress importer, newsroom.wordpress.importer).

Each import remembers a fingerprint of every field it filled in. Importing again, a field whose
incoming value has the fingerprint remembered is left as it is now, so an edit the desk made
since the last import is kept; a field whose incoming value differs is written, even over an
edit of the desk's: the source changed it, and its newer version wins. A field the desk did not
touch therefore always follows the source.
"""

import hashlib
from dataclasses import dataclass, field


def fingerprint(value):
    """A short fingerprint of a field's value (strings, numbers, None and lists of them)."""
    return hashlib.blake2b(repr(value).encode(), digest_size=8).hexdigest()


def fingerprints(values):
    return {name: fingerprint(value) for name, value in values.items()}


def changed(incoming, remembered):
    """The fields whose fingerprint in `incoming` differs from the one `remembered` from the
    last import: the ones to write. Everything is new to a first import (`remembered` empty)."""
    return {name for name, digest in incoming.items() if remembered.get(name) != digest}


@dataclass
class Plan:
    """What to do with each incoming field of a story imported before."""

    write: set = field(default_factory=set)  # the source changed them: take its value
    kept: set = field(default_factory=set)  # the desk changed them, the source did not
    replaced: set = field(default_factory=set)  # both changed them: the source's value wins


def plan(incoming, remembered, current):
    """The Plan for the `incoming` values, given the fingerprints `remembered` from the last
    import and the `current` values (as the story holds them now, in the same form as the
    incoming ones; a field missing from `current` is never counted as the desk's edit)."""
    write = changed(fingerprints(incoming), remembered)
    desk = {name for name in incoming if name in remembered and name in current
            and fingerprint(current[name]) != remembered[name]}
    return Plan(write=write, kept=desk - write, replaced=desk & write)
