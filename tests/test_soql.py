"""The SOQL engine: tokenizer, parser, WHERE semantics, output shape and errors."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from demo_gen.local_org import ids
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.soql.engine import QueryOutput, SoqlError, execute, parse, run
from demo_gen.local_org.soql.parse import STRING, date_range, tokenize

TODAY = date(2024, 5, 15)  # a Wednesday; its week runs Sunday 12 to Saturday 18 May
VERSION = "59.0"


def _id(prefix: str, n: int) -> str:
    return ids.make_id(prefix, n)


U1 = _id("005", 1)
A1, A2, A3 = _id("001", 1), _id("001", 2), _id("001", 3)
C1, C2, C3, C4 = (_id("003", n) for n in range(1, 5))
L1 = _id("00Q", 1)
O1, O2, O3 = (_id("006", n) for n in range(1, 4))
R1, R2, R3 = (_id("00K", n) for n in range(1, 4))
E1, E2, E3 = (_id("00U", n) for n in range(1, 4))
T1 = _id("00T", 1)


def _dt(text: str) -> datetime:
    return schema.parse_datetime(text)


def _rec(sobject: str, record_id: str, deleted: bool = False, **values: Any) -> dict[str, Any]:
    obj = schema.sobject(sobject)
    assert obj is not None
    record: dict[str, Any] = {f.name: None for f in obj.fields}
    record.update(Id=record_id, IsDeleted=deleted, **values)
    return record


RECORDS = [
    _rec("User", U1, Name="Sales User", Username="u@x.example", TimeZoneSidKey="Europe/Paris"),
    _rec("Account", A1, Name="Acme", Industry="Tech", OwnerId=U1, NumberOfEmployees=50),
    _rec("Account", A2, Name="Globex", OwnerId=U1, NumberOfEmployees=10),
    _rec("Account", A3, deleted=True, Name="Gone"),
    _rec(
        "Contact",
        C1,
        AccountId=A1,
        FirstName="Grace",
        LastName="Hopper",
        Name="Grace Hopper",
        Email="grace@acme.example",
        Title="CTO",
    ),
    _rec(
        "Contact",
        C2,
        AccountId=A2,
        FirstName="Bob",
        LastName="O'Brien",
        Name="Bob O'Brien",
        Email="bob@globex.example",
    ),
    _rec("Contact", C3, LastName="100%_real", Name="100%_real"),
    _rec("Contact", C4, deleted=True, AccountId=A1, LastName="Deleted", Name="Deleted"),
    _rec("Lead", L1, LastName="Lead", Name="Lee Lead", Company="Initech"),
    _rec(
        "Opportunity",
        O1,
        AccountId=A1,
        Name="Acme deal",
        StageName="Prospecting",
        CloseDate=date(2024, 5, 15),
        Amount=100.0,
        IsClosed=False,
        CreatedDate=_dt("2024-05-14T23:30:00Z"),
    ),
    _rec(
        "Opportunity",
        O2,
        AccountId=A2,
        Name="Globex deal",
        StageName="Closed Won",
        CloseDate=date(2024, 4, 30),
        Amount=None,
        IsClosed=True,
        CreatedDate=_dt("2024-05-15T00:00:00Z"),
    ),
    _rec(
        "Opportunity",
        O3,
        AccountId=A3,
        Name="orphan",
        StageName="Closed Lost",
        CloseDate=date(2024, 6, 1),
        Amount=5.5,
        IsClosed=True,
        CreatedDate=_dt("2024-05-16T00:00:00Z"),
    ),
    _rec("OpportunityContactRole", R1, OpportunityId=O1, ContactId=C1, Role="Decision Maker"),
    _rec("OpportunityContactRole", R2, OpportunityId=O1, ContactId=C2, Role="Evaluator"),
    _rec("OpportunityContactRole", R3, OpportunityId=O2, ContactId=C1, Role="Champion"),
    _rec(
        "Event",
        E1,
        WhoId=C1,
        WhatId=O1,
        Subject="Kickoff",
        StartDateTime=_dt("2024-05-15T10:00:00Z"),
    ),
    _rec(
        "Event", E2, WhoId=L1, WhatId=A1, Subject="Intro", StartDateTime=_dt("2024-05-16T09:00:00Z")
    ),
    _rec("Event", E3, Subject="Solo", StartDateTime=_dt("2024-05-14T23:59:59Z")),
    _rec("Task", T1, WhoId=C1, WhatId=O1, Subject="Call", ActivityDate=date(2024, 5, 10)),
]


class Source:
    """An in-memory RecordSource."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.by_object: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.by_id: dict[str, dict[str, Any]] = {}
        for record in records:
            obj = schema.sobject_of_id(record["Id"])
            assert obj is not None
            self.by_object[obj.name].append(record)
            self.by_id[record["Id"]] = record

    def rows(self, sobject: str, include_deleted: bool):
        return [r for r in self.by_object[sobject] if include_deleted or not r["IsDeleted"]]

    def get(self, record_id: str):
        return self.by_id.get(record_id)


