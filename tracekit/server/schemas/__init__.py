"""Request and response bodies of the REST API, one module per resource (pydantic models; they make the OpenAPI
document and validate requests, naming the field at fault)."""
