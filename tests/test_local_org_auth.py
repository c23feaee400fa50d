"""Logging in to the local org through the unmodified simple-salesforce client."""

from __future__ import annotations

import base64
import datetime
import time

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from local_org_fixtures import (
    API,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    PASSWORD,
    USERNAME,
    connect,
    raw,
)
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession

from demo_gen.local_org import LocalOrgServer, Store
from demo_gen.targets.salesforce.transport import local_session


def _key_pair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key, private


def _certificate(key) -> bytes:
    """A self-signed X.509 certificate for *key*, as uploaded to a connected app."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "demo-gen test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


KEY, PRIVATE_KEY = _key_pair()
OTHER_KEY, OTHER_PRIVATE_KEY = _key_pair()


@pytest.fixture(scope="module")
def server():
    with LocalOrgServer(
        Store(),
        password=PASSWORD + "&<",
        security_token="TOK",
        jwt_certificate=_certificate(KEY),
    ) as srv:
        yield srv


def test_soap_login_with_token_and_escaped_password(server):
    sf = connect(server, username=USERNAME, password=PASSWORD + "&<", security_token="TOK")
    assert sf.sf_instance == "local.demo-gen.my.salesforce.com"
    assert sf.session_id.startswith("00D")
    assert sf.query("SELECT Id, Username FROM User")["records"][0]["Username"] == USERNAME
    assert sf.query("SELECT Id FROM Organization")["totalSize"] == 1


def test_soap_login_bad_password_is_500_invalid_login(server):
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        connect(server, username=USERNAME, password="nope", security_token="TOK")
    assert info.value.code == "INVALID_LOGIN"


def test_soap_response_carries_user_info(server):
    body = (
        '<?xml version="1.0" encoding="utf-8" ?><env:Envelope '
        'xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>'
        '<n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>ADMIN@demo-gen.local'
        "</n1:username><n1:password>demo-gen&amp;&lt;TOK</n1:password></n1:login>"
        "</env:Body></env:Envelope>"
    )
    r = raw(server).post(f"{server.url}/services/Soap/u/58.0", data=body)
    assert r.status_code == 200
    for tag in ("<sessionId>", "<userId>", "<organizationId>", "<userName>", "<userTimeZone>"):
        assert tag in r.text
    assert "/services/Soap/u/58.0/00D" in r.text
    assert "<sessionSecondsValid>7200</sessionSecondsValid>" in r.text


def test_direct_session(server):
    token = connect(
        server, username=USERNAME, password=PASSWORD + "&<", security_token="TOK"
    ).session_id
    sf = Salesforce(
        instance_url="https://local.demo-gen.my.salesforce.com",
        session_id=token,
        session=local_session(server.url),
    )
    assert sf.describe()["sobjects"]


def test_oauth_password_flow(server):
    sf = connect(
        server,
        username=USERNAME,
        password=PASSWORD + "&<TOK",
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
    )
    assert sf.sf_instance == "local.demo-gen.my.salesforce.com"
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000


def test_oauth_password_flow_wrong_password(server):
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        connect(
            server,
            username=USERNAME,
            password="bad",
            consumer_key=CONSUMER_KEY,
            consumer_secret=CONSUMER_SECRET,
        )
    assert info.value.code == "invalid_grant"


def test_oauth_client_credentials(server):
    sf = connect(
        server,
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        domain="local.demo-gen.my",
    )
    assert sf.query("SELECT Id FROM User")["totalSize"] >= 1


def test_oauth_unknown_client(server):
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        connect(server, consumer_key="other", consumer_secret="x", domain="local.demo-gen.my")
    assert info.value.code == "invalid_client_id"


def test_oauth_jwt_bearer(server):
    sf = connect(server, username=USERNAME, consumer_key=CONSUMER_KEY, privatekey=PRIVATE_KEY)
    assert sf.query("SELECT Id FROM Account")["done"] is True


def test_oauth_jwt_wrong_subject(server):
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        connect(server, username="someone@else", consumer_key=CONSUMER_KEY, privatekey=PRIVATE_KEY)
    assert info.value.code == "invalid_grant"


def test_oauth_jwt_signed_by_another_key_is_refused(server):
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        connect(server, username=USERNAME, consumer_key=CONSUMER_KEY, privatekey=OTHER_PRIVATE_KEY)
    assert info.value.code == "invalid_grant" and "invalid assertion" in str(info.value)


def _assertion(private=PRIVATE_KEY, algorithm="RS256", **claims):
    base = {
        "iss": CONSUMER_KEY,
        "sub": USERNAME,
        "aud": "https://login.salesforce.com",
        "exp": str(int(time.time()) + 180),
    }
    return jwt.encode(base | claims, private, algorithm=algorithm)


def _token(server, assertion):
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    data = {"grant_type": grant, "assertion": assertion}
    return raw(server).post(f"{server.url}/services/oauth2/token", data=data)


EXPIRED = "expired authorization code"


@pytest.mark.parametrize(
    ("claims", "error", "description"),
    [
        ({"iss": "someone-else"}, "invalid_client_id", "client identifier invalid"),
        ({"aud": "https://evil.example.com"}, "invalid_grant", "audience is invalid"),
        ({"exp": "past"}, "invalid_grant", EXPIRED),
        ({"exp": None}, "invalid_grant", EXPIRED),
        (
            {"algorithm": "HS256", "private": "a-shared-secret-of-32-bytes-long!"},
            "invalid_grant",
            "invalid assertion",
        ),
        ({"private": OTHER_PRIVATE_KEY}, "invalid_grant", "invalid assertion"),
    ],
    ids=["iss", "aud", "exp-passed", "exp-missing", "hs256", "other-key"],
)
def test_jwt_claims_and_signature_are_checked(server, claims, error, description):
    if claims.get("exp") == "past":
        claims = claims | {"exp": str(int(time.time()) - 5)}
    r = _token(server, _assertion(**claims))
    assert r.status_code == 400
    assert r.json() == {"error": error, "error_description": description}


def test_jwt_audience_may_be_test_or_the_instance(server):
    for aud in ("https://test.salesforce.com", "https://local.demo-gen.my.salesforce.com"):
        assert _token(server, _assertion(aud=aud)).status_code == 200, aud


def test_jwt_expiry_follows_the_orgs_clock():
    moment = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    app = LocalOrgServer(Store(), jwt_certificate=_certificate(KEY), clock=lambda: moment)
    with app as srv:
        fresh = _assertion(exp=str(int(moment.timestamp()) + 60))
        assert _token(srv, fresh).status_code == 200
        assert _token(srv, _assertion()).json()["error_description"] == (
            "expired authorization code"
        )


def test_jwt_with_a_bare_public_key_and_without_any_certificate():
    public = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with LocalOrgServer(Store(), jwt_certificate=public) as srv:
        assert _token(srv, _assertion()).status_code == 200
    with LocalOrgServer(Store()) as srv:
        assert _token(srv, _assertion()).json() == {
            "error": "invalid_grant",
            "error_description": "invalid assertion",
        }


def test_raw_token_endpoint_forms(server):
    s = raw(server)
    basic = base64.b64encode(f"{CONSUMER_KEY}:{CONSUMER_SECRET}".encode()).decode()
    r = s.post(
        f"{server.url}/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    body = r.json()
    assert r.status_code == 200
    assert body["instance_url"] == "https://local.demo-gen.my.salesforce.com"
    assert body["token_type"] == "Bearer"
    assert r.headers["Content-Type"] == "application/json;charset=UTF-8"
    bad = s.post(f"{server.url}/services/oauth2/token", data={"grant_type": "password"})
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_client_id"
    assertion = _assertion()
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    r = s.post(
        f"{server.url}/services/oauth2/token", data={"grant_type": grant, "assertion": assertion}
    )
    assert r.status_code == 200
    garbage = s.post(
        f"{server.url}/services/oauth2/token", data={"grant_type": grant, "assertion": "a.b"}
    )
    assert garbage.json() == {"error": "invalid_grant", "error_description": "invalid assertion"}


@pytest.mark.parametrize("header", [None, "Bearer 00Dxx!forged", "Basic abc"])
def test_invalid_token_is_401_array(server, header):
    headers = {} if header is None else {"Authorization": header}
    r = raw(server).get(f"{server.url}{API}/query/?q=SELECT+Id+FROM+Account", headers=headers)
    assert r.status_code == 401
    assert r.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    assert r.headers["Sforce-Limit-Info"].startswith("api-usage=")


def test_direct_session_with_forged_token_raises_expired(server):
    sf = Salesforce(
        instance_url="https://x.my.salesforce.com",
        session_id="00D000000000001!forged",
        session=local_session(server.url),
    )
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Account")


def test_stats_endpoint_needs_no_session(server):
    connect(server, username=USERNAME, password=PASSWORD + "&<", security_token="TOK")
    r = raw(server).get(f"{server.url}/_local/stats")
    body = r.json()
    assert r.status_code == 200
    assert body["requests"]["POST login"] >= 1
    assert body["daily_limit"] == 15000
    assert body["requests"] == server.app.request_counts
    assert server.app.stats()["api_usage"] == body["api_usage"]


def test_unknown_paths_and_methods(server):
    s = raw(server)
    assert s.get(f"{server.url}/nothing/here").status_code == 404
    assert s.get(f"{server.url}/services/data").json()[0]["version"]
    token = server.app.new_session()
    s.headers["Authorization"] = f"Bearer {token}"
    r = s.put(f"{server.url}{API}/sobjects/Account/", json={})
    assert r.status_code == 405
    assert r.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"
    r = s.get(f"{server.url}{API}/jobs/nothing")
    assert r.status_code == 404
    assert r.json()[0]["errorCode"] == "NOT_FOUND"
