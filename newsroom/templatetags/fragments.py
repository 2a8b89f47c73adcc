"""`{% fragment %}`: a part of a page kept rendered in the cache (newsroom/fragments.py).

    {% load fragments %}
    {% fragment "story-comments" article.pk only_if=not_preview %}
      ... everything in here names what it shows with pages.show() as it renders ...
    {% endfragment %}

The first argument names the fragment; the others tell its copies apart (a story's id, a
page number). `only_if` (optional) must be true for the cache to be used: a preview, say,
renders the block every time.
"""

from django import template

from .. import fragments

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, parts, only_if):
        self.nodelist, self.name, self.parts, self.only_if = nodelist, name, parts, only_if

    def render(self, context):
        if self.only_if is not None and not self.only_if.resolve(context):
            return self.nodelist.render(context)
        request = context.get("request")
        name = self.name.resolve(context)
        parts = [part.resolve(context) for part in self.parts]
        return fragments.render(request, name, parts, lambda: self.nodelist.render(context))


@register.tag("fragment")
def do_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(
            "{% fragment %} needs a name: {% fragment \"name\" part … %}")
    only_if = None
    arguments = []
    for bit in bits[1:]:
        if bit.startswith("only_if="):
            only_if = parser.compile_filter(bit.removeprefix("only_if="))
        else:
            arguments.append(parser.compile_filter(bit))
    if not arguments:
        raise template.TemplateSyntaxError("{% fragment %} needs a name before only_if=")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, arguments[0], arguments[1:], only_if)