SOURCE = Source(RECORDS)


def q(text: str, *, deleted: bool = False, today: date = TODAY) -> QueryOutput:
    return run(text, SOURCE, version=VERSION, today=today, include_deleted=deleted)


def ids_of(text: str, **kw: Any) -> list[str]:
    return [r["Id"] for r in q(text, **kw).records]


def error(text: str) -> SoqlError:
    with pytest.raises(SoqlError) as info:
        q(text)
    return info.value


# --- tokenizer -------------------------------------------------------------------------------


def test_tokenizer_decodes_escapes_in_strings():
    (token, _eof) = tokenize(r"'it\'s \"q\" \\ \n\r\t\b\f \% \_'")
    assert token.kind == STRING
    assert token.value == 'it\'s "q" \\ \n\r\t\b\f % _'


def test_tokenizer_keeps_escaped_wildcards_literal_in_like_patterns():
    (token, _eof) = tokenize(r"'100\%\_%_'")
    assert token.pattern == r"100%_.*."


def test_tokenizer_reads_dates_datetimes_numbers_and_operators():
    kinds = [
        (t.kind, t.text)
        for t in tokenize("a>=2024-01-01 b<>2024-01-01T10:00:00.000+0000 c!=-1.5 d<=3,(x.y:z)")
    ]
    assert ("date", "2024-01-01") in kinds
    assert ("datetime", "2024-01-01T10:00:00.000+0000") in kinds
    assert ("number", "-1.5") in kinds
    assert [k for k in kinds if k[0] == "op"] == [
        ("op", ">="),
        ("op", "<>"),
        ("op", "!="),
        ("op", "<="),
    ]


@pytest.mark.parametrize("text", ["'unterminated", r"'bad \q escape'", "SELECT Id FROM Account #"])
def test_tokenizer_errors_are_malformed(text):
    with pytest.raises(SoqlError) as info:
        tokenize(text)
    assert info.value.error_code == "MALFORMED_QUERY"


def _quote(value: str) -> str:
    """simple-salesforce's format_soql quoting."""
    table = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    table |= {"\b": "\\b", "\f": "\\f"}
    return "'" + "".join(table.get(c, c) for c in value) + "'"


@given(st.text())
def test_any_quoted_string_round_trips_through_the_tokenizer(value):
    tokens = tokenize(_quote(value))
    assert len(tokens) == 2
    assert tokens[0].value == value


@given(st.text(min_size=1).filter(lambda s: "\x00" not in s))
def test_like_with_the_escaped_value_matches_it(value):
    escaped = _quote(value)[1:-1].replace("%", "\\%").replace("_", "\\_")
    source = Source([_rec("Account", A1, Name=value)])
    out = run(
        f"SELECT Id FROM Account WHERE Name LIKE '{escaped}'",
        source,
        version=VERSION,
        today=TODAY,
    )
    assert out.total_size == 1


# --- output shape ----------------------------------------------------------------------------


def test_rows_have_attributes_then_fields_in_select_order_with_canonical_names():
    out = q("select name, ID from ACCOUNT where id = '" + A1 + "'")
    assert out == QueryOutput(
        1,
        [
            {
                "attributes": {
                    "type": "Account",
                    "url": f"/services/data/v59.0/sobjects/Account/{A1}",
                },
                "Name": "Acme",
                "Id": A1,
            }
        ],
    )


def test_attributes_url_uses_the_id_even_when_not_selected_and_values_are_wire_shaped():
    (row,) = q(
        f"SELECT CloseDate, Amount, IsClosed, CreatedDate FROM Opportunity WHERE Id='{O1}'"
    ).records
    assert row["attributes"]["url"].endswith(O1)
    assert row["CloseDate"] == "2024-05-15"
    assert row["Amount"] == 100.0
    assert row["IsClosed"] is False
    assert row["CreatedDate"] == "2024-05-14T23:30:00.000+0000"


def test_parent_paths_nest_and_merge_and_a_missing_parent_is_null():
    rows = q("SELECT Account.Name, Id, Account.Industry, Account.Owner.Name FROM Contact").records
    first = rows[0]
    assert list(first) == ["attributes", "Account", "Id"]
    assert first["Account"] == {
        "attributes": {"type": "Account", "url": f"/services/data/v59.0/sobjects/Account/{A1}"},
        "Name": "Acme",
        "Industry": "Tech",
        "Owner": {
            "attributes": {"type": "User", "url": f"/services/data/v59.0/sobjects/User/{U1}"},
            "Name": "Sales User",
        },
    }
    assert [r["Account"] for r in rows[2:]] == [None]


