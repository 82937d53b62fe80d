"""The artifact routes under /api/v1/artifacts, through which clients read and write `tracekit-artifacts:` URIs:
`tracekit-artifacts:/<path>` is `<path>` here and `<artifacts destination>/<path>` on the server's store.

- `PUT /artifacts/files/<path>`: upload one file, the raw request body (streamed; limit `--max-artifact-bytes`);
- `GET /artifacts/files/<path>`: download it (streamed, as application/octet-stream);
- `DELETE /artifacts/files/<path>`: delete a file or folder;
- `GET /artifacts/list?path=<folder>`: the folder's direct children as FileInfo objects.

Paths are checked by `ServedArtifacts.checked_path`: `..`, absolute paths (also percent-encoded) and symbolic links
out of the destination get 400.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import FileResponse

from tracekit.server.artifact_proxy import ServedArtifacts
from tracekit.server.dependencies import JSONBytesResponse, get_served_artifacts
from tracekit.server.schemas.artifact_bodies import ListArtifactsResponse, UploadArtifactResponse
from tracekit.server.schemas.common_bodies import ERROR_RESPONSES, ErrorResponse, Responses

router = APIRouter(prefix="/artifacts", tags=["artifacts"], responses=ERROR_RESPONSES)

Served = Depends(get_served_artifacts)
NOT_SERVED: Responses = {501: {"model": ErrorResponse,
                               "description": "The server runs with --no-serve-artifacts (NOT_IMPLEMENTED)."}}
NOT_FOUND: Responses = {**NOT_SERVED, 404: {"model": ErrorResponse, "description": "No such artifact file."}}
_UPLOAD_BODY = {"requestBody": {"required": False, "description": "The file's bytes, streamed (none: an empty file).",
                                "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                    "format": "binary"}}}}}


@router.put("/files/{path:path}", response_model=UploadArtifactResponse, response_class=JSONBytesResponse,
            responses=NOT_SERVED, openapi_extra=_UPLOAD_BODY, summary="Upload an artifact file")
async def upload_artifact(path: str, request: Request, served: ServedArtifacts = Served) -> JSONBytesResponse:
    """Store the request body as the file `path` (replacing one already there). The body is streamed to a
    temporary file first, so an interrupted upload leaves nothing under `path`."""
    size = await served.receive_upload(path, request.stream())
    return JSONBytesResponse({"path": served.checked_path(path), "file_size": size})


@router.get("/files/{path:path}", response_class=FileResponse, responses={
    **NOT_FOUND, 200: {"description": "The file's bytes.", "content": {"application/octet-stream": {}}}},
    summary="Download an artifact file")
async def download_artifact(path: str, served: ServedArtifacts = Served) -> FileResponse:
    """The file `path`, streamed (a folder gets 400: list it instead)."""
    return await run_in_threadpool(served.download, path)


@router.delete("/files/{path:path}", status_code=204, responses=NOT_SERVED, summary="Delete an artifact file or folder")
async def delete_artifact(path: str, served: ServedArtifacts = Served) -> None:
    """Delete the file or folder `path` and everything under it (no error if there is none)."""
    await run_in_threadpool(served.delete, path)


@router.get("/list", response_model=ListArtifactsResponse, response_class=JSONBytesResponse, responses=NOT_SERVED,
            summary="List an artifact folder")
async def list_artifacts(served: ServedArtifacts = Served,
                         path: str = Query("", max_length=4096, description="The folder; empty for the root"),
                         ) -> JSONBytesResponse:
    """The direct children of the folder `path`, sorted by path."""
    files = await run_in_threadpool(served.list, path)
    return JSONBytesResponse({"files": [{"path": info.path, "is_dir": info.is_dir, "file_size": info.file_size}
                                        for info in files]})
