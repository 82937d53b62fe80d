"""The scoring server: one pyfunc model behind `POST /invocations` (see `scoring_protocol` for the bodies), with
`GET /ping`, `GET /health` and `GET /version`.

Each request is one trace linked to the model's id (tagged with the served URI; when served from the registry, the
registered model's name and version; for a deployment, `tracekit.deploymentName`). Its root span `POST /invocations`
is the model's prediction too (the pyfunc predict opens no span of its own here, so the input is not recorded
twice): it holds the request (content type and body text, cut at MAX_TRACED_BODY_CHARS) as inputs, the answer as
outputs (the very JSON bytes sent back, serialized once) and, for a model that raised, ERROR status with the
exception; the model's own `@trace` spans nest under it.
Traces are exported in the background by tracekit's async trace logging, so a slow store does not slow a
prediction. Bad input is a 400, a model that raises a 500 naming the error (the server keeps serving), a body over
the limit a 413; no answer carries a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from tracekit import __version__, config, serialization
from tracekit.error_codes import INTERNAL_ERROR
from tracekit.exceptions import TracekitException
from tracekit.models.pyfunc_model import PREDICT_SPAN_TYPE, PyFuncModel, load_model
from tracekit.models.scoring_protocol import JSON_CONTENT_TYPE, parse_request, predictions_json
from tracekit.server.body_limit import BodySizeLimitMiddleware
from tracekit.server.errors import UnhandledErrorMiddleware, error_response

logger = logging.getLogger(__name__)

#: Request bodies longer than this are recorded on the request span cut to this many characters.
MAX_TRACED_BODY_CHARS = 10_000


class ScoringFailed(Exception):
    """The model raised while predicting (answered 500 with its message)."""


SERVED_MODEL_URI_TAG = "tracekit.servedModelUri"
REGISTERED_MODEL_NAME_TAG = "tracekit.registeredModelName"
REGISTERED_MODEL_VERSION_TAG = "tracekit.registeredModelVersion"
DEPLOYMENT_NAME_TAG = "tracekit.deploymentName"
#: The name of each request's span: the request and the model's prediction in one.
REQUEST_SPAN_NAME = "POST /invocations"


def served_model(model_uri: str) -> tuple[str, dict[str, str]]:
    """The URI to load for `model_uri` (a registry alias or stage pinned to the version it names now, so the tags
    and the loaded files agree) and the tags each request's trace gets: the served URI, and for a registry URI the
    registered model's name and version."""
    from tracekit.registry.registered_model_uris import is_registry_model_uri, registry_model_version

    tags = {SERVED_MODEL_URI_TAG: model_uri}
    if not is_registry_model_uri(model_uri):
        return model_uri, served_trace_tags(tags)
    version = registry_model_version(model_uri)
    tags[REGISTERED_MODEL_NAME_TAG] = version.name
    tags[REGISTERED_MODEL_VERSION_TAG] = str(version.version)
    return version.model_uri, served_trace_tags(tags)


def served_trace_tags(tags: Mapping[str, Any]) -> dict[str, str]:
    """`tags` as `score` takes them: `{str: str}` safe to store (see `serialization.safe_str_map`), checked once for
    the server's life rather than on every request."""
    return serialization.safe_str_map(tags)


def score(model: PyFuncModel, body: bytes, content_type: str,
          trace_tags: dict[str, str] | None = None) -> bytes:
    """The `{"predictions": ...}` answer for one request body, as JSON bytes, and one trace linked to the model
    (tagged with `trace_tags`, which must come from `served_trace_tags` or `served_model`: they are recorded as they
    are): its one span is the prediction, recording the request and those same bytes. Raises TracekitException for
    bad input and ScoringFailed for a model that raised."""
    from tracekit.tracing.fluent import add_checked_trace_tags, start_span
    from tracekit.tracking import state

    token = state.set_predicting_model_id(model.model_id)
    try:
        with start_span(REQUEST_SPAN_NAME, span_type=PREDICT_SPAN_TYPE) as span:
            text = body.decode("utf-8", errors="replace")
            if span.recording:  # a sampled-out request skips building what it would not record
                span.set_inputs({"content_type": content_type, "body": text[:MAX_TRACED_BODY_CHARS]})
                if trace_tags:
                    add_checked_trace_tags(span, trace_tags)
            data, params = parse_request(text, content_type)
            try:
                answer = predictions_json(model.predict_in_current_span(data, params=params))
            except TracekitException:
                raise  # the signature or params refused the input: the client's error
            except Exception as error:
                raise ScoringFailed(f"{type(error).__name__}: {error}") from error
            span.set_outputs_json(answer)
            return answer
    finally:
        state.reset_predicting_model_id(token)


def create_app(model: PyFuncModel, max_body_bytes: int | None = None,
               trace_tags: dict[str, str] | None = None) -> Any:
    """The ASGI app serving `model` (bodies over `max_body_bytes`, default TRACEKIT_SERVING_MAX_BODY_BYTES, get
    413), each request's trace tagged with `trace_tags`."""
    limit = config.SERVING_MAX_BODY_BYTES.get() if max_body_bytes is None else max_body_bytes
    checked_tags = served_trace_tags(trace_tags) if trace_tags else None
    app = FastAPI(title="tracekit scoring server", docs_url=None, redoc_url=None)

    @app.get("/ping")
    @app.get("/health")
    def ping() -> PlainTextResponse:
        return PlainTextResponse("\n")

    @app.get("/version")
    def version() -> PlainTextResponse:
        return PlainTextResponse(__version__)

    @app.post("/invocations")
    async def invocations(request: Request) -> Response:
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        try:
            answer = await run_in_threadpool(score, model, body, content_type, checked_tags)
        except TracekitException as error:
            return error_response(error.error_code, error.message, status=400)
        except ScoringFailed as error:
            logger.warning("The model failed on a request: %s", error, exc_info=error.__cause__)
            return error_response(INTERNAL_ERROR, f"The model failed to predict: {error}")
        return Response(answer, media_type=JSON_CONTENT_TYPE)

    too_large = (f"The request body is larger than this scoring server's limit of {limit} bytes; send fewer rows "
                 "per request or raise TRACEKIT_SERVING_MAX_BODY_BYTES.")
    return UnhandledErrorMiddleware(BodySizeLimitMiddleware(app, limit, too_large=too_large))


def app_from_environment() -> Any:
    """The app for the model TRACEKIT_SERVING_MODEL_URI names (uvicorn's factory in each worker process)."""
    model_uri = config.SERVING_MODEL_URI.get()
    if not model_uri:
        raise TracekitException.invalid_parameter_value(
            "TRACEKIT_SERVING_MODEL_URI is not set; start the server with `tracekit models serve -m <model URI>`.")
    pinned_uri, trace_tags = served_model(model_uri)
    deployment = config.SERVING_DEPLOYMENT_NAME.get()
    if deployment:
        trace_tags[DEPLOYMENT_NAME_TAG] = deployment
    return create_app(load_model(pinned_uri), trace_tags=trace_tags)