def test_a_deleted_parent_is_null_unless_query_all():
    assert (
        q(f"SELECT Account.Name FROM Opportunity WHERE Id = '{O3}'").records[0]["Account"] is None
    )
    row = q(f"SELECT Account.Name FROM Opportunity WHERE Id = '{O3}'", deleted=True).records[0]
    assert row["Account"]["Name"] == "Gone"


def test_polymorphic_parent_has_type_name_and_a_concrete_url():
    rows = q("SELECT Who.Name, What.Name FROM Event ORDER BY StartDateTime").records
    solo, kickoff, intro = rows
    assert solo["Who"] is None
    assert kickoff["Who"] == {
        "attributes": {"type": "Name", "url": f"/services/data/v59.0/sobjects/Contact/{C1}"},
        "Name": "Grace Hopper",
    }
    assert intro["Who"]["attributes"]["url"].endswith(f"/Lead/{L1}")
    assert intro["What"]["attributes"] == {
        "type": "Name",
        "url": f"/services/data/v59.0/sobjects/Account/{A1}",
    }


def test_five_levels_of_parents_are_allowed_and_six_are_not():
    q("SELECT Account.Owner.CreatedBy.CreatedBy.CreatedBy.Name FROM Opportunity")
    assert (
        error(
            "SELECT Account.Owner.CreatedBy.CreatedBy.CreatedBy.CreatedBy.Name FROM Opportunity"
        ).error_code
        == "MALFORMED_QUERY"
    )


def test_alias_prefix_is_accepted():
    out = q("SELECT o.Name, o.Account.Name FROM Opportunity o WHERE o.Amount > 50")
    assert out.records[0]["Name"] == "Acme deal"
    assert out.records[0]["Account"]["Name"] == "Acme"


def test_child_subquery_is_filtered_ordered_limited_and_null_when_empty():
    text = (
        "SELECT Name, (SELECT ContactId, Role, Contact.Email FROM OpportunityContactRoles "
        "WHERE Role != 'Champion' ORDER BY Role DESC LIMIT 1) FROM Opportunity ORDER BY Name"
    )
    acme, globex, orphan = q(text, deleted=True).records
    assert acme["OpportunityContactRoles"] == {
        "totalSize": 1,
        "done": True,
        "records": [
            {
                "attributes": {
                    "type": "OpportunityContactRole",
                    "url": f"/services/data/v59.0/sobjects/OpportunityContactRole/{R2}",
                },
                "ContactId": C2,
                "Role": "Evaluator",
                "Contact": {
                    "attributes": {
                        "type": "Contact",
                        "url": f"/services/data/v59.0/sobjects/Contact/{C2}",
                    },
                    "Email": "bob@globex.example",
                },
            }
        ],
    }
    assert globex["OpportunityContactRoles"] is None
    assert orphan["OpportunityContactRoles"] is None


def test_child_subquery_hides_deleted_children():
    out = q(f"SELECT (SELECT Id FROM Contacts) FROM Account WHERE Id = '{A1}'")
    assert [r["Id"] for r in out.records[0]["Contacts"]["records"]] == [C1]
    out = q(f"SELECT (SELECT Id FROM Contacts) FROM Account WHERE Id = '{A1}'", deleted=True)
    assert [r["Id"] for r in out.records[0]["Contacts"]["records"]] == [C1, C4]


def test_polymorphic_child_relationship_groups_by_the_lookup():
    out = q(
        "SELECT Id, (SELECT Subject FROM Events), (SELECT Id FROM Tasks) FROM Opportunity "
        f"WHERE Id = '{O1}'"
    )
    row = out.records[0]
    assert [e["Subject"] for e in row["Events"]["records"]] == ["Kickoff"]
    assert row["Tasks"]["totalSize"] == 1


def test_count_returns_total_size_and_no_records():
    assert q("SELECT COUNT() FROM Contact") == QueryOutput(3, [])
    assert q("SELECT count() FROM Contact", deleted=True) == QueryOutput(4, [])
    assert q("SELECT COUNT() FROM Contact WHERE AccountId != null LIMIT 1") == QueryOutput(1, [])


def test_aggregates_with_group_by():
    out = q(
        "SELECT StageName, COUNT(Id), SUM(Amount) total FROM Opportunity "
        "GROUP BY StageName ORDER BY StageName"
    )
    assert out.records == [
        {
            "attributes": {"type": "AggregateResult"},
            "StageName": "Closed Lost",
            "expr0": 1,
            "total": 5.5,
        },
        {
            "attributes": {"type": "AggregateResult"},
            "StageName": "Closed Won",
            "expr0": 1,
            "total": None,
        },
        {
            "attributes": {"type": "AggregateResult"},
            "StageName": "Prospecting",
            "expr0": 1,
            "total": 100.0,
        },
    ]
    out = q("SELECT COUNT(Id), MAX(CloseDate), MIN(Name) FROM Opportunity")
    assert out.records == [
        {
            "attributes": {"type": "AggregateResult"},
            "expr0": 3,
            "expr1": "2024-06-01",
            "expr2": "Acme deal",
        }
    ]


