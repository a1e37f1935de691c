"""preheat-job.schema.json: the JSON body of POST /oapi/v1/jobs for a preheat job (v2.5 line).

Keys and constraints come from ``manager/types/job.go`` (json + binding tags, see gojson.py);
the facts that are not visible in the struct tags are in PREHEAT_NOTES / PREHEAT_RULES below,
each with evidence that must still match at the tag.
"""

from __future__ import annotations

import re

from dfschema.gojson import (
    JSON_SCALARS,
    BodyNote,
    BodySchemaBuilder,
    ExternalType,
    ObjectRule,
    parse_binding,
)
from dfschema.golang import GoParser, GoStruct
from dfschema.model import JSON, SCHEMA_DIALECT, GenError, GitTree, schema_id
from dfschema.profiles import Line

TYPES = "manager/types"
JOB_GO = "manager/types/job.go"
HANDLER = "manager/handlers/job.go"
SERVICE = "manager/service/job.go"
PREHEAT_GO = "manager/job/preheat.go"
IMAGE_GO = "internal/job/image.go"
ROUTER = "manager/router/router.go"
MANIFEST_URL = "^(.*)://(.*)/v2/(.*)/manifests/(.*)"

NOT_DERIVED = (
    "NOT derived: the type lives in the d7y.io/api/v2 module, which is not in this repository; "
    "any JSON object (or null) is accepted here and checked by the manager only."
)
EXTERNAL: dict[str, ExternalType] = {
    "d7y.io/api/v2/pkg/apis/common/v2.ObjectStorage": ExternalType(
        schema={"type": ["object", "null"]},
        note=f"commonv2.ObjectStorage: {NOT_DERIVED}",
        evidence=(("go.mod", r"^\s*d7y\.io/api/v2 v"), (JOB_GO, r"\*commonv2\.ObjectStorage")),
    ),
    "d7y.io/api/v2/pkg/apis/common/v2.HDFS": ExternalType(
        schema={"type": ["object", "null"]},
        note=f"commonv2.HDFS: {NOT_DERIVED}",
        evidence=(("go.mod", r"^\s*d7y\.io/api/v2 v"), (JOB_GO, r"\*commonv2\.HDFS")),
    ),
}

PREHEAT_NOTES: dict[tuple[str, str, str], BodyNote] = {
    (TYPES, "CreatePreheatJobRequest", "Type"): BodyNote(
        note=(
            "CreateJob binds CreateJobRequest first and dispatches on type; only this value "
            "re-binds the body as CreatePreheatJobRequest (other job types bind other structs, "
            "anything unknown -> 422 'Unknow type')."
        ),
        evidence=(
            (HANDLER, r"case job\.PreheatJob:"),
            ("internal/job/constants.go", r'PreheatJob = "preheat"'),
            (HANDLER, r'"Unknow type"'),
        ),
        enum_consts=("job.PreheatJob",),
        enum_scope=HANDLER,
    ),
    (TYPES, "CreatePreheatJobRequest", "Args"): BodyNote(
        note=(
            'Required here although tagged omitempty: without args the preheat type is "" and '
            "CreatePreheat fails with 'unknown preheat type'."
        ),
        evidence=((PREHEAT_GO, r'"unknown preheat type"'),),
        required=True,
    ),
    (TYPES, "PreheatArgs", "Scope"): BodyNote(
        note=(
            '"" (or absent) means single_seed_peer (the service fills it in). The scheduler '
            "switches on the three scope constants and treats any other value as "
            "single_seed_peer with only a warning, so this schema rejects other values."
        ),
        evidence=(
            (SERVICE, r"json\.Args\.Scope = types\.SingleSeedPeerScope"),
            ("scheduler/job/job.go", r"scope is invalid"),
        ),
        enum_consts=(
            "types.SingleSeedPeerScope",
            "types.AllSeedPeersScope",
            "types.AllPeersScope",
        ),
        enum_scope=SERVICE,
        allow_empty=True,
    ),
    (TYPES, "PreheatArgs", "Timeout"): BodyNote(
        note=(
            "0 (or absent) means DefaultJobTimeout, 60 minutes (set by the service). The scheduler "
            "uses it as the context deadline of each preheat task, so a negative value fails at "
            "once; this schema requires >= 0."
        ),
        evidence=(
            (SERVICE, r"json\.Args\.Timeout = types\.DefaultJobTimeout"),
            (JOB_GO, r"DefaultJobTimeout = 60 \* time\.Minute"),
            ("scheduler/job/job.go", r"context\.WithTimeout\(ctx, req\.Timeout\)"),
        ),
        schema={"minimum": 0},
    ),
    (TYPES, "PreheatArgs", "FilteredQueryParams"): BodyNote(
        note=(
            '"" (or absent) means the default list http.RawDefaultFilteredQueryParams (set by '
            "the service). Replaces the v2.1.28 key `filter`."
        ),
        evidence=((SERVICE, r"json\.Args\.FilteredQueryParams = http\.RawDefault"),),
    ),
}

