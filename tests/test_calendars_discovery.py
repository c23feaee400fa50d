"""CalDAV discovery through the principal (current-user-principal → calendar-home-set →
calendars) with per-person logins, on Radicale (one htpasswd login per person) and Xandikos (a
single-principal server: its one login finds its one calendar, and a second person sharing that
login is refused rather than mixed into the same calendar).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
from caldav_servers import DavServer, dav_server
from conftest import ANCHOR
from test_calendars_caldav import _event, _owners

from demo_gen.commands.reset import reset
from demo_gen.commands.run import RunOptions, run
from demo_gen.config.model import Secrets, load_config
from demo_gen.errors import TargetError
from demo_gen.targets.calendars.caldav_target import CalDavCalendars, CalDavSettings

pytestmark = pytest.mark.slow
ANN, BOB = "ann@seller.example", "bob@seller.example"


@pytest.fixture
def radicale(tmp_path_factory) -> Iterator[DavServer]:
    root = tmp_path_factory.mktemp("radicale-logins")
    with dav_server("radicale", root, logins={ANN: "pw-ann", BOB: "pw-bob"}) as srv:
        yield srv


def _as(server: DavServer, user: str, password: str) -> DavServer:
    return DavServer(server.name, server.base, (user, password))


def test_radicale_discovery_finds_each_persons_own_calendar_with_their_login(radicale):
    urls = {u: _as(radicale, u, f"pw-{u[:3]}").make_calendar(u) for u in (ANN, BOB)}
    logins = {ANN: (ANN, "pw-ann"), BOB: (BOB, "pw-bob")}
    settings = CalDavSettings(url=radicale.base, locate="principal", logins=logins)
    with CalDavCalendars(settings) as calendars:
        assert calendars.calendar_url(ANN) == urls[ANN]
        assert calendars.calendar_url(BOB) == urls[BOB]
        made, _ = calendars.create(_event(ANN, "demo-gen-disc"))
        assert made.href == urls[ANN] + "demo-gen-disc.ics"
        assert calendars.find(ANN, "demo-gen-disc") == made
        assert calendars.delete(made) == "deleted"
    wrong = CalDavSettings(url=radicale.base, locate="principal", logins={ANN: (ANN, "nope")})
    with CalDavCalendars(wrong) as calendars, pytest.raises(TargetError) as refused:
        calendars.calendar_url(ANN)
    assert "refused the login of ann@seller.example" in str(refused.value)


def test_xandikos_discovery_finds_its_principals_calendar_and_refuses_a_shared_one(
    tmp_path_factory,
):
    root = tmp_path_factory.mktemp("xandikos-defaults")
    with dav_server("xandikos", root, defaults=True) as srv:
        settings = CalDavSettings(url=srv.base, locate="principal")
        with CalDavCalendars(settings) as calendars:
            url = calendars.calendar_url(ANN)
            assert url.startswith(srv.base + "/user/calendars/"), url
            made, ours = calendars.create(_event(ANN, "demo-gen-xdisc"))
            assert ours and made.href == url.rstrip("/") + "/demo-gen-xdisc.ics"
            assert calendars.calendar_exists(ANN)
            with pytest.raises(TargetError) as shared:
                calendars.calendar_url(BOB)  # the same login finds the same calendar
            assert "the same calendar" in str(shared.value) and shared.value.hint
            assert calendars.delete(made) == "deleted"
        named = CalDavSettings(url=srv.base, locate="principal", calendar_name="No such")
        with CalDavCalendars(named) as calendars, pytest.raises(TargetError) as missing:
            calendars.calendar_url(ANN)
        assert "holds no calendar named 'No such'" in str(missing.value)


# -- a whole run with discovery and one login per person (Radicale) -----------------------------


def _names(owners: list[str]) -> dict[str, str]:
    return {owner: f"P{i}" for i, owner in enumerate(owners)}


def _listing(server: DavServer, url: str, auth: tuple[str, str]) -> list[str]:
    """UIDs (resource names) in one calendar, by PROPFIND with that person's login."""
    body = '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>'
    r = requests.request(
        "PROPFIND", url, data=body, auth=auth, timeout=10,
        headers={"Depth": "1", "Content-Type": "application/xml"},
    )  # fmt: skip
    assert r.status_code == 207, r.text
    hrefs = [h.text or "" for h in ElementTree.fromstring(r.content).iter("{DAV:}href")]
    return sorted(h.rsplit("/", 1)[1] for h in hrefs if h.endswith(".ics"))


