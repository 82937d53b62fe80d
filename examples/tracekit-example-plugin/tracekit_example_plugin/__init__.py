"""An example tracekit plugin package: a `file-plugin:` store (runs, traces and registered models in a SQLite file
inside a folder), a `file-plugin:` artifact repository, a run context provider, a request header provider, a request
auth provider, a trace exporter, a `file-plugin` deployment target, a model evaluator and a server app, each declared
as an entry point in this package's pyproject.toml."""

__version__ = "0.1.0"
