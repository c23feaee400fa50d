"""Helpers for the local-org wire tests: connect the unmodified simple-salesforce client."""

from __future__ import annotations

from typing import Any

import requests
from simple_salesforce import Salesforce

from demo_gen.local_org import LocalOrgServer
from demo_gen.targets.salesforce.transport import local_session

USERNAME = "admin@demo-gen.local"
PASSWORD = "demo-gen"
CONSUMER_KEY = "demo-gen-local"
CONSUMER_SECRET = "demo-gen-secret"
API = "/services/data/v59.0"


def connect(server: LocalOrgServer, **kwargs: Any) -> Salesforce:
    """A client logged in through SOAP (or whatever flow *kwargs* select)."""
    if not kwargs:
        kwargs = {"username": USERNAME, "password": PASSWORD, "security_token": ""}
    return Salesforce(session=local_session(server.url), **kwargs)


def raw(server: LocalOrgServer, sf: Salesforce | None = None) -> requests.Session:
    """A plain requests session on the org, carrying *sf*'s bearer token when given."""
    session = requests.Session()
    session.trust_env = False
    if sf is not None:
        session.headers["Authorization"] = f"Bearer {sf.session_id}"
    return session


def contacts(n: int, prefix: str = "C") -> list[dict[str, Any]]:
    """*n* Contact records for collections."""
    return [{"attributes": {"type": "Contact"}, "LastName": f"{prefix}{i}"} for i in range(n)]


def count(sf: Salesforce, soql: str) -> int:
    return int(sf.query(soql)["totalSize"])
