from django.conf import settings

from .stylesheet import site_css


class ContentSecurityPolicyMiddleware:
    """Send the site's Content-Security-Policy: every script, style and font is our own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            # The stylesheet inlined in the public pages, allowed by its hash alone.
            policy = policy.replace("style-src 'self'", f"style-src 'self' {site_css()[1]}", 1)
            response["Content-Security-Policy"] = policy
        return response
