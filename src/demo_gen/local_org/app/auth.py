"""Logging in to the local org: SOAP partner `login`, the OAuth token endpoint, sessions.

Sessions are tokens the org issued (`00D…!random`), kept in memory: a restarted server forgets
them, and clients with credentials log in again on the 401 that follows. Every session belongs to
the org's admin User, who is created on first use when the store has none (an empty org works).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import secrets
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from werkzeug.datastructures import Headers

from demo_gen.local_org.app import jwt as app_jwt
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.store.core import Record, Store, Transaction

INSTANCE_HOST = "local.demo-gen.my.salesforce.com"
INSTANCE_URL = f"https://{INSTANCE_HOST}"
PARTNER_NS = "urn:partner.soap.sforce.com"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SESSION_SECONDS = 7200
ORG_NAME = "demo-gen local org"

LOGIN_FAULT = (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:sf="urn:fault.partner.soap.sforce.com" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>'
    "<soapenv:Fault><faultcode>INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN: Invalid "
    "username, password, security token; or user locked out.</faultstring>"
    '<detail><sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>INVALID_LOGIN'
    "</sf:exceptionCode><sf:exceptionMessage>Invalid username, password, security token; or "
    "user locked out.</sf:exceptionMessage></sf:LoginFault></detail>"
    "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
)


@dataclass(frozen=True)
class Credentials:
    """What the org accepts at login."""

    username: str
    password: str
    security_token: str
    consumer_key: str
    consumer_secret: str
    jwt_key: RSAPublicKey | None = None
    """The connected app's certificate key that JWT bearer assertions must be signed for."""


@dataclass
class Session:
    """A session the org issued; `requests` counts the REST calls made with it."""

    token: str
    user_id: str
    requests: int = 0


@dataclass(frozen=True)
class Identity:
    """The admin User and the Organization a login resolves to."""

    user_id: str
    org_id: str
    username: str
    full_name: str
    email: str
    time_zone: str


class AuthFailure(Exception):
    """A refused OAuth request: `error` and `description` as Salesforce words them."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


class Sessions:
    """The tokens this org issued, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_token: dict[str, Session] = {}

    def issue(self, identity: Identity) -> Session:
        """A new session for *identity*."""
        token = f"{identity.org_id[:15]}!{secrets.token_urlsafe(42)}"
        session = Session(token, identity.user_id)
        with self._lock:
            self._by_token[token] = session
        return session

    def use(self, token: str) -> Session | None:
        """The session for *token*, its request count bumped; None when unknown or dead."""
        with self._lock:
            session = self._by_token.get(token)
            if session is not None:
                session.requests += 1
            return session

    def kill(self, token: str) -> None:
        with self._lock:
            self._by_token.pop(token, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_token)


def bearer_token(headers: Headers) -> str | None:
    """The session id of a REST request (`Authorization: Bearer|OAuth`, or `X-SFDC-Session`)."""
    auth = headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and token.strip():
        return token.strip()
    sfdc = headers.get("X-SFDC-Session", "").strip()
    return sfdc or None


# --- the admin user --------------------------------------------------------------------------


def _blank(obj: schema.SObject, record_id: str) -> Record:
    record: Record = {f.name: f.default for f in obj.fields}
    record["Id"] = record_id
    return record


def _stamp(record: Record, user_id: str, now: datetime) -> None:
    for name in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
        record[name] = now
    record["CreatedById"] = user_id
    record["LastModifiedById"] = user_id
    record["IsDeleted"] = False


def _ensure_org(txn: Transaction, store: Store) -> str:
    existing = store.rows("Organization", include_deleted=True)
    if existing:
        return str(existing[0]["Id"])
    obj = schema.OBJECTS["organization"]
    org = _blank(obj, txn.new_id(obj))
    org["Name"] = ORG_NAME
    org["IsDeleted"] = False  # Organization has no IsDeleted field; readers expect the key
    txn.put(obj, org)
    return str(org["Id"])


def ensure_admin(store: Store, username: str, now: datetime) -> Identity:
    """The org's admin User (by Username) and the Organization, created when missing."""
    obj = schema.OBJECTS["user"]
    with store.transaction() as txn:
        org_id = _ensure_org(txn, store)
        user_id = txn.find_unique("User", "Username", username)
        if user_id is None:
            user = _blank(obj, txn.new_id(obj))
            _stamp(user, str(user["Id"]), now)
            user.update(
                Username=username,
                FirstName="Admin",
                LastName="User",
                Name="Admin User",
                Email=username if "@" in username else f"{username}@demo-gen.local",
                Alias="admin",
                IsActive=True,
            )
            txn.put(obj, user)
            user_id = str(user["Id"])
        record = txn.get(user_id) or {}
    return Identity(
        user_id=user_id,
        org_id=org_id,
        username=str(record.get("Username") or username),
        full_name=str(record.get("Name") or "Admin User"),
        email=str(record.get("Email") or ""),
        time_zone=str(record.get("TimeZoneSidKey") or "America/Los_Angeles"),
    )


