"""The `commentanalyzer` v1alpha1 discovery document, pointing at this server.

`googleapiclient.discovery.build("commentanalyzer", "v1alpha1", discoveryServiceUrl=..., static_discovery=False)`
reads it and then sends every call to `rootUrl` + `servicePath` and batches to `rootUrl` + `batchPath`, so `rootUrl`
is the server's public URL (`--public-url`) and there is no `mtlsRootUrl`. Schemas follow Google's published
document for the parts CleanSpeech serves.
"""

from fastapi import APIRouter, Depends, Query, Request, Response

from .errors import ApiError
from .state import Service, authenticate

router = APIRouter(tags=["Discovery"])


def _object(properties: dict, description: str = "") -> dict:
    return {"type": "object", "description": description, "properties": properties}


def _ref(name: str) -> dict:
    return {"$ref": name}


_STRING, _BOOL, _NUMBER = {"type": "string"}, {"type": "boolean"}, {"type": "number", "format": "float"}
_STRINGS = {"type": "array", "items": _STRING}
SCHEMAS = {
    "TextEntry": _object(
        {"text": _STRING, "type": {"type": "string", "enum": ["TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT"]}}
    ),  # fmt: skip
    "AttributeParameters": _object({"scoreType": _STRING, "scoreThreshold": _NUMBER}),
    "ArticleAndParentComment": _object({"article": _ref("TextEntry"), "parentComment": _ref("TextEntry")}),
    "Context": _object(
        {
            "entries": {"type": "array", "items": _ref("TextEntry")},
            "articleAndParentComment": _ref("ArticleAndParentComment"),
        }
    ),  # fmt: skip
    "Score": _object({"value": _NUMBER, "type": _STRING}),
    "SpanScore": _object(
        {
            "begin": {"type": "integer", "format": "int32"},
            "end": {"type": "integer", "format": "int32"},
            "score": _ref("Score"),
        }
    ),  # fmt: skip
    "AttributeScores": _object(
        {"summaryScore": _ref("Score"), "spanScores": {"type": "array", "items": _ref("SpanScore")}}
    ),  # fmt: skip
    "AnalyzeCommentRequest": _object(
        {
            "comment": _ref("TextEntry"),
            "context": _ref("Context"),
            "languages": _STRINGS,
            "requestedAttributes": {"type": "object", "additionalProperties": _ref("AttributeParameters")},
            "spanAnnotations": _BOOL,
            "doNotStore": _BOOL,
            "clientToken": _STRING,
            "sessionId": _STRING,
            "communityId": _STRING,
        },
        "The comment to analyze.",
    ),  # fmt: skip
    "AnalyzeCommentResponse": _object(
        {
            "attributeScores": {"type": "object", "additionalProperties": _ref("AttributeScores")},
            "languages": _STRINGS,
            "detectedLanguages": _STRINGS,
            "clientToken": _STRING,
        },
        "The comment analysis results.",
    ),  # fmt: skip
    "SuggestCommentScoreRequest": _object(
        {
            "comment": _ref("TextEntry"),
            "context": _ref("Context"),
            "languages": _STRINGS,
            "attributeScores": {"type": "object", "additionalProperties": _ref("AttributeScores")},
            "communityId": _STRING,
            "clientToken": _STRING,
            "sessionId": _STRING,
        },
        "A human-assigned score for a comment.",
    ),  # fmt: skip
    "SuggestCommentScoreResponse": _object(
        {"clientToken": _STRING, "detectedLanguages": _STRINGS, "requestedLanguages": _STRINGS}
    ),  # fmt: skip
}
_QUERY_PARAMETERS = {
    "key": "API key. Your API key identifies your project and provides you with API access, quota, and reports.",
    "alt": "Data format for response.",
    "fields": "Selector specifying which fields to include in a partial response.",
    "prettyPrint": "Returns response with indentations and line breaks.",
    "quotaUser": "Available to use for quota purposes for server-side applications.",
    "access_token": "OAuth access token.",
    "callback": "JSONP",
    "$.xgafv": "V1 error format.",
}


def _method(name: str, description: str, request: str, response: str) -> dict:
    return {"id": f"commentanalyzer.comments.{name}", "path": f"v1alpha1/comments:{name}",
            "flatPath": f"v1alpha1/comments:{name}", "httpMethod": "POST", "parameters": {}, "parameterOrder": [],
            "request": _ref(request), "response": _ref(response), "description": description}  # fmt: skip


def discovery_document(root_url: str, version: str) -> dict:
    parameters = {name: {"type": "string", "location": "query", "description": text}
                  for name, text in _QUERY_PARAMETERS.items()}  # fmt: skip
    parameters["alt"].update({"default": "json", "enum": ["json"]})  # proto is refused (400)
    parameters["prettyPrint"].update({"type": "boolean", "default": "true"})
    return {
        "kind": "discovery#restDescription", "discoveryVersion": "v1", "id": "commentanalyzer:v1alpha1",
        "name": "commentanalyzer", "version": "v1alpha1", "revision": version,
        "title": "Perspective Comment Analyzer API",
        "description": "CleanSpeech's self-hosted, Perspective-compatible comment scoring.",
        "protocol": "rest", "rootUrl": root_url, "servicePath": "", "baseUrl": root_url, "basePath": "",
        "batchPath": "batch", "parameters": parameters, "schemas": {n: {"id": n, **s} for n, s in SCHEMAS.items()},
        "resources": {"comments": {"methods": {
            "analyze": _method("analyze", "Analyzes the provided text and returns scores for requested attributes.",
                               "AnalyzeCommentRequest", "AnalyzeCommentResponse"),
            "suggestscore": _method("suggestscore", "Suggest comment scores as training data.",
                                    "SuggestCommentScoreRequest", "SuggestCommentScoreResponse"),
        }}},
    }  # fmt: skip


WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # listening on every address: the host names none a client can reach


def root_url(request: Request, response: Response, state: Service) -> str:
    """`--public-url`, else http://host:port/ of `--host`; where that is a wildcard (0.0.0.0, which sent a remote
    client to its own machine), the address this request reached us at. That one is the client's own `Host` header,
    so the answer is marked for no cache to keep and hand to another client."""
    settings = state.settings
    if settings.public_url or settings.host not in WILDCARD_HOSTS:
        return settings.root_url()
    response.headers["Cache-Control"] = "no-store"
    return str(request.base_url)


@router.get("/$discovery/rest", dependencies=[Depends(authenticate)])
async def discovery(request: Request, response: Response, state: Service, version: str = Query("v1alpha1")) -> dict:
    """The discovery document, as Google serves it at commentanalyzer.googleapis.com/$discovery/rest."""
    if version != "v1alpha1":
        raise ApiError(404, f"Discovery document not found for API service: commentanalyzer version {version}")
    return discovery_document(root_url(request, response, state), state.model_version)


@router.get("/discovery/v1/apis/commentanalyzer/v1alpha1/rest", dependencies=[Depends(authenticate)])
async def discovery_v1(request: Request, response: Response, state: Service) -> dict:
    """The same document at the older clients' default discovery path."""
    return discovery_document(root_url(request, response, state), state.model_version)