_IMAGE_ONLY = ("username", "password", "platform")
_FILE_ONLY = ("urls", "object_storage", "hdfs")


def _forbid(keys: tuple[str, ...]) -> JSON:
    return {"not": {"anyOf": [{"required": [key]} for key in keys]}}


def _when(preheat_type: str, then: JSON) -> JSON:
    return {
        "if": {"properties": {"type": {"const": preheat_type}}, "required": ["type"]},
        "then": then,
    }


PREHEAT_RULES: dict[tuple[str, str], ObjectRule] = {
    (TYPES, "PreheatArgs"): ObjectRule(
        note=(
            "image: url is required and must be a manifest URL matching "
            f"{MANIFEST_URL}; urls, object_storage and hdfs are not passed on (gencfg refuses "
            "them). file: url and urls are merged and at least one URL is needed; username, "
            "password and platform are not passed on (gencfg refuses them)."
        ),
        evidence=(
            (PREHEAT_GO, r"case PreheatImageType:"),
            (PREHEAT_GO, r'"invalid params: url is required"'),
            (IMAGE_GO, re.escape(f'regexp.Compile("{MANIFEST_URL}")')),
            (PREHEAT_GO, r"case PreheatFileType:"),
            (PREHEAT_GO, r'"invalid params: url or urls is required"'),
        ),
        schema={
            "allOf": [
                _when(
                    "image",
                    {
                        "required": ["url"],
                        "properties": {"url": {"minLength": 1, "pattern": MANIFEST_URL}},
                        **_forbid(_FILE_ONLY),
                    },
                ),
                _when(
                    "file",
                    {
                        "anyOf": [
                            {"required": ["url"], "properties": {"url": {"minLength": 1}}},
                            {"required": ["urls"], "properties": {"urls": {"minItems": 1}}},
                        ],
                        **_forbid(_IMAGE_ONLY),
                    },
                ),
            ]
        },
    ),
}

# Response (models.Job): shallow, for documentation; not part of the request.
RESPONSE_TYPES: dict[str, JSON] = {
    "time.Time": {"type": "string", "format": "date-time"},
    "soft_delete.DeletedAt": {"type": "integer", "minimum": 0},
    "JSONMap": {"type": ["object", "null"]},
}


def _go_mod(tree: GitTree, module: str) -> tuple[str, int]:
    """Return (version, line) of a module required in go.mod."""
    for number, text in enumerate(tree.show("go.mod").splitlines(), start=1):
        match = re.match(rf"^\s*{re.escape(module)} (v\S+)", text)
        if match:
            return match.group(1), number
    raise GenError(f"{module} not found in go.mod at {tree.tag}")


def _response_field(builder: BodySchemaBuilder, struct: GoStruct, type_expr: str) -> JSON:
    expr = type_expr.lstrip("*")
    if expr in RESPONSE_TYPES:
        return dict(RESPONSE_TYPES[expr])
    if expr in JSON_SCALARS:
        return {"type": JSON_SCALARS[expr][0]}
    if expr.startswith("[]"):
        return {"type": ["array", "null"]}
    if expr in builder.parser.package(struct.pkg).structs:
        return {"type": "object"}
    raise GenError(f"{struct.file}: no response schema for {type_expr!r}")


def job_response(builder: BodySchemaBuilder) -> JSON:
    """Return $defs/jobResponse from models.Job (+ BaseModel) json tags."""
    job = builder.struct("manager/models", "Job")
    properties: dict[str, JSON] = {}
    for struct in (builder.struct("manager/models", "BaseModel"), job):
        for fld in struct.fields:
            key = builder.json_key(fld)
            if key is None or fld.embedded:
                continue
            prop = _response_field(builder, struct, fld.type_expr)
            if key == "state":
                prop = {"$ref": "#/$defs/jobState"}
            where = f"{fld.file}:{fld.line}"
            properties[key] = {"description": f"Go: {struct.name}.{fld.name} ({where}).", **prop}
    return {
        "type": "object",
        "description": (
            "NOT part of the request. Body of 200 responses of POST /oapi/v1/jobs and GET "
            f"/oapi/v1/jobs/:id: models.Job ({job.file}:{job.line}, BaseModel embedded), keys "
            "from its json tags. args is PreheatArgs as a map, after the service filled in "
            "scope, concurrent counts, timeout and filtered_query_params (password included)."
        ),
        "properties": properties,
    }


