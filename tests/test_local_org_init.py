"""`demo-gen org init`: a re-created org has a new identity, the rest stays seeded.

Checked through the unmodified simple-salesforce client over HTTP, as the pipeline sees the org.
"""

from __future__ import annotations

from click.testing import CliRunner
from local_org_fixtures import connect

from demo_gen.cli import cli
from demo_gen.local_org import LocalOrgServer, Store
from demo_gen.local_org.settings import OrgSettings


def _init(db, *extra):
    args = ["org", "init", "--db", str(db), "--opportunities", "6", "--anchor-date", "2026-11-02"]
    result = CliRunner().invoke(cli, [*args, *extra])
    assert result.exit_code == 0, result.stderr
    return result


def _snapshot(db):
    store = Store(db)
    try:
        with LocalOrgServer(store) as server:
            sf = connect(server)
            org_id = sf.query("SELECT Id FROM Organization")["records"][0]["Id"]
            opps = sf.query("SELECT Id, Name, Amount FROM Opportunity ORDER BY Name")["records"]
            events = sf.query("SELECT Id FROM Event")["records"]
            created = sf.Account.create({"Name": "Made by a run"})["id"]
    finally:
        store.close()
    ids = {r["Id"] for r in opps + events} | {created}
    return org_id, [(r["Name"], r["Amount"]) for r in opps], ids


def test_force_gives_a_new_organization_id_and_ids_no_earlier_org_used(tmp_path):
    db = tmp_path / "org.sqlite"
    first = _init(db)
    org1, content1, ids1 = _snapshot(db)
    assert org1 in first.stderr
    _init(db, "--force")
    org2, content2, ids2 = _snapshot(db)
    _init(db, "--force")
    org3, content3, ids3 = _snapshot(db)
    assert len({org1, org2, org3}) == 3
    assert content1 == content2 == content3  # the same seed gives the same fixture
    assert not ids1 & ids2 and not ids2 & ids3 and not ids1 & ids3


def test_a_new_file_gets_a_new_organization_id_too(tmp_path):
    _init(tmp_path / "a.sqlite")
    _init(tmp_path / "b.sqlite")
    assert _snapshot(tmp_path / "a.sqlite")[0] != _snapshot(tmp_path / "b.sqlite")[0]


def test_settings_are_stored_in_the_org(tmp_path):
    db = tmp_path / "org.sqlite"
    result = _init(db, "--no-shared-activities", "--no-set-audit-fields")
    assert "shared activities off, set audit fields off" in result.stderr
    store = Store(db)
    assert OrgSettings.read(store) == OrgSettings(shared_activities=False, set_audit_fields=False)
    store.close()
    _init(db, "--force")  # the defaults: a modern org's settings
    store = Store(db)
    assert OrgSettings.read(store) == OrgSettings(shared_activities=True, set_audit_fields=True)
    store.close()


def test_serve_refuses_a_jwt_cert_that_is_not_one(tmp_path):
    db = tmp_path / "org.sqlite"
    _init(db)
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    result = CliRunner().invoke(cli, ["org", "serve", "--db", str(db), "--jwt-cert", str(bad)])
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "--jwt-cert" in result.stderr and "not a PEM certificate" in result.stderr


def test_shared_activities_gives_the_seeded_events_their_parent_relations(tmp_path):
    db = tmp_path / "org.sqlite"
    _init(db, "--shared-activities")
    store = Store(db)
    try:
        with LocalOrgServer(store) as server:
            sf = connect(server)
            events = sf.query_all("SELECT Id, WhoId, WhatId FROM Event")["records"]
            rows = sf.query_all(
                "SELECT EventId, RelationId, IsParent, IsWhat, IsInvitee FROM EventRelation "
                "WHERE IsParent = true"
            )["records"]
            tasks = sf.query_all("SELECT Id, WhoId, WhatId FROM Task")["records"]
            task_rows = sf.query_all("SELECT TaskId, RelationId FROM TaskRelation")["records"]
    finally:
        store.close()
    parents = {(r["EventId"], r["RelationId"]) for r in rows}
    expected = {(e["Id"], e["WhoId"]) for e in events if e["WhoId"]}
    expected |= {(e["Id"], e["WhatId"]) for e in events if e["WhatId"]}
    assert expected and parents == expected
    assert all(r["IsWhat"] == r["RelationId"].startswith(("001", "006")) for r in rows)
    task_pairs = {(r["TaskId"], r["RelationId"]) for r in task_rows}
    wanted = {(t["Id"], t[f]) for t in tasks for f in ("WhoId", "WhatId") if t[f]}
    assert wanted and task_pairs == wanted


def test_a_20000_opportunity_org_finds_a_name_for_every_rep():
    """At 20,000 opportunities a country's first and last names run out: the draw used to loop
    forever (bench_scale.py never got past `org init`); now such a rep gets a double-barrelled
    surname, and every rep's name is still their own."""
    from datetime import date

    from demo_gen.local_org.fixture.accounts import extra_reps
    from demo_gen.local_org.fixture.common import FixtureSpec

    reps = extra_reps(FixtureSpec(anchor=date(2026, 11, 2), opportunities=20_000))
    assert len(reps) > 1_000
    assert len({(r.first, r.last) for r in reps}) == len(reps)
    assert any("-" in r.last for r in reps)
