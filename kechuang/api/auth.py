"""How the API knows who calls: a personal token (``Authorization: Bearer kc_…``) for programs, or the
browser's session, which must then carry the CSRF token on unsafe methods (ninja's SessionAuth)."""

from __future__ import annotations

from ninja.security import HttpBearer, django_auth

from kechuang.api.tokens import token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user  # the selectors and services read request.user
        request.api_token_auth = True
        return user


token_auth = TokenAuth()
AUTH = [token_auth, django_auth]