def job_state(builder: BodySchemaBuilder) -> JSON:
    """Return $defs/jobState from the oneof of GetJobsQuery.State."""
    query = builder.struct(TYPES, "GetJobsQuery")
    fld = next(f for f in query.fields if f.name == "State")
    where = f"{fld.file}:{fld.line}"
    states = parse_binding(fld.tags.get("binding", ""), where).enum
    if not states:
        raise GenError(f"{where}: GetJobsQuery.State has no oneof")
    return {
        "enum": states,
        "description": (
            f"Job states: the oneof of GET /jobs ?state= (GetJobsQuery.State, {where}). A new "
            "preheat job is PENDING; the manager polls the machinery group and stores SUCCESS or "
            "FAILURE when it ends."
        ),
    }


def preheat_schema(parser: GoParser, tree: GitTree, line: Line) -> JSON:
    """Return preheat-job.schema.json for the tag of ``tree``."""
    builder = BodySchemaBuilder(parser, tree, PREHEAT_NOTES, PREHEAT_RULES, EXTERNAL)
    root = builder.struct(TYPES, "CreatePreheatJobRequest")
    body = builder.object_schema(root)
    builder.check_all_used()
    args = builder.struct(TYPES, "PreheatArgs")
    first_bind = builder.struct(TYPES, "CreateJobRequest")
    ignored = sorted(
        {k for f in first_bind.fields if (k := builder.json_key(f))} - set(body["properties"])
    )
    gin, gin_line = _go_mod(tree, "github.com/gin-gonic/gin")
    validator, validator_line = _go_mod(tree, "github.com/go-playground/validator/v10")
    handler = builder.cite(((HANDLER, r"^func \(h \*Handlers\) CreateJob\("),))
    service = builder.cite(((SERVICE, r"^func \(s \*service\) CreatePreheatJob\("),))
    api_route = builder.cite(((ROUTER, r'apiv1\.Group\("/jobs", jwt'),))
    oapi_route = builder.cite(((ROUTER, r'oapiv1\.Group\("/jobs", personalAccessToken'),))
    description = (
        f"Generated by tools/gen_dragonfly_schemas.py from {line.repo} {tree.tag} (commit "
        f"{tree.commit()}): {root.file}:{root.line} (CreatePreheatJobRequest) and :{args.line} "
        "(PreheatArgs); keys are the json tags, binding tags become constraints (required -> "
        "required, oneof -> enum, gte/lte -> minimum/maximum or minItems/maxItems, omitempty -> "
        "the zero value skips the other rules). CreateJob "
        f"({handler}) binds CreateJobRequest, "
        'then re-binds the body as CreatePreheatJobRequest when type == "preheat"; binding '
        'errors -> 422 {"errors": "..."}. Defaults are filled in by CreatePreheatJob '
        f"({service}). Routes "
        f"({ROUTER}): POST /api/v1/jobs needs a JWT session + RBAC "
        f"({api_route}), POST /oapi/v1/jobs needs "
        "'Authorization: Bearer <personal access token>' "
        f"({oapi_route}); both go "
        f"through CreateJobRateLimiter. Binding is gin {gin} (go.mod:{gin_line}; encoding/json: "
        "unknown keys silently ignored, key matching case-insensitive) + "
        f"go-playground/validator {validator} (go.mod:{validator_line}); additionalProperties: "
        "false and the canonical json-tag spelling are gencfg's own strictness. The keys of "
        "v2.1.28 that are gone (args.filter) would be silently ignored; top-level "
        f"{', '.join(ignored) or '(none)'} of CreateJobRequest ({first_bind.file}:"
        f"{first_bind.line}) is accepted by the first bind only and ignored for preheat. The "
        "response is a models.Job, see $defs/jobResponse."
    )
    defs = dict(builder.defs)
    defs["jobState"] = job_state(builder)
    defs["jobResponse"] = job_response(builder)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": schema_id(line.name, "preheat-job"),
        "title": (
            f"{line.product} manager {tree.tag}: request body of POST /api/v1/jobs and POST "
            "/oapi/v1/jobs for a preheat job"
        ),
        "description": description,
        **body,
        "$defs": defs,
    }
