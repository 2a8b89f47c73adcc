"""Moving a WordPress site over: `manage.py import_wordpress` and the admin's import page.

- `wxr` reads the export WordPress writes (Tools → Export → All content) as a stream of plain
  data (no models), refusing a broken file with its line;
- `content` turns a post's HTML (blocks, shortcodes, embeds, images) into a story body;
- `importer` saves posts as stories, with their comments, photos and old addresses;
- `redirects` answers the old WordPress addresses with a 301 to the stories' new ones.
"""
