"""The REST route table under `/services/data/v{N}.0/` and the dispatcher that uses it.

Literal segments match case-insensitively, `{name}` segments capture one path segment; the first
matching pattern wins, so fixed words (`describe`, `deleted`) come before `{id}`. A path that
matches with another method answers 405. Route keys (`"GET query"`, `"POST composite/sobjects"`)
name endpoints in the request statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from demo_gen.local_org.app import bulk as app_bulk
from demo_gen.local_org.app import bulk_query as app_bulk_query
from demo_gen.local_org.app import collections as app_collections
from demo_gen.local_org.app import composite as app_composite
from demo_gen.local_org.app import describe as app_describe
from demo_gen.local_org.app import rest as app_rest
from demo_gen.local_org.app.http import ApiError, ApiRequest, ApiResponse, Ctx, not_found

Handler = Callable[[Ctx, ApiRequest, Mapping[str, str]], ApiResponse]


@dataclass(frozen=True)
class Route:
    """A path pattern and the handler for each method it accepts."""

    pattern: str
    methods: Mapping[str, Handler]

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """The captured parameters when *segments* fit the pattern, else None."""
        parts = self.pattern.split("/") if self.pattern else []
        if len(parts) != len(segments):
            return None
        params: dict[str, str] = {}
        for part, segment in zip(parts, segments, strict=True):
            if part.startswith("{"):
                params[part[1:-1]] = segment
            elif part.lower() != segment.lower():
                return None
        return params


def _results_routes() -> list[Route]:
    kinds = ("successfulResults", "failedResults", "unprocessedRecords")
    return [Route(f"jobs/ingest/{{job}}/{k}", {"GET": app_bulk.results}) for k in kinds]


ROUTES: tuple[Route, ...] = (
    Route("query", {"GET": app_rest.query}),
    Route("query/{locator}", {"GET": app_rest.query}),
    Route("queryAll", {"GET": app_rest.query}),
    Route("queryAll/{locator}", {"GET": app_rest.query}),
    Route("sobjects", {"GET": app_describe.global_describe}),
    Route(
        "sobjects/{sobject}",
        {"GET": app_describe.object_metadata, "POST": app_rest.create_record},
    ),
    Route("sobjects/{sobject}/describe", {"GET": app_describe.describe}),
    Route("sobjects/{sobject}/deleted", {"GET": app_describe.deleted}),
    Route("sobjects/{sobject}/updated", {"GET": app_describe.updated}),
    Route(
        "sobjects/{sobject}/{id}",
        {
            "GET": app_rest.get_record,
            "PATCH": app_rest.update_record,
            "DELETE": app_rest.delete_record,
        },
    ),
    Route(
        "sobjects/{sobject}/{field}/{value}",
        {"GET": app_rest.get_by_external_id, "PATCH": app_rest.upsert_record},
    ),
    Route("limits", {"GET": app_describe.limits}),
    Route(
        "composite/sobjects",
        {
            "POST": app_collections.create,
            "PATCH": app_collections.update,
            "DELETE": app_collections.delete,
        },
    ),
    Route("composite/sobjects/{sobject}", {"GET": app_collections.retrieve}),
    Route("composite/sobjects/{sobject}/{field}", {"PATCH": app_collections.upsert}),
    Route("composite/tree/{sobject}", {"POST": app_composite.tree}),
    Route("composite", {"POST": app_composite.composite}),
    Route("jobs/ingest", {"POST": app_bulk.create_job, "GET": app_bulk.list_jobs}),
    Route(
        "jobs/ingest/{job}",
        {"GET": app_bulk.get_job, "PATCH": app_bulk.set_state, "DELETE": app_bulk.delete_job},
    ),
    Route("jobs/ingest/{job}/batches", {"PUT": app_bulk.upload}),
    *_results_routes(),
    Route("jobs/query", {"POST": app_bulk_query.create_job, "GET": app_bulk_query.list_jobs}),
    Route(
        "jobs/query/{job}",
        {
            "GET": app_bulk_query.get_job,
            "PATCH": app_bulk_query.set_state,
            "DELETE": app_bulk_query.delete_job,
        },
    ),
    Route("jobs/query/{job}/results", {"GET": app_bulk_query.results}),
)


def find(segments: list[str]) -> tuple[Route, dict[str, str]] | None:
    """The first route whose pattern fits *segments*, with its parameters."""
    for route in ROUTES:
        params = route.match(segments)
        if params is not None:
            return route, params
    return None


def route_key(method: str, segments: list[str]) -> str:
    """The statistics key of a request, e.g. `GET sobjects/{sobject}/{id}`."""
    found = find(segments)
    return f"{method} {found[0].pattern if found else '(unknown)'}"


def dispatch(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    """Serve *req*: 404 NOT_FOUND for an unknown path, 405 for a method it does not accept."""
    found = find(req.segments)
    if found is None:
        raise not_found()
    route, params = found
    handler = route.methods.get(req.method)
    if handler is None:
        allowed = ",".join(route.methods)
        raise ApiError(
            405,
            "METHOD_NOT_ALLOWED",
            f"HTTP Method '{req.method}' not allowed. Allowed are {allowed}",
        )
    return handler(ctx, req, params)
