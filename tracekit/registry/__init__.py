"""The model registry: registered models, their numbered versions, aliases, tags and stages (`entities`), the
`ModelRegistryStore` contract (`registry_store`) with its SQL (`sql_registry`) and tracking-server
(`rest_registry`) implementations, and the fluent `register_model` / registry URI functions (`registry_api`,
`registry_uri`). `models:/<name>/<version>`, `models:/<name>@<alias>`, `models:/<name>/latest` and stage URIs are
resolved by `registered_model_uris.resolve_registry_model_uri`."""