def test_aggregate_requires_grouped_fields():
    assert error("SELECT Name, COUNT(Id) FROM Opportunity").message == (
        "Field must be grouped or aggregated: Name"
    )


def test_for_view_and_for_update_are_ignored():
    assert q("SELECT Id FROM Account FOR VIEW").total_size == 2
    assert q("SELECT Id FROM Account LIMIT 1 FOR UPDATE").total_size == 1


# --- WHERE -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Amount = 100", [O1]),
        ("Amount != 100", [O2, O3]),
        ("Amount <> 100", [O2, O3]),
        ("Amount < 100", [O3]),
        ("Amount <= 100", [O1, O3]),
        ("Amount > 5.5", [O1]),
        ("Amount >= 5.5", [O1, O3]),
        ("Amount = null", [O2]),
        ("Amount != null", [O1, O3]),
        ("Name = 'ACME DEAL'", [O1]),
        ("Name != 'acme deal'", [O2, O3]),
        ("Name < 'B'", [O1]),
        ("Name > 'g'", [O2, O3]),
        ("Name IN ('acme deal', 'ORPHAN')", [O1, O3]),
        ("Name NOT IN ('acme deal')", [O2, O3]),
        ("Name LIKE 'acme%'", [O1]),
        ("Name LIKE '%DEAL'", [O1, O2]),
        ("Name LIKE 'orph_n'", [O3]),
        ("Name LIKE 'orph'", []),
        ("NOT Name LIKE '%deal'", [O3]),
        ("IsClosed = true", [O2, O3]),
        ("IsClosed = FALSE", [O1]),
        ("IsClosed != true", [O1]),
        ("StageName IN ('Prospecting', 'Closed Won') AND Amount = null", [O2]),
        ("Amount = 100 OR Amount = 5.5 AND Name = 'nope'", [O1]),
        ("(Amount = 100 OR Amount = 5.5) AND Name = 'orphan'", [O3]),
        ("NOT Amount = 100 AND NOT Amount = null", [O3]),
        ("NOT (Amount = 100 OR Amount = null)", [O3]),
        ("Amount IN (100, 5.5, null)", [O1, O2, O3]),
        ("Account.Name = 'acme'", [O1]),
        ("Account.Name = null", [O3]),
        ("AccountId = ''", []),
        ("AccountId != ''", [O1, O2, O3]),
        (f"AccountId = '{A1[:15]}'", [O1]),
        (f"AccountId IN ('{A1[:15]}', '{A2}')", [O1, O2]),
        ("CloseDate = 2024-05-15", [O1]),
        ("CloseDate < 2024-05-15", [O2]),
        ("CreatedDate >= 2024-05-15T00:00:00Z", [O2, O3]),
        ("CreatedDate > 2024-05-15T00:00:00+00:00", [O3]),
        ("CreatedDate = 2024-05-15T02:00:00.000+0200", [O2]),
        ("CreatedDate < 2024-05-14T23:30:00.001Z", [O1]),
    ],
)
def test_where_operators(where, expected):
    assert ids_of(f"SELECT Id FROM Opportunity WHERE {where}") == expected


def test_a_null_field_is_not_equal_to_any_value():
    # A2 has no Industry: SOQL's != and NOT IN are true for it (not SQL's three-valued logic)
    assert ids_of("SELECT Id FROM Account WHERE Industry != 'Tech'") == [A2]
    assert ids_of("SELECT Id FROM Account WHERE Industry NOT IN ('Tech')") == [A2]
    assert ids_of("SELECT Id FROM Account WHERE Industry NOT IN ('Tech', null)") == []
    assert ids_of("SELECT Id FROM Account WHERE NOT Industry = 'Tech'") == [A2]
    assert ids_of("SELECT Id FROM Opportunity WHERE Amount != null") == [O1, O3]


def test_a_null_field_fails_every_other_comparison():
    for where in ("Industry = 'Tech'", "Industry > 'A'", "Industry LIKE '%'"):
        assert A2 not in ids_of(f"SELECT Id FROM Account WHERE {where}"), where
    assert ids_of("SELECT Id FROM Opportunity WHERE Amount < 1000") == [O1, O3]


def test_not_in_a_semi_join_keeps_rows_whose_lookup_is_null():
    inner = "SELECT Id FROM Account WHERE Name = 'Acme'"
    soql = f"SELECT Id FROM Contact WHERE AccountId NOT IN ({inner})"
    assert ids_of(soql) == [C2, C3]


