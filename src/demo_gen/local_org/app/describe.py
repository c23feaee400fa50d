"""Metadata handlers: global and per-object describe, limits, deleted/updated record feeds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from demo_gen.local_org.app.bulk_query import QUERY_JOBS_USED
from demo_gen.local_org.app.http import (
    ApiRequest,
    ApiResponse,
    Ctx,
    bad_request,
    require_sobject,
)
from demo_gen.local_org.rules import audit as rules_audit
from demo_gen.local_org.schema import core as schema
from demo_gen.local_org.schema.core import Field, SObject
from demo_gen.local_org.settings import OrgSettings

_SYSTEM_DEFAULTED = frozenset(
    {"Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById"}
    | {"SystemModstamp", "OwnerId"}
)
_NUMERIC_DIGITS = {schema.INT: (9, 0), schema.CURRENCY: (18, 2), schema.PERCENT: (3, 0)}


def _urls(ctx: Ctx, obj: SObject) -> dict[str, str]:
    base = ctx.url("sobjects", obj.name)
    return {
        "sobject": base,
        "describe": f"{base}/describe",
        "rowTemplate": f"{base}/{{ID}}",
    }


def summary(ctx: Ctx, obj: SObject) -> dict[str, Any]:
    """The per-object entry of the global describe."""
    readonly = obj.name == "Organization"
    return {
        "name": obj.name,
        "label": obj.label,
        "labelPlural": obj.label_plural or obj.label + "s",
        "keyPrefix": obj.key_prefix,
        "custom": obj.custom,
        "activateable": False,
        "createable": not readonly,
        "updateable": not readonly,
        "deletable": not readonly,
        "undeletable": False,
        "mergeable": False,
        "queryable": True,
        "retrieveable": True,
        "searchable": True,
        "layoutable": True,
        "triggerable": True,
        "replicateable": True,
        "feedEnabled": False,
        "urls": _urls(ctx, obj),
    }


def _picklist(f: Field) -> list[dict[str, Any]]:
    return [
        {"active": True, "defaultValue": v == f.default, "label": v, "validFor": None, "value": v}
        for v in f.picklist
    ]


def describe_field(f: Field, audit: frozenset[str] = frozenset()) -> dict[str, Any]:
    """One entry of `fields` in an object describe; *audit*: audit fields an insert may set."""
    precision, scale = _NUMERIC_DIGITS.get(f.type, (0, 0))
    if f.type == schema.DOUBLE:
        precision, scale = 18, 2
    return {
        "name": f.name,
        "label": f.label or f.name,
        "type": f.type,
        "soapType": schema.SOAP_TYPES.get(f.type, "xsd:string"),
        "length": f.length if f.type in schema.TEXT_TYPES else 0,
        "byteLength": f.length * 3 if f.type in schema.TEXT_TYPES else 0,
        "precision": precision,
        "scale": scale,
        "digits": precision if f.type == schema.INT else 0,
        "nillable": f.nillable,
        "createable": f.createable or f.name in audit,
        "updateable": f.updateable,
        "defaultedOnCreate": f.default is not None or f.name in _SYSTEM_DEFAULTED,
        "defaultValue": f.default if f.type != schema.BOOLEAN else bool(f.default),
        "custom": f.custom,
        "externalId": f.external_id,
        "idLookup": f.name == "Id" or f.external_id,
        "unique": f.unique,
        "caseSensitive": False,
        "calculated": False,
        "filterable": True,
        "sortable": f.type != schema.TEXTAREA,
        "groupable": f.type not in (schema.TEXTAREA, schema.DOUBLE, schema.DATETIME),
        "nameField": f.name == "Name",
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "polymorphicForeignKey": len(f.reference_to) > 1,
        "cascadeDelete": False,
        "picklistValues": _picklist(f),
        "restrictedPicklist": f.restricted,
        "dependentPicklist": False,
        "htmlFormatted": False,
        "autoNumber": False,
        "deprecatedAndHidden": False,
    }


def _child_relationships(obj: SObject) -> list[dict[str, Any]]:
    return [
        {
            "childSObject": c.child,
            "field": c.field,
            "relationshipName": c.name,
            "cascadeDelete": c.cascade_delete,
            "restrictedDelete": False,
            "deprecatedAndHidden": False,
            "junctionIdListNames": [],
            "junctionReferenceTo": [],
        }
        for c in obj.children
    ]


def global_describe(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET sobjects: every object the org holds."""
    objects = [summary(ctx, o) for o in schema.OBJECTS.values()]
    return ApiResponse(body={"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": objects})


