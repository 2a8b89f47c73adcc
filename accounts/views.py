import textwrap
from base64 import b32encode

import segno
from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from . import sessions, two_factor


class CodeForm(forms.Form):
    code = forms.CharField(label="Code from the app", max_length=12, strip=True,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric"}))


@never_cache
def two_factor_view(request):
    """Turn on two-factor sign-in for the signed-in staff member, or make new recovery codes.
    Reached through admin.site.admin_view, so only staff who are signed in get here."""
    user = request.user
    context = {**admin.site.each_context(request), "title": "Two-factor sign-in",
               "required": two_factor.must_enrol(user)}
    if request.method == "POST" and request.POST.get("action") == "sign-out-elsewhere":
        ended = sessions.end_sessions(user, keep=request.session.session_key)
        messages.success(request, f"Signed out of {ended} other session"
                                  f"{'s' if ended != 1 else ''}.")
        return redirect("two-factor")
    if two_factor.has_two_factor(user):
        if request.method == "POST" and request.POST.get("action") == "recovery-codes":
            context["codes"] = two_factor.new_recovery_codes(user)
        return TemplateResponse(request, "accounts/two_factor_on.html", context)

    device = two_factor.pending_device(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        codes = two_factor.confirm_enrolment(device, form.cleaned_data["code"])
        if codes is None:
            form.add_error("code", "That code is not right. Check that your phone shows the "
                                   "right time, wait for the next code and try again.")
        else:
            otp_login(request, device)
            # A session signed in with the password alone must not outlive this.
            sessions.end_sessions(user, keep=request.session.session_key)
            messages.success(request, "Two-factor sign-in is on.")
            context["codes"] = codes
            return TemplateResponse(request, "accounts/two_factor_on.html", context)
    url = two_factor.otpauth_url(device)
    context.update({
        "form": form,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff"),
        # For typing into an app that cannot scan: the same secret, in groups of four.
        "secret": " ".join(textwrap.wrap(b32encode(device.bin_key).decode().rstrip("="), 4)),
    })
    return TemplateResponse(request, "accounts/two_factor_enrol.html", context)
