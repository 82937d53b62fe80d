"""Sizes of the store's bounded columns, shared by the schema and by input checks (no SQLAlchemy import here, so
that checking input stays cheap to import)."""

from __future__ import annotations

KEY_LENGTH = 250
EXPERIMENT_ID_LENGTH = 32
TAG_VALUE_LENGTH = 8000
NAME_LENGTH = 500
PARAM_VALUE_LENGTH = 8000
DATASET_SOURCE_LENGTH = 8000
DATASET_PROFILE_LENGTH = 16000