def test_a_run_with_discovery_writes_each_copy_to_its_owners_calendar_and_reset_undoes_it(
    make_config, tmp_path_factory, monkeypatch
):
    from click.testing import CliRunner

    from demo_gen.cli import cli

    probe = make_config("probe.yaml", salesforce={"query": {"limit": 3}})
    owners = _owners(Path(probe))
    names = _names(owners)
    logins = {o: f"pw-{n}" for o, n in names.items()}
    root = tmp_path_factory.mktemp("radicale-run")
    with dav_server("radicale", root, logins=logins) as srv:
        urls = {o: _as(srv, o, logins[o]).make_calendar(o) for o in owners}
        path = make_config(
            calendar={"enabled": True, "url": srv.base, "locate": "principal", "logins": names},
            peopleai={"ingestion_mode": "calendar"},
            salesforce={"query": {"limit": 3}},
        )
        config = load_config(path, env={})
        secrets = Secrets(caldav_logins={n: (o, logins[o]) for o, n in names.items()})

        def held() -> dict[str, list[str]]:
            return {o: _listing(srv, urls[o], (o, logins[o])) for o in owners}

        first = run(config, secrets, RunOptions(today=ANCHOR))
        copies = first.counts["calendar_event"]
        assert copies["created"] > 0 and copies["failed"] == 0, copies
        after = held()
        assert sum(len(v) for v in after.values()) == copies["created"]
        again = run(config, secrets, RunOptions(today=ANCHOR))
        assert again.counts["calendar_event"]["created"] == 0 and held() == after
        for owner, name in names.items():
            monkeypatch.setenv(f"CALDAV_USERNAME_{name}", owner)
            monkeypatch.setenv(f"CALDAV_PASSWORD_{name}", logins[owner])
        doctor = CliRunner().invoke(cli, ["doctor", "-c", str(path)])
        text = " ".join((doctor.stdout + doctor.stderr).split())
        assert doctor.exit_code == 0, text
        assert text.count("(found through the principal) takes a write") == len(owners)
        undone = reset(config, secrets, first.run_id)
        assert undone.ok and undone.deleted["VEVENT"] == copies["created"]
        assert all(not v for v in held().values())


def test_a_login_named_in_the_config_but_missing_from_env_is_one_clear_line(make_config):
    from click.testing import CliRunner

    from demo_gen.cli import cli

    path = make_config(
        calendar={"enabled": True, "url": "http://127.0.0.1:9", "logins": {ANN: "ANN"}},
    )
    result = CliRunner().invoke(cli, ["run", "-c", str(path)])
    assert result.exit_code == 3, result.output  # a configuration error (DESIGN.md)
    assert "demo.yaml:" in result.stderr
    assert "CALDAV_USERNAME_ANN and CALDAV_PASSWORD_ANN are not set" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def _refusals(calendars: CalDavCalendars, login: tuple[str, str]) -> list[int]:
    """The 401s one login's client meets from now on (a response hook on its session)."""
    seen: list[int] = []
    client = calendars._client_for(login)  # noqa: SLF001  (the client a person's copies use)
    client.session.hooks["response"].append(
        lambda r, *args, **kwargs: seen.append(r.status_code) if r.status_code == 401 else None
    )
    return seen


@pytest.mark.parametrize("auth", ["auto", "basic"])
def test_only_the_first_login_meets_a_401_and_basic_meets_none(radicale, auth: str) -> None:
    """Each 401 is a round trip (and a second's wait on a default Radicale): with `auto` the
    first login learns the scheme and every later one sends it up front; with `basic` none
    waits for a 401. (Before, every person's login met one.)"""
    for user in (ANN, BOB):
        _as(radicale, user, f"pw-{user[:3]}").make_calendar(user)
    logins = {ANN: (ANN, "pw-ann"), BOB: (BOB, "pw-bob")}
    settings = CalDavSettings(url=radicale.base, locate="principal", logins=logins, auth=auth)
    with CalDavCalendars(settings) as calendars:
        first, second = _refusals(calendars, logins[ANN]), _refusals(calendars, logins[BOB])
        calendars.calendar_url(ANN)
        calendars.calendar_url(BOB)
    assert second == []
    assert len(first) == (1 if auth == "auto" else 0)
