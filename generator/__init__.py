"""apigen: generate a typed Python client from an OpenAPI 3.0/3.1 spec and keep it in sync."""

__version__ = "0.1.0"
