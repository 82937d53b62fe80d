"""Answers of the artifact routes (`/api/v1/artifacts/...`)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FileInfoModel(BaseModel):
    """One file or folder of the artifacts destination."""

    path: str = Field(description="Relative to the artifacts root (`tracekit-artifacts:/<path>`), `/`-separated")
    is_dir: bool
    file_size: int | None = Field(None, description="Bytes; null for a folder")


class ListArtifactsResponse(BaseModel):
    """The direct children of a folder, sorted by path (empty when it holds nothing)."""

    files: list[FileInfoModel]


class UploadArtifactResponse(BaseModel):
    """What an upload stored."""

    path: str
    file_size: int