def test_like_escapes_match_literal_wildcards():
    assert ids_of(r"SELECT Id FROM Contact WHERE LastName LIKE '100\%\_real'") == [C3]
    assert ids_of(r"SELECT Id FROM Contact WHERE LastName LIKE '%\%%'") == [C3]
    assert ids_of(r"SELECT Id FROM Contact WHERE LastName LIKE 'O\'B%'") == [C2]


def test_includes_and_excludes():
    source = Source(
        [_rec("Account", A1, Description="a;b;c"), _rec("Account", A2, Description="b")]
    )

    def run_ids(where):
        out = run(f"SELECT Id FROM Account WHERE {where}", source, version=VERSION, today=TODAY)
        return [r["Id"] for r in out.records]

    assert run_ids("Description INCLUDES ('a;c')") == [A1]
    assert run_ids("Description INCLUDES ('x', 'B')") == [A1, A2]
    assert run_ids("Description EXCLUDES ('a')") == [A2]


def test_keywords_objects_and_fields_are_case_insensitive():
    assert ids_of("sElEcT iD fRoM oPpOrTuNiTy wHeRe aMoUnT = 100 oRdEr bY nAmE lImIt 5") == [O1]


def test_semi_join_and_anti_join():
    assert ids_of("SELECT Id FROM Contact WHERE Id IN (SELECT WhoId FROM Task)") == [C1]
    assert ids_of(
        "SELECT Id FROM Contact WHERE Id IN (SELECT ContactId FROM OpportunityContactRole "
        "WHERE Role = 'evaluator')"
    ) == [C2]
    assert ids_of(
        "SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Opportunity "
        "WHERE IsClosed = true)"
    ) == [A1]
    assert ids_of("SELECT Id FROM Contact WHERE Id IN (SELECT WhoId FROM Event)") == [C1]


def test_semi_join_must_select_one_id_field():
    err = error("SELECT Id FROM Contact WHERE Id IN (SELECT Subject FROM Task)")
    assert err.error_code == "MALFORMED_QUERY"
    err = error("SELECT Id FROM Contact WHERE Id IN (SELECT WhoId, WhatId FROM Task)")
    assert err.error_code == "MALFORMED_QUERY"
    err = error("SELECT Id FROM Contact WHERE LastName IN (SELECT WhoId FROM Task)")
    assert err.error_code == "MALFORMED_QUERY"


# --- date literals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "first", "last"),
    [
        ("TODAY", date(2024, 5, 15), date(2024, 5, 15)),
        ("YESTERDAY", date(2024, 5, 14), date(2024, 5, 14)),
        ("TOMORROW", date(2024, 5, 16), date(2024, 5, 16)),
        ("THIS_WEEK", date(2024, 5, 12), date(2024, 5, 18)),
        ("LAST_WEEK", date(2024, 5, 5), date(2024, 5, 11)),
        ("NEXT_WEEK", date(2024, 5, 19), date(2024, 5, 25)),
        ("THIS_MONTH", date(2024, 5, 1), date(2024, 5, 31)),
        ("LAST_MONTH", date(2024, 4, 1), date(2024, 4, 30)),
        ("NEXT_MONTH", date(2024, 6, 1), date(2024, 6, 30)),
        ("LAST_90_DAYS", date(2024, 2, 15), date(2024, 5, 15)),
        ("NEXT_90_DAYS", date(2024, 5, 16), date(2024, 8, 13)),
        ("THIS_QUARTER", date(2024, 4, 1), date(2024, 6, 30)),
        ("LAST_QUARTER", date(2024, 1, 1), date(2024, 3, 31)),
        ("NEXT_QUARTER", date(2024, 7, 1), date(2024, 9, 30)),
        ("THIS_YEAR", date(2024, 1, 1), date(2024, 12, 31)),
        ("LAST_YEAR", date(2023, 1, 1), date(2023, 12, 31)),
        ("NEXT_YEAR", date(2025, 1, 1), date(2025, 12, 31)),
        ("LAST_N_DAYS:1", date(2024, 5, 14), date(2024, 5, 15)),
        ("NEXT_N_DAYS:2", date(2024, 5, 16), date(2024, 5, 17)),
        ("N_DAYS_AGO:3", date(2024, 5, 12), date(2024, 5, 12)),
        ("LAST_N_WEEKS:2", date(2024, 4, 28), date(2024, 5, 11)),
        ("NEXT_N_WEEKS:1", date(2024, 5, 19), date(2024, 5, 25)),
        ("LAST_N_MONTHS:2", date(2024, 3, 1), date(2024, 4, 30)),
        ("NEXT_N_MONTHS:8", date(2024, 6, 1), date(2025, 1, 31)),
    ],
)
def test_date_literal_ranges(literal, first, last):
    name, _, n = literal.partition(":")
    assert date_range(name, int(n) if n else None, TODAY) == (first, last)


