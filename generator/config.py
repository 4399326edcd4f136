"""Per-API configuration: `specs/<api>/config.toml`, or defaults derived for a bare spec file."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomllib

from .errors import InputError
from .extensions import EXTENSIONS_DIR, Mixin
from .naming import pascal_case, snake_case

_PACKAGE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_ATTR_PATH = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")
_REQUIREMENT = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[a-z0-9_,-]+\])?([<>=!~]=?[A-Za-z0-9.*]+,?)*$"
)
_MIXIN = re.compile(r"^[a-z_][a-z0-9_]*\.[A-Z][A-Za-z0-9_]*$")
_OPERATION_KEY = re.compile(r"^(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) /\S*$")
_CLASS_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an RFC 9110 token
_HEADER_VALUE_PREFIX = re.compile(r"^[\x20-\x7e]*$")  # printable ASCII, no line breaks


# Model fields (shell-style patterns on the Python name) whose values repr() never shows.
# Names of secrets (`auth_secret_name`, `*_secret_ref`), counts (`input_tokens`) and object
# keys (`s3_key`) are not secrets; `[client] secret_fields` replaces this list per API.
DEFAULT_SECRET_FIELDS = (
    "*password*", "*secret", "*secret_key", "*secret_access_key", "*private_key*",
    "token", "*_token", "key", "api_key", "*_api_key",
)  # fmt: skip
_FIELD_PATTERN = re.compile(r"^[A-Za-z0-9_*?]+$")


@dataclass(frozen=True)
class SyncConfig:
    """Where `apigen sync` finds the upstream docs pages of this API."""

    index_url: str
    page_prefixes: tuple[str, ...]
    allowed_hosts: tuple[str, ...] = ()
    api_title: str | None = None
    server_url: str | None = None
    spec_url: str | None = None  # the whole published spec (its host must be in allowed_hosts)


@dataclass(frozen=True)
class ApiConfig:
    """Everything the generator needs to know about one API."""

    name: str
    spec_path: Path
    output_dir: Path
    package: str
    client_class: str
    async_client_class: str
    api_key_env: str
    base_url_env: str
    default_base_url: str | None = None
    # How the API key is sent; derived from the spec's security scheme when not set.
    auth_header: str | None = None
    auth_prefix: str | None = None
    # "METHOD /path" -> dotted attribute path, e.g. "POST /v1/x" -> "models.create_x"
    operation_names: dict[str, str] = field(default_factory=dict)
    sync: SyncConfig | None = None
    # [client]: runtime behaviour of the generated client.
    log_env: str | None = None  # env var switching the package's logger on ("debug"/"info")
    idempotency_header: str | None = None  # sent with one key per POST/PATCH call, if set
    secret_headers: tuple[str, ...] = ()  # request headers never logged (besides auth)
    secret_fields: tuple[str, ...] = DEFAULT_SECRET_FIELDS  # model fields hidden from repr
    # resource path -> class of specs/<api>/extensions/ it inherits from (see extensions.py)
    mixins: dict[str, Mixin] = field(default_factory=dict)
    extensions_dir: Path | None = None  # hand-written modules copied into the package
    # optional dependencies of the package's pyproject.toml, e.g. {"push": ("boto3>=1.36",)}
    extras: dict[str, tuple[str, ...]] = field(default_factory=dict)
    work_dir: Path | None = None  # the project's `.apigen/` (see workarea.py); None: beside output

    @property
    def api_dir(self) -> Path:
        return self.spec_path.parent


def _get(table: dict[str, Any], key: str, kind: type, where: str, default: Any = None) -> Any:
    value = table.get(key, default)
    if value is not None and not isinstance(value, kind):
        raise InputError(f"{where}: '{key}' must be a {kind.__name__}")
    return value


def _checked(value: str, pattern: re.Pattern[str], what: str, where: str) -> str:
    if not pattern.fullmatch(value):
        raise InputError(f"{where}: {what} {value!r} is not valid (expected {pattern.pattern})")
    return value


def _checked_optional(
    value: str | None, pattern: re.Pattern[str], what: str, where: str
) -> str | None:
    return None if value is None else _checked(value, pattern, what, where)


def _class_name(value: str, where: str) -> str:
    _checked(value, _CLASS_NAME, "class", where)
    if keyword.iskeyword(value):
        raise InputError(f"{where}: class {value!r} is a Python keyword")
    return value


def _url(value: str | None, where: str) -> str | None:
    """An absolute http(s) URL without whitespace or control characters, or None."""
    if value is None:
        return None
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(ch.isspace() or not ch.isprintable() for ch in value)
    ):
        raise InputError(f"{where}: URL {value!r} is not valid (expected an http(s) URL)")
    return value


def load_config(api_dir: Path, output_root: Path) -> ApiConfig:
    """Read `<api_dir>/config.toml`; every value is checked because it ends up in code."""
    path = api_dir / "config.toml"
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{where}: no such file (is '{api_dir.name}' a configured API?)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{where}: invalid TOML: {exc}") from None

    package = _get(data, "package", dict, where, {})
    spec = _get(data, "spec", dict, where, {})
    naming = _get(data, "naming", dict, where, {})
    sync = _get(data, "sync", dict, where, None)
    client = _get(data, "client", dict, where, {})
    extensions = _get(data, "extensions", dict, where, {})

    name = _get(package, "name", str, where) or snake_case(api_dir.name) + "_client"
    client_class = _get(package, "client_class", str, where) or pascal_case(api_dir.name)
    operations = _get(naming, "operations", dict, where, {})
    for key, attr_path in operations.items():
        _checked(key, _OPERATION_KEY, "operation key", where)
        _checked(str(attr_path), _ATTR_PATH, "operation name", where)

    mixins = {}
    for resource, target in _get(extensions, "mixins", dict, where, {}).items():
        _checked(resource, _ATTR_PATH, "resource path", where)
        module, _, class_name = _checked(str(target), _MIXIN, "mixin", where).partition(".")
        mixins[resource] = Mixin(module, class_name)
    extras = {}
    for extra, requirements in _get(package, "extras", dict, where, {}).items():
        _checked(extra, _PACKAGE_NAME, "extra name", where)
        if not isinstance(requirements, list):
            raise InputError(f"{where}: [package.extras] {extra} must be a list of requirements")
        extras[extra] = tuple(
            _checked(str(r), _REQUIREMENT, "requirement", where) for r in requirements
        )

    sync_config = None
    if sync is not None:
        sync_config = SyncConfig(
            index_url=_get(sync, "index_url", str, where, ""),
            page_prefixes=tuple(_get(sync, "page_prefixes", list, where, [])),
            allowed_hosts=tuple(_get(sync, "allowed_hosts", list, where, [])),
            api_title=_get(sync, "api_title", str, where),
            server_url=_get(sync, "server_url", str, where),
            spec_url=_get(sync, "spec_url", str, where),
        )

    return ApiConfig(
        name=api_dir.name,
        spec_path=api_dir / _get(spec, "file", str, where, "openapi.json"),
        output_dir=output_root / _checked(name, _PACKAGE_NAME, "package name", where),
        package=name,
        client_class=_class_name(client_class, where),
        async_client_class=_class_name(
            _get(package, "async_client_class", str, where) or "Async" + client_class, where
        ),
        api_key_env=_checked(
            _get(package, "api_key_env", str, where) or name.upper().removesuffix("_CLIENT") + "_API_KEY",
            _ENV_NAME, "env var", where,
        ),
        base_url_env=_checked(
            _get(package, "base_url_env", str, where) or name.upper().removesuffix("_CLIENT") + "_BASE_URL",
            _ENV_NAME, "env var", where,
        ),
        default_base_url=_url(_get(package, "default_base_url", str, where), where),
        auth_header=_checked_optional(
            _get(package, "auth_header", str, where), _HEADER_NAME, "auth header", where
        ),
        auth_prefix=_checked_optional(
            _get(package, "auth_prefix", str, where), _HEADER_VALUE_PREFIX, "auth prefix", where
        ),
        operation_names={str(k): str(v) for k, v in operations.items()},
        sync=sync_config,
        log_env=_checked(
            _get(client, "log_env", str, where) or name.upper().removesuffix("_CLIENT") + "_LOG",
            _ENV_NAME, "env var", where,
        ),
        idempotency_header=(
            _checked(header, _HEADER_NAME, "header name", where)
            if (header := _get(client, "idempotency_header", str, where)) else None
        ),
        secret_headers=tuple(
            _checked(str(h), _HEADER_NAME, "header name", where)
            for h in _get(client, "secret_headers", list, where, [])
        ),
        secret_fields=tuple(
            _checked(str(p), _FIELD_PATTERN, "field pattern", where)
            for p in _get(client, "secret_fields", list, where, list(DEFAULT_SECRET_FIELDS))
        ),
        mixins=mixins,
        extensions_dir=api_dir / EXTENSIONS_DIR,
        extras=extras,
        work_dir=api_dir.absolute().parent.parent / ".apigen",
    )  # fmt: skip


def config_for_spec(spec_path: Path, output_dir: Path, package: str) -> ApiConfig:
    """Defaults for `apigen generate --spec FILE --output DIR --package NAME`."""
    _checked(package, _PACKAGE_NAME, "package name", "--package")
    stem = package.removesuffix("_client")
    client_class = pascal_case(stem, fallback="Client")
    return ApiConfig(
        name=stem,
        spec_path=spec_path,
        output_dir=output_dir / package,
        package=package,
        client_class=client_class,
        async_client_class="Async" + client_class,
        api_key_env=stem.upper() + "_API_KEY",
        base_url_env=stem.upper() + "_BASE_URL",
        log_env=stem.upper() + "_LOG",
    )
