from django import template
from django.utils.safestring import mark_safe

from .. import inlined

register = template.Library()


@register.simple_tag
def inline_stylesheet():
    """The site's stylesheet as a <style> element (our own file; the CSP allows its hash)."""
    return mark_safe(f"<style>{inlined.site_css()[0]}</style>")  # noqa: S308


@register.simple_tag
def inline_script(path):
    """One of our scripts (newsroom.inlined.SCRIPTS) as a <script> element, so the page makes no
    request for it; the CSP allows its hash."""
    if path not in inlined.SCRIPTS:
        raise template.TemplateSyntaxError(f"{path} is not one of the inlined scripts")
    return mark_safe(f"<script>{inlined.inlined(path)[0]}</script>")  # noqa: S308


@register.simple_tag
def icon_url():
    """The site icon as a data: address (newsroom.inlined.icon_url)."""
    return inlined.icon_url()
