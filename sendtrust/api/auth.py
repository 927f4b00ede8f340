from ninja.security import HttpBearer, django_auth

from sendtrust.access.models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer st_...`: a token issued with `manage.py issue_token`."""

    def authenticate(self, request, token):
        user = ApiToken.user_for_key(token)
        if user is not None:
            request.user = user
        return user


AUTH = [django_auth, TokenAuth()]