def test_week_starts_on_sunday_even_on_a_sunday():
    assert date_range("THIS_WEEK", None, date(2024, 5, 12)) == (
        date(2024, 5, 12),
        date(2024, 5, 18),
    )


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CloseDate = TODAY", [O1]),
        ("CloseDate = LAST_N_DAYS:0", [O1]),
        ("CloseDate = LAST_N_DAYS:15", [O1, O2]),
        ("CloseDate = NEXT_N_DAYS:30", [O3]),
        ("CloseDate > TODAY", [O3]),
        ("CloseDate < TODAY", [O2]),
        ("CloseDate >= THIS_MONTH", [O1, O3]),
        ("CloseDate <= THIS_MONTH", [O1, O2]),
        ("CloseDate != THIS_MONTH", [O2, O3]),
        ("CloseDate IN (LAST_MONTH, NEXT_MONTH)", [O2, O3]),
        ("CreatedDate = TODAY", [O2]),
        ("CreatedDate = YESTERDAY", [O1]),
        ("CreatedDate <= TODAY", [O1, O2]),
        ("CreatedDate > TODAY", [O3]),
        ("CreatedDate = LAST_N_DAYS:1", [O1, O2]),
        ("CreatedDate = NEXT_N_DAYS:1", [O3]),
        ("CreatedDate = N_DAYS_AGO:1", [O1]),
        ("CreatedDate = THIS_WEEK AND CloseDate = THIS_QUARTER", [O1, O2, O3]),
    ],
)
def test_date_literals_against_date_and_datetime_fields(where, expected):
    assert ids_of(f"SELECT Id FROM Opportunity WHERE {where}", deleted=True) == expected


def test_datetime_range_is_half_open_in_utc():
    assert ids_of("SELECT Id FROM Event WHERE StartDateTime = YESTERDAY") == [E3]
    assert ids_of("SELECT Id FROM Event WHERE StartDateTime = TOMORROW") == [E2]


# --- ORDER BY, LIMIT, OFFSET -----------------------------------------------------------------


def test_order_by_nulls_first_by_default_and_nulls_last_on_request():
    assert ids_of("SELECT Id FROM Opportunity ORDER BY Amount", deleted=True) == [O2, O3, O1]
    assert ids_of("SELECT Id FROM Opportunity ORDER BY Amount DESC", deleted=True) == [O2, O1, O3]
    assert ids_of("SELECT Id FROM Opportunity ORDER BY Amount ASC NULLS LAST", deleted=True) == [
        O3,
        O1,
        O2,
    ]
    assert ids_of("SELECT Id FROM Opportunity ORDER BY Amount DESC NULLS LAST", deleted=True) == [
        O1,
        O3,
        O2,
    ]


def test_order_by_multiple_keys_strings_case_insensitive_and_parent_paths():
    source = Source(
        [
            _rec("Contact", C1, LastName="b", FirstName="x", AccountId=A2),
            _rec("Contact", C2, LastName="A", FirstName="y", AccountId=A1),
            _rec("Contact", C3, LastName="B", FirstName="a"),
            _rec("Account", A1, Name="zeta"),
            _rec("Account", A2, Name="Alpha"),
        ]
    )

    def order(clause):
        out = run(f"SELECT Id FROM Contact ORDER BY {clause}", source, version="1", today=TODAY)
        return [r["Id"] for r in out.records]

    assert order("LastName, FirstName") == [C2, C3, C1]
    assert order("LastName DESC, FirstName DESC") == [C1, C3, C2]
    assert order("Account.Name") == [C3, C1, C2]


def test_without_order_by_the_source_order_is_kept():
    assert ids_of("SELECT Id FROM Contact") == [C1, C2, C3]


def test_limit_and_offset():
    assert ids_of("SELECT Id FROM Contact LIMIT 2") == [C1, C2]
    assert ids_of("SELECT Id FROM Contact LIMIT 1 OFFSET 1") == [C2]
    assert ids_of("SELECT Id FROM Contact OFFSET 2") == [C3]
    assert q("SELECT Id FROM Contact LIMIT 0").total_size == 0


def test_offset_over_2000_is_out_of_range():
    err = error("SELECT Id FROM Contact OFFSET 2001")
    assert (err.error_code, err.message) == (
        "NUMBER_OUTSIDE_VALID_RANGE",
        "Maximum SOQL offset allowed is 2000",
    )
    assert q("SELECT Id FROM Contact OFFSET 2000").total_size == 0


# --- deleted rows ----------------------------------------------------------------------------


def test_deleted_rows_are_hidden_unless_include_deleted():
    assert C4 not in ids_of("SELECT Id FROM Contact")
    assert C4 in ids_of("SELECT Id FROM Contact", deleted=True)
    assert ids_of("SELECT Id FROM Contact WHERE IsDeleted = true") == []
    assert ids_of("SELECT Id FROM Contact WHERE IsDeleted = true", deleted=True) == [C4]


