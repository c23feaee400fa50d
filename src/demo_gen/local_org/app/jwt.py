"""The OAuth 2.0 JWT bearer grant: the assertion is checked as a real org checks it.

A connected app that allows the JWT bearer flow holds a certificate ("Use digital signatures");
the org verifies each assertion against it (help.salesforce.com, "OAuth 2.0 JWT Bearer Flow
for Server-to-Server Integration": "Salesforce validates the JWT based on a signature that uses
a previously configured certificate and additional parameters"). The local org keeps that
certificate (or a bare public key) given to `LocalOrgApp(jwt_certificate=...)` / `org serve
--jwt-cert`, and refuses, with the answers real orgs give:

    no certificate, bad signature, not RS256   invalid_grant      invalid assertion
    iss is not the consumer key                invalid_client_id  client identifier invalid
    aud not login/test.salesforce.com or org   invalid_grant      audience is invalid
    exp missing, or passed by the org's clock  invalid_grant      expired authorization code
    sub is not the org's user                  invalid_grant      authentication failure

("audience is invalid" and "expired authorization code" as real orgs word them: useparagon.com
"Salesforce invalid_grant audience is invalid"; salesforce.stackexchange.com/questions/282513.)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")


class JwtRefused(Exception):
    """The assertion is refused: `error` and `description` as the token endpoint answers."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


def load_public_key(pem: bytes) -> RSAPublicKey:
    """The RSA public key of a PEM certificate or public key; ValueError for anything else."""
    try:
        key: Any = x509.load_pem_x509_certificate(pem).public_key()
    except ValueError:
        key = serialization.load_pem_public_key(pem)
    if not isinstance(key, RSAPublicKey):
        raise ValueError("the JWT certificate must hold an RSA key (RS256)")
    return key


def verify(
    assertion: str,
    key: RSAPublicKey | None,
    *,
    consumer_key: str,
    username: str,
    instance_url: str,
    now: datetime,
) -> Mapping[str, Any]:
    """The claims of *assertion* once it passes every check in the module docstring."""
    if key is None:
        raise JwtRefused("invalid_grant", "invalid assertion")
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            key,
            algorithms=["RS256"],
            options={"verify_aud": False, "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        raise JwtRefused("invalid_grant", "invalid assertion") from None
    if claims.get("iss") != consumer_key:
        raise JwtRefused("invalid_client_id", "client identifier invalid")
    if str(claims.get("aud", "")).rstrip("/") not in (*AUDIENCES, instance_url):
        raise JwtRefused("invalid_grant", "audience is invalid")
    try:
        expires = int(claims["exp"])
    except (KeyError, TypeError, ValueError):
        raise JwtRefused("invalid_grant", "expired authorization code") from None
    if expires <= now.timestamp():
        raise JwtRefused("invalid_grant", "expired authorization code")
    if str(claims.get("sub", "")).lower() != username.lower():
        raise JwtRefused("invalid_grant", "authentication failure")
    return claims