def object_metadata(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET sobjects/{Obj}: the summary plus (always empty) recent items."""
    obj = require_sobject(params["sobject"])
    return ApiResponse(body={"objectDescribe": summary(ctx, obj), "recentItems": []})


def describe(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET sobjects/{Obj}/describe: fields, child relationships, urls."""
    obj = require_sobject(params["sobject"])
    body = summary(ctx, obj)
    # with "Set Audit Fields upon Record Creation" the audit fields are createable (rules_audit)
    audit = rules_audit.settable(obj, OrgSettings.read(ctx.store).set_audit_fields)
    body["fields"] = [describe_field(f, audit) for f in obj.fields]
    body["childRelationships"] = _child_relationships(obj)
    body["recordTypeInfos"] = []
    body["urls"] = {
        **_urls(ctx, obj),
        "compactLayouts": f"{ctx.url('sobjects', obj.name)}/describe/compactLayouts",
        "layouts": f"{ctx.url('sobjects', obj.name)}/describe/layouts",
    }
    return ApiResponse(body=body)


def limits(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET limits/: DailyApiRequests agrees with the `Sforce-Limit-Info` header."""
    limit = ctx.org.effective_limit()
    with ctx.org.lock:
        used = ctx.org.api_usage
        query_jobs = ctx.org.counters.get(QUERY_JOBS_USED, 0)
    body: dict[str, Any] = {
        "DailyApiRequests": {"Max": limit, "Remaining": max(0, limit - used)},
        "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
        "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
        "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
        "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
        "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": max(0, 10000 - query_jobs)},
        "DailyStreamingApiEvents": {"Max": 10000, "Remaining": 10000},
        "DataStorageMB": {"Max": 1024, "Remaining": 1024},
        "FileStorageMB": {"Max": 1024, "Remaining": 1024},
        "HourlyTimeBasedWorkflow": {"Max": 50, "Remaining": 50},
        "MassEmail": {"Max": 10, "Remaining": 10},
        "SingleEmail": {"Max": 15, "Remaining": 15},
    }
    return ApiResponse(body=body)


def _window(ctx: Ctx, req: ApiRequest) -> tuple[datetime, datetime]:
    try:
        start = schema.parse_datetime(req.args.get("start", ""))
        end = schema.parse_datetime(req.args.get("end", ""))
    except ValueError as exc:
        raise bad_request("INVALID_REPLICATION_DATE", str(exc)) from None
    if end < start:
        raise bad_request("INVALID_REPLICATION_DATE", "end date must be after start date")
    return start, end


def deleted(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET sobjects/{Obj}/deleted/?start=&end=: records deleted in the window."""
    obj = require_sobject(params["sobject"])
    start, end = _window(ctx, req)
    found = [
        {"id": r["Id"], "deletedDate": schema.format_datetime(r["SystemModstamp"])}
        for r in ctx.store.rows(obj.name, include_deleted=True)
        if r.get("IsDeleted") and r.get("SystemModstamp") and start <= r["SystemModstamp"] <= end
    ]
    body = {
        "deletedRecords": found,
        "earliestDateAvailable": schema.format_datetime(ctx.now() - timedelta(days=15)),
        "latestDateCovered": schema.format_datetime(min(end, ctx.now())),
    }
    return ApiResponse(body=body)


def updated(ctx: Ctx, req: ApiRequest, params: Mapping[str, str]) -> ApiResponse:
    """GET sobjects/{Obj}/updated/?start=&end=: ids of live records changed in the window."""
    obj = require_sobject(params["sobject"])
    start, end = _window(ctx, req)
    found = [
        r["Id"]
        for r in ctx.store.rows(obj.name)
        if r.get("SystemModstamp") and start <= r["SystemModstamp"] <= end
    ]
    return ApiResponse(
        body={"ids": found, "latestDateCovered": schema.format_datetime(min(end, ctx.now()))}
    )
