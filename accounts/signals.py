from django.contrib.auth.signals import user_logged_in, user_logged_out

from . import sessions


def _signed_in(sender, request, user, **kwargs):
    sessions.record_sign_in(request, user)


def _signed_out(sender, request, user, **kwargs):
    sessions.forget_sign_out(request, user)


def connect():
    user_logged_in.connect(_signed_in, dispatch_uid="accounts-signed-in")
    user_logged_out.connect(_signed_out, dispatch_uid="accounts-signed-out")
