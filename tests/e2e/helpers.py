"""What the browser tests do again and again: staff accounts, logging in, the admin's widgets."""

from django.contrib.auth.models import Group, User

PASSWORD = "e2e-password-4821"


def staff(username, role):
    """A staff account in one of the roles the data migrations make."""
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def pick_autocomplete(page, field, text):
    """Choose `text` in one of the admin's select2 autocomplete boxes."""
    page.click(f"#id_{field} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.click(f".select2-results__option:has-text('{text}')")


# Runs in every page before the page's own scripts; the browser fires the event for anything
# the Content-Security-Policy blocks (or, in report-only mode, would block).
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__newsroomCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile}:${event.lineNumber}) ${event.sample || ""}`);
});
"""


def watch_csp(context):
    """The list every Content-Security-Policy violation in this browser context is added to:
    the browser's securitypolicyviolation events and its console's CSP errors."""
    violations = []
    context.expose_binding(
        "__newsroomCspViolation",
        lambda source, text: violations.append(f"{source['page'].url}: {text}"),
    )
    context.add_init_script(_CSP_LISTENER)
    context.on("console", lambda message: violations.append(message.text)
               if "Content Security Policy" in message.text else None)
    return violations