# --- SOAP --------------------------------------------------------------------------------------


def soap_credentials(body: bytes) -> tuple[str, str] | None:
    """(username, password) from a SOAP `login` envelope; None when it is not one."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    username = root.find(f".//{{{PARTNER_NS}}}username")
    password = root.find(f".//{{{PARTNER_NS}}}password")
    if username is None or password is None:
        return None
    return (username.text or "").strip(), password.text or ""


def soap_success(identity: Identity, session: Session, version: str) -> str:
    """The `loginResponse` envelope: unprefixed sessionId/serverUrl, as the client needs."""
    server = f"{INSTANCE_URL}/services/Soap/u/{version}/{identity.org_id[:15]}"
    meta = f"{INSTANCE_URL}/services/Soap/m/{version}/{identity.org_id[:15]}"
    e = html.escape
    return (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns="urn:partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><loginResponse>'
        f"<result><metadataServerUrl>{meta}</metadataServerUrl>"
        "<passwordExpired>false</passwordExpired><sandbox>true</sandbox>"
        f"<serverUrl>{server}</serverUrl><sessionId>{session.token}</sessionId>"
        f"<userId>{identity.user_id}</userId><userInfo>"
        "<accessibilityMode>false</accessibilityMode><currencySymbol>$</currencySymbol>"
        f"<orgDefaultCurrencyIsoCode>USD</orgDefaultCurrencyIsoCode>"
        f"<organizationId>{identity.org_id}</organizationId>"
        f"<organizationMultiCurrency>false</organizationMultiCurrency>"
        f"<organizationName>{e(ORG_NAME)}</organizationName>"
        f"<sessionSecondsValid>{SESSION_SECONDS}</sessionSecondsValid>"
        f"<userEmail>{e(identity.email)}</userEmail>"
        f"<userFullName>{e(identity.full_name)}</userFullName>"
        f"<userId>{identity.user_id}</userId><userLanguage>en_US</userLanguage>"
        f"<userLocale>en_US</userLocale><userName>{e(identity.username)}</userName>"
        f"<userTimeZone>{e(identity.time_zone)}</userTimeZone><userType>Standard</userType>"
        "</userInfo></result></loginResponse></soapenv:Body></soapenv:Envelope>"
    )


# --- OAuth -------------------------------------------------------------------------------------


def _basic_client(headers: Headers) -> tuple[str, str] | None:
    scheme, _, value = headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        key, _, secret = base64.b64decode(value.strip()).decode("utf-8").partition(":")
    except (ValueError, binascii.Error, UnicodeError):
        return None
    return key, secret


def check_token_request(
    creds: Credentials, form: Mapping[str, str], headers: Headers, now: datetime
) -> None:
    """Accept an OAuth token request or raise AuthFailure, per grant type (JWT: `app_jwt`)."""
    grant = form.get("grant_type", "")
    if grant == "password":
        _check_client(creds, form.get("client_id", ""), form.get("client_secret", ""))
        _check_user(creds, form.get("username", ""), form.get("password", ""))
    elif grant == "client_credentials":
        key, secret = _basic_client(headers) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
        _check_client(creds, key, secret)
    elif grant == JWT_GRANT:
        try:
            app_jwt.verify(
                form.get("assertion", ""),
                creds.jwt_key,
                consumer_key=creds.consumer_key,
                username=creds.username,
                instance_url=INSTANCE_URL,
                now=now,
            )
        except app_jwt.JwtRefused as exc:
            raise AuthFailure(exc.error, exc.description) from None
    else:
        raise AuthFailure("unsupported_grant_type", "grant type not supported")


def _check_client(creds: Credentials, key: str, secret: str) -> None:
    if key != creds.consumer_key:
        raise AuthFailure("invalid_client_id", "client identifier invalid")
    if not hmac.compare_digest(secret, creds.consumer_secret):
        raise AuthFailure("invalid_client", "invalid client credentials")


def _check_user(creds: Credentials, username: str, password: str) -> None:
    if not password_ok(creds, username, password):
        raise AuthFailure("invalid_grant", "authentication failure")


def password_ok(creds: Credentials, username: str, password: str) -> bool:
    """True when *username* and *password* (with the security token appended) match."""
    expected = creds.password + creds.security_token
    return username.strip().lower() == creds.username.lower() and hmac.compare_digest(
        password, expected
    )


def token_success(
    identity: Identity, session: Session, now: Callable[[], datetime]
) -> dict[str, Any]:
    """The token endpoint's JSON answer (only access_token and instance_url are read)."""
    issued = str(int(now().timestamp() * 1000))
    signature = base64.b64encode(
        hmac.new(session.token.encode(), issued.encode(), hashlib.sha256).digest()
    ).decode()
    return {
        "access_token": session.token,
        "instance_url": INSTANCE_URL,
        "id": f"https://login.salesforce.com/id/{identity.org_id}/{identity.user_id}",
        "token_type": "Bearer",
        "issued_at": issued,
        "signature": signature,
        "scope": "api",
    }