def test_deleted_rows_are_hidden_in_semi_joins():
    assert ids_of("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity)") == [
        A1,
        A2,
    ]


def test_execute_takes_a_parsed_query():
    query = parse("SELECT Id FROM Lead")
    out = execute(query, SOURCE, version=VERSION, today=TODAY)
    assert out.records[0]["Id"] == L1


# --- errors ----------------------------------------------------------------------------------


def test_unexpected_token_is_malformed():
    err = error("SELECT Id FORM Account")
    assert (err.error_code, err.message) == ("MALFORMED_QUERY", "unexpected token: 'FORM'")


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("SELECT Id FROM Account WHERE", "<EOF>"),
        ("SELECT FROM Account", "Account"),
        ("SELECT Id FROM Account WHERE Name = 'a' AND", "<EOF>"),
        ("SELECT Id FROM Account WHERE Name == 'a'", "="),
        ("SELECT Id FROM Account LIMIT -1", "-1"),
        ("SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS", "LAST_N_DAYS"),
        ("SELECT Id FROM Account WHERE Name = Acme", "Acme"),
        ("SELECT Id FROM Account ORDER BY Name SIDEWAYS", "SIDEWAYS"),
    ],
)
def test_malformed_queries_name_the_token(text, token):
    err = error(text)
    assert (err.error_code, err.message) == ("MALFORMED_QUERY", f"unexpected token: '{token}'")


def test_unknown_object_is_invalid_type_with_caret():
    err = error("SELECT Id FROM Acount")
    assert err.error_code == "INVALID_TYPE"
    assert err.message.startswith(
        "\nSELECT Id FROM Acount\n               ^\nERROR at Row:1:Column:16\n"
        "sObject type 'Acount' is not supported. If you are attempting to use a custom object, "
        "be sure to append the '__c' after the entity name."
    )


def test_unknown_field_is_invalid_field_with_caret():
    err = error("SELECT Idd FROM Account")
    assert err.error_code == "INVALID_FIELD"
    assert err.message == (
        "\nSELECT Idd FROM Account\n       ^\nERROR at Row:1:Column:8\n"
        "No such column 'Idd' on entity 'Account'. If you are attempting to use a custom field, "
        "be sure to append the '__c' after the custom field name. Please reference your WSDL "
        "or the describe call for the appropriate names."
    )


def test_unknown_field_on_parent_and_unknown_relationship():
    assert (
        "No such column 'Nme' on entity 'Account'"
        in error("SELECT Account.Nme FROM Contact").message
    )
    err = error("SELECT Acount.Name FROM Contact")
    assert err.error_code == "INVALID_FIELD"
    assert "Didn't understand relationship 'Acount' in field path" in err.message
    assert error("SELECT Id FROM Contact WHERE Foo = 1").error_code == "INVALID_FIELD"
    assert error("SELECT Id FROM Contact ORDER BY Foo").error_code == "INVALID_FIELD"


def test_unknown_child_relationship_is_invalid_type():
    err = error("SELECT Id, (SELECT Id FROM Foo) FROM Account")
    assert err.error_code == "INVALID_TYPE"
    assert "Didn't understand relationship 'Foo' in FROM part of query call." in err.message


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (
            "IsClosed = 'true'",
            "value of filter criterion for field 'IsClosed' must be of type boolean and should "
            "not be enclosed in quotes",
        ),
        (
            "Amount = '5'",
            "value of filter criterion for field 'Amount' must be of type double and should not "
            "be enclosed in quotes",
        ),
        (
            "Name = 5",
            "value of filter criterion for field 'Name' must be of type string and should be "
            "enclosed in quotes",
        ),
        (
            "CloseDate = '2024-01-01'",
            "value of filter criterion for field 'CloseDate' must be of type date and should not "
            "be enclosed in quotes",
        ),
        (
            "CreatedDate = 2024-01-01",
            "value of filter criterion for field 'CreatedDate' must be of type dateTime and "
            "should not be enclosed in quotes",
        ),
        ("AccountId = 'nope'", "invalid ID field: nope"),
        ("IsClosed > true", "invalid operator on boolean field 'IsClosed': >"),
        ("Amount LIKE '5%'", "invalid operator on field 'Amount': LIKE works only on strings"),
        ("Name = TODAY", "date literal TODAY cannot be compared with field 'Name'"),
    ],
)
def test_type_errors_are_malformed(where, message):
    err = error(f"SELECT Id FROM Opportunity WHERE {where}")
    assert (err.error_code, err.message) == ("MALFORMED_QUERY", message)


