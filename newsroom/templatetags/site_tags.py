from django import template
from django.utils.safestring import mark_safe

from ..stylesheet import site_css

register = template.Library()


@register.simple_tag
def inline_stylesheet():
    """The site's stylesheet as a <style> element (our own file; the CSP allows its hash)."""
    return mark_safe(f"<style>{site_css()[0]}</style>")  # noqa: S308
