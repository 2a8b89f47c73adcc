from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed

from . import two_factor


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login with a third field, the two-factor code, needed by the accounts that
    have two-factor sign-in turned on."""

    otp_token = forms.CharField(
        label="Two-factor code", required=False, max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="Only if you have turned on two-factor sign-in: the six digits your "
                  "authenticator app shows, or one of your recovery codes.",
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None or not two_factor.has_two_factor(user):
            return cleaned
        code = cleaned.get("otp_token")
        if not code:
            raise forms.ValidationError(
                "This account has two-factor sign-in: enter the code from your authenticator "
                "app, or one of your recovery codes.", code="otp_required")
        device = two_factor.check_code(user, code)
        if device is None:
            # A wrong code counts as a failed sign-in for the lockout, like a wrong password.
            user_login_failed.send(sender=__name__, request=self.request,
                                   credentials={"username": user.get_username()})
            raise forms.ValidationError(
                "That code is not right, or has been used already. Check the time on your "
                "phone, wait for the next code and try again.", code="otp_invalid")
        user.otp_device = device  # django-otp marks the session verified on login
        return cleaned