def test_other_malformed_queries():
    assert error("SELECT COUNT(), Id FROM Account").error_code == "MALFORMED_QUERY"
    assert error("SELECT Name, Name FROM Account").message == "duplicate field selected: Name"
    assert error("SELECT Id FROM Account GROUP BY Name HAVING COUNT(Id) > 1").error_code == (
        "MALFORMED_QUERY"
    )
    assert error("SELECT Id FROM Account WHERE CreatedDate = 2024-02-30").error_code == (
        "MALFORMED_QUERY"
    )


def test_soql_error_carries_code_and_message():
    err = SoqlError("MALFORMED_QUERY", "boom")
    assert (err.error_code, err.message, str(err)) == (
        "MALFORMED_QUERY",
        "boom",
        "MALFORMED_QUERY: boom",
    )


def test_datetime_literal_with_utc_timezone():
    assert ids_of(
        "SELECT Id FROM Event WHERE StartDateTime > 2024-05-15T09:00:00Z "
        "AND StartDateTime < 2024-05-16T09:00:00Z"
    ) == [E1]
    assert (
        q("SELECT Id FROM Event WHERE StartDateTime = 2024-05-15T10:00:00Z").records[0]["Id"] == E1
    )
    assert datetime(2024, 5, 15, 10, tzinfo=UTC) == SOURCE.get(E1)["StartDateTime"]


def test_the_selection_query_demo_gen_sends():
    fields = (
        "Id, Name, StageName, Type, Amount, Probability, CloseDate, CreatedDate, IsClosed, IsWon, "
        "AccountId, Account.Name, Account.Industry, Account.BillingCountry, Account.BillingState, "
        "Account.Website, Account.NumberOfEmployees, "
        "OwnerId, Owner.Name, Owner.Email, Owner.Title, Owner.TimeZoneSidKey, "
        "(SELECT ContactId, Role, IsPrimary FROM OpportunityContactRoles)"
    )
    text = (
        f"SELECT {fields} FROM Opportunity WHERE StageName IN ('Prospecting', 'Closed Won') "
        "AND Omitted_from_Demo__c = false AND CloseDate >= 2024-01-01 AND CloseDate <= 2024-12-31 "
        "ORDER BY CloseDate ASC, Id ASC LIMIT 200"
    )
    globex, acme = q(text).records
    assert list(acme)[:3] == ["attributes", "Id", "Name"]
    assert acme["Account"]["NumberOfEmployees"] == 50
    assert acme["Owner"] is None
    assert [r["Role"] for r in acme["OpportunityContactRoles"]["records"]] == [
        "Decision Maker",
        "Evaluator",
    ]
    assert acme["OpportunityContactRoles"]["records"][0]["IsPrimary"] is False
    assert globex["Id"] == O2


def test_organization_rows_without_is_deleted_are_visible():
    source = Source([{"Id": _id("00D", 1), "Name": "Org", "IsSandbox": True}])
    out = run(
        "SELECT IsSandbox FROM Organization LIMIT 1",
        source,
        version=VERSION,
        today=TODAY,
        include_deleted=True,
    )
    assert out.records[0]["IsSandbox"] is True


def test_caret_points_at_the_row_and_column_of_a_multi_line_query():
    err = error("SELECT Id\n  FROM Contact\n WHERE Bogus = 'x'")
    assert err.message.startswith("\n WHERE Bogus = 'x'\n       ^\nERROR at Row:3:Column:8\n")


def test_unknown_field_on_a_polymorphic_parent_names_the_name_entity():
    assert "No such column 'Nope' on entity 'Name'" in error("SELECT Who.Nope FROM Task").message


def test_what_type_and_who_type_filter_by_the_related_records_object():
    assert ids_of("SELECT Id FROM Event WHERE What.Type = 'Opportunity'") == [E1]
    assert ids_of("SELECT Id FROM Event WHERE What.Type IN ('Account')") == [E2]
    assert ids_of("SELECT Id FROM Event WHERE what.type != 'Account'") == [E1, E3]  # E3: no What
    assert ids_of("SELECT Id FROM Event WHERE What.Type = null") == [E3]
    assert ids_of("SELECT Id FROM Event WHERE Who.Type = 'Lead'") == [E2]
    assert ids_of("SELECT Id FROM Event WHERE Who.Type = 'Contact' AND What.Type = 'Account'") == []


def test_what_type_is_selected_under_the_polymorphic_name():
    out = q("SELECT Id, What.Type, What.Name FROM Event WHERE Id = '" + E2 + "'")
    what = out.records[0]["What"]
    assert what["attributes"]["type"] == "Name"
    assert what["Type"] == "Account" and what["Name"] == "Acme"


def test_type_through_a_lookup_that_is_not_polymorphic_is_the_targets_field():
    with pytest.raises(SoqlError, match="No such column 'Type' on entity 'User'"):
        q("SELECT Id FROM Event WHERE Owner.Type = 'User'")
