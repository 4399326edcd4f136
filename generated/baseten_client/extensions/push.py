"""Push a model directory (a Truss) to Baseten: `client.models.push(...)`.

The flow is the one `POST /v1/prepare_model_upload` exists for:

1. build an uncompressed tar of the model directory in a temporary file: paths relative to
   it, regular files only (symlinks are not followed), `.truss_ignore` applied with gitignore
   semantics (or the default ignores when there is none), and the `external_package_dirs`
   of `config.yaml` inlined under its `bundled_packages_dir`;
2. validate the push and receive temporary S3 credentials (`prepare_model_upload`);
3. upload the archive to S3 with those credentials, streamed from disk, multipart when large;
4. create the model (or a deployment of `model_id`) from the uploaded archive.

Any failure raises one `PushError` and creates nothing; `dry_run=True` stops after the
server-side validation and the archive build. The work needs the `push` extra (boto3,
pathspec, PyYAML); those are imported here only when a push runs, so the rest of the
client still needs only httpx and pydantic. The standard AWS endpoint override
(`AWS_ENDPOINT_URL_S3`) redirects the upload, e.g. to a local S3.
"""

from __future__ import annotations

import asyncio
import io
import os
import stat
import sys
import tarfile
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .. import types
from .._base_client import NOT_GIVEN, AsyncAPIClient, NotGiven, SyncAPIClient
from .._errors import APIError

if TYPE_CHECKING:
    from .._client import AsyncBaseten, Baseten

__all__ = [
    "DEFAULT_MULTIPART_THRESHOLD",
    "DEFAULT_TRUSS_IGNORE",
    "AsyncModelsMixin",
    "ModelArchive",
    "ModelsMixin",
    "ProgressCallback",
    "PushError",
    "PushResult",
    "build_model_archive",
]

ProgressCallback = Callable[[int, int], None]
"""Called with (bytes uploaded so far, archive size) as the upload advances."""

MIB = 1024 * 1024
DEFAULT_MULTIPART_THRESHOLD = 64 * MIB
_MIN_PART_SIZE = 5 * MIB  # S3's smallest part, except the last one
_MAX_PART_SIZE = 64 * MIB
CONFIG_FILE = "config.yaml"
IGNORE_FILE = ".truss_ignore"
DEFAULT_BUNDLED_PACKAGES_DIR = "packages"

# Used when the model directory has no `.truss_ignore` (the Python build, cache and
# environment leftovers that Truss ignores by default).
DEFAULT_TRUSS_IGNORE = (
    "__pycache__/",
    "*.py[cod]",
    "*$py.class",
    "*.so",
    ".Python",
    "build/",
    "develop-eggs/",
    "dist/",
    "downloads/",
    "eggs/",
    ".eggs/",
    "sdist/",
    "wheels/",
    "*.egg-info/",
    ".installed.cfg",
    "*.egg",
    "pip-log.txt",
    "pip-delete-this-directory.txt",
    "htmlcov/",
    ".tox/",
    ".nox/",
    ".coverage",
    ".coverage.*",
    ".cache",
    ".pytest_cache/",
    ".hypothesis/",
    ".mypy_cache/",
    ".ruff_cache/",
    ".ipynb_checkpoints",
    ".env",
    ".venv",
    "env/",
    "venv/",
    ".DS_Store",
    ".git",
    "*.log",
    "*.tmp",
    "*.swp",
)


class PushError(APIError):
    """A model push failed at `step`; no model or deployment was created."""

    def __init__(self, message: str, *, step: str) -> None:
        super().__init__(f"model push failed ({step}): {message}; nothing was created")
        self.step = step


@dataclass(frozen=True)
class ModelArchive:
    """The tar file built from a model directory, and what the API is told about it."""

    path: Path
    size: int
    files: tuple[str, ...]  # archive paths, in archive order
    config: dict[str, Any]  # parsed config.yaml, without `external_package_dirs` once inlined
    raw_config: str  # config.yaml as written


@dataclass(frozen=True)
class PushResult:
    """What a push did. `model` and `deployment` are None after a dry run."""

    model: types.ModelV1 | None
    deployment: types.DeploymentV1 | None
    archive_size: int
    files: tuple[str, ...]
    s3_key: str | None = None


def _import_extra(module: str) -> Any:
    """Import a dependency of the `push` extra, or say how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise PushError(
            f"`{module}` is missing; install the push extra: pip install 'baseten_client[push]'",
            step="setup",
        ) from None


def _read_config(model_dir: Path) -> tuple[dict[str, Any], str]:
    yaml = _import_extra("yaml")
    source = model_dir / CONFIG_FILE
    try:
        raw = source.read_text(encoding="utf-8")
        config = yaml.safe_load(raw)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PushError(f"cannot read {source}: {exc}", step="archive") from None
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise PushError(f"{source} must hold a mapping", step="archive")
    return config, raw


def _ignore_matcher(model_dir: Path) -> Callable[[str], bool]:
    """`.truss_ignore` (gitignore semantics) or the default ignores, as a path predicate."""
    pathspec = _import_extra("pathspec")
    ignore_file = model_dir / IGNORE_FILE
    try:
        lines = ignore_file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = list(DEFAULT_TRUSS_IGNORE)
    except (OSError, UnicodeDecodeError) as exc:
        raise PushError(f"cannot read {ignore_file}: {exc}", step="archive") from None
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    return cast("Callable[[str], bool]", spec.match_file)


def _walk(root: Path, prefix: str, ignored: Callable[[str], bool]) -> Iterator[tuple[str, Path]]:
    """(archive path, file) of every regular file below `root`, in a stable order.

    Symlinks, sockets and devices are skipped, not followed; an ignored directory is not
    entered (as in git, a file below it cannot be re-included).
    """
    with os.scandir(root) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    for entry in entries:
        relative = f"{prefix}{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            if not ignored(relative + "/"):
                yield from _walk(Path(entry.path), relative + "/", ignored)
        elif entry.is_file(follow_symlinks=False) and not ignored(relative):
            yield relative, Path(entry.path)


def _bundled_dir(config: dict[str, Any]) -> str:
    value = config.get("bundled_packages_dir") or DEFAULT_BUNDLED_PACKAGES_DIR
    clean = Path(str(value)).as_posix().strip("/")
    if Path(str(value)).is_absolute() or not clean or ".." in clean.split("/"):
        raise PushError(
            f"bundled_packages_dir {value!r} must stay inside the model", step="archive"
        )
    return clean + "/"


def _members(model_dir: Path, config: dict[str, Any]) -> dict[str, Path | bytes]:
    """Archive path -> file on disk (or bytes of a rewritten config.yaml)."""
    ignored = _ignore_matcher(model_dir)
    members: dict[str, Path | bytes] = dict(_walk(model_dir, "", ignored))
    external = config.pop("external_package_dirs", None) or []
    if not isinstance(external, list):
        raise PushError("external_package_dirs in config.yaml must be a list", step="archive")
    if not external:
        return members
    # The server sees the packages inlined, so the config it gets must not name them.
    yaml = _import_extra("yaml")
    members[CONFIG_FILE] = yaml.safe_dump(config, sort_keys=False).encode()
    prefix = _bundled_dir(config)
    for entry in external:
        directory = model_dir / str(entry)  # an absolute entry stays absolute
        if not directory.is_dir():
            raise PushError(f"external package dir {directory} is not a directory", step="archive")
        for relative, path in _walk(directory, prefix, ignored):
            if relative in members:
                raise PushError(
                    f"{path} and another file both map to {relative} in the archive",
                    step="archive",
                )
            members[relative] = path
    return members


def build_model_archive(model_dir: str | os.PathLike[str], destination: Path) -> ModelArchive:
    """Write the uncompressed tar of `model_dir` to `destination` (see the module docs)."""
    root = Path(model_dir)
    if not root.is_dir():
        raise PushError(f"{root} is not a directory", step="archive")
    config, raw_config = _read_config(root)
    members = _members(root, config)
    try:
        with (
            destination.open("wb") as out,
            tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            for name, source in members.items():
                _add_member(tar, name, source)
    except OSError as exc:
        raise PushError(f"cannot build the archive: {exc}", step="archive") from None
    return ModelArchive(
        path=destination,
        size=destination.stat().st_size,
        files=tuple(members),
        config=config,
        raw_config=raw_config,
    )


def _add_member(tar: tarfile.TarFile, name: str, source: Path | bytes) -> None:
    info = tarfile.TarInfo(name)
    if isinstance(source, bytes):
        info.size, info.mode = len(source), 0o644
        tar.addfile(info, io.BytesIO(source))
        return
    with source.open("rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):  # replaced since the walk
            return
        info.size, info.mode, info.mtime = status.st_size, status.st_mode & 0o777, status.st_mtime
        tar.addfile(info, handle)


@dataclass(frozen=True)
class _Push:
    """One push's arguments, checked before anything is sent."""

    name: str | None
    model_id: str | None
    team_id: str | None
    deployment_name: str | None
    environment_name: str | None
    labels: dict[str, Any] | None
    deploy_timeout_minutes: int | None
    disable_archive_download: bool

    def __post_init__(self) -> None:
        if self.model_id is not None and (
            self.name or self.team_id or self.disable_archive_download
        ):
            raise PushError(
                "name, team_id and disable_archive_download only apply to a new model, "
                "not to a deployment of model_id",
                step="arguments",
            )

    def model_name(self, archive: ModelArchive) -> str:
        name = self.name or archive.config.get("model_name")
        if not isinstance(name, str) or not name:
            raise PushError(
                "pass name=... or set model_name in config.yaml (or model_id=...)", step="arguments"
            )
        return name

    def payload(self, archive: ModelArchive) -> types.DeploymentArchivePayloadV1:
        optional = {
            "deployment_name": self.deployment_name,
            "environment_name": self.environment_name,
            "labels": self.labels,
            "deploy_timeout_minutes": self.deploy_timeout_minutes,
        }
        given = {key: value for key, value in optional.items() if value is not None}
        return types.DeploymentArchivePayloadV1.model_validate(
            {"config": archive.config, "raw_config": archive.raw_config, **given}
        )

    def prepare_arguments(self, archive: ModelArchive, dry_run: bool) -> dict[str, Any]:
        """Keyword arguments of `prepare_model_upload`: exactly one of name and model_id."""
        new_model = self.model_id is None
        return {
            "deployment": self.payload(archive),
            "name": self.model_name(archive) if new_model else NOT_GIVEN,
            "model_id": _given(self.model_id),
            "team_id": _given(self.team_id),
            "dry_run": dry_run,
        }

    def source(
        self, archive: ModelArchive, s3_key: str
    ) -> types.ModelArchiveSourceV1 | types.DeploymentArchiveSourceV1:
        # `kind` is passed although it has a default: only fields that were set are sent.
        if self.model_id is not None:
            return types.DeploymentArchiveSourceV1(
                kind="model_archive", deployment=self.payload(archive), s3_key=s3_key
            )
        source = types.ModelArchiveSourceV1(
            kind="model_archive",
            name=self.model_name(archive),
            deployment=self.payload(archive),
            s3_key=s3_key,
        )
        if self.disable_archive_download:
            source.disable_archive_download = True
        return source


def _given(value: str | None) -> str | NotGiven:
    return NOT_GIVEN if value is None else value


@dataclass(frozen=True)
class _UploadTarget:
    bucket: str
    key: str
    region: str | None
    credentials: types.AWSCredentialsV1


def _upload_target(prepared: types.PrepareModelUploadResponseV1) -> _UploadTarget:
    if prepared.creds is None or not prepared.s3_bucket or not prepared.s3_key:
        raise PushError("the server issued no upload credentials", step="prepare")
    return _UploadTarget(prepared.s3_bucket, prepared.s3_key, prepared.s3_region, prepared.creds)


def _upload(
    archive: ModelArchive,
    target: _UploadTarget,
    progress: ProgressCallback | None,
    multipart_threshold: int,
) -> None:
    """Upload the archive from disk; a failed multipart upload is aborted by boto3."""
    boto3 = _import_extra("boto3")
    transfer = _import_extra("boto3.s3.transfer")
    session = boto3.session.Session(
        aws_access_key_id=target.credentials.aws_access_key_id,
        aws_secret_access_key=target.credentials.aws_secret_access_key,
        aws_session_token=target.credentials.aws_session_token,
        region_name=target.region,
    )
    threshold = max(multipart_threshold, 1)
    config = transfer.TransferConfig(
        multipart_threshold=threshold,
        multipart_chunksize=min(max(threshold, _MIN_PART_SIZE), _MAX_PART_SIZE),
    )
    report = _progress_reporter(archive.size, progress)
    try:
        session.client("s3").upload_file(
            str(archive.path), target.bucket, target.key, Config=config, Callback=report
        )
    except Exception as exc:  # boto3's errors, or the progress callback asking to stop
        raise PushError(_upload_failure(exc, target), step="upload") from exc
    finally:
        report.close()


def _upload_failure(exc: BaseException, target: _UploadTarget) -> str:
    """What went wrong, from the S3 response found in the exception chain if there is one."""
    where = f"s3://{target.bucket}/{target.key}"
    cause: BaseException | None = exc
    while cause is not None and not isinstance(getattr(cause, "response", None), dict):
        cause = cause.__cause__ or cause.__context__
    response: dict[str, Any] = getattr(cause, "response", None) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    error = response.get("Error", {})
    if status is None:
        return f"the upload to {where} was interrupted: {exc}"
    reason = f"S3 answered {status} {error.get('Code', '')}: {error.get('Message', '')}"
    if status == 403:
        return f"{reason} (the upload credentials are expired or wrong; upload to {where})"
    return f"{reason} (upload to {where})"


class _ProgressReporter:
    """Adds up boto3's per-chunk byte counts (from its worker threads) for the caller; draws
    a progress bar on stderr when it is a terminal and no callback was given."""

    def __init__(self, total: int, callback: ProgressCallback | None, bar: bool) -> None:
        self.total, self.sent, self.callback, self.bar = total, 0, callback, bar
        self._lock = threading.Lock()

    def __call__(self, amount: int) -> None:
        with self._lock:
            self.sent += amount
            sent = self.sent
            if self.bar:
                self._draw(sent)
        if self.callback is not None:
            self.callback(sent, self.total)

    def _draw(self, sent: int) -> None:
        share = sent / self.total if self.total else 1.0
        filled = int(share * 30)
        sys.stderr.write(
            f"\rUploading [{'#' * filled}{'.' * (30 - filled)}] {share:4.0%} "
            f"{sent / MIB:.1f}/{self.total / MIB:.1f} MiB"
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.bar:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _progress_reporter(total: int, callback: ProgressCallback | None) -> _ProgressReporter:
    return _ProgressReporter(total, callback, bar=callback is None and sys.stderr.isatty())


class ModelsMixin:
    """Adds `push` to `client.models`."""

    _client: SyncAPIClient

    def push(
        self,
        path: str | os.PathLike[str],
        *,
        name: str | None = None,
        model_id: str | None = None,
        team_id: str | None = None,
        deployment_name: str | None = None,
        environment_name: str | None = None,
        labels: dict[str, Any] | None = None,
        deploy_timeout_minutes: int | None = None,
        disable_archive_download: bool = False,
        dry_run: bool = False,
        progress: ProgressCallback | None = None,
        multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
    ) -> PushResult:
        """Deploy the model directory `path`: a new model, or a deployment of `model_id`.

        Args:
            path: The model directory (holding `config.yaml`).
            name: Name of the new model; defaults to `model_name` of `config.yaml`.
            model_id: Add a deployment to this existing model instead of creating one.
            team_id: Team of the new model (default: the organization's default team).
            deployment_name: Human-readable name of the deployment.
            environment_name: Stable environment to push to (e.g. `production`).
            labels: Key-value labels of the deployment.
            deploy_timeout_minutes: Deploy timeout, 10 to 1440 minutes.
            disable_archive_download: Make the archive of a new model not downloadable.
            dry_run: Validate the push and build the archive; upload and create nothing.
            progress: Called with (bytes uploaded, archive size) during the upload; without
                it a progress bar is drawn when stderr is a terminal.
            multipart_threshold: Archives of at least this many bytes upload in parts.

        Raises:
            PushError: Any step failed; nothing was created.
        """
        client = cast("Baseten", self._client)
        push = _Push(
            name=name,
            model_id=model_id,
            team_id=team_id,
            deployment_name=deployment_name,
            environment_name=environment_name,
            labels=labels,
            deploy_timeout_minutes=deploy_timeout_minutes,
            disable_archive_download=disable_archive_download,
        )
        with tempfile.TemporaryDirectory(prefix="baseten-push-") as scratch:
            archive = build_model_archive(path, Path(scratch) / "model.tar")
            try:
                prepared = client.prepare_model_upload(**push.prepare_arguments(archive, dry_run))
            except APIError as exc:
                raise PushError(exc.message, step="prepare") from exc
            if dry_run:
                return PushResult(None, None, archive.size, archive.files)
            target = _upload_target(prepared)
            _upload(archive, target, progress, multipart_threshold)
            source = push.source(archive, target.key)
            try:
                if isinstance(source, types.DeploymentArchiveSourceV1):
                    created = client.models.deployments.create(cast(str, model_id), source=source)
                elif team_id is not None:
                    created = client.teams.models.create(team_id, source=source)
                else:
                    created = client.models.create(source=source)
            except APIError as exc:
                raise PushError(exc.message, step="create") from exc
        return PushResult(
            created.model, created.deployment, archive.size, archive.files, target.key
        )


class AsyncModelsMixin:
    """Adds `push` to `async_client.models`; disk and S3 work runs in a worker thread."""

    _client: AsyncAPIClient

    async def push(
        self,
        path: str | os.PathLike[str],
        *,
        name: str | None = None,
        model_id: str | None = None,
        team_id: str | None = None,
        deployment_name: str | None = None,
        environment_name: str | None = None,
        labels: dict[str, Any] | None = None,
        deploy_timeout_minutes: int | None = None,
        disable_archive_download: bool = False,
        dry_run: bool = False,
        progress: ProgressCallback | None = None,
        multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
    ) -> PushResult:
        """Deploy the model directory `path` (see `Baseten().models.push`)."""
        client = cast("AsyncBaseten", self._client)
        push = _Push(
            name=name,
            model_id=model_id,
            team_id=team_id,
            deployment_name=deployment_name,
            environment_name=environment_name,
            labels=labels,
            deploy_timeout_minutes=deploy_timeout_minutes,
            disable_archive_download=disable_archive_download,
        )
        with tempfile.TemporaryDirectory(prefix="baseten-push-") as scratch:
            archive = await asyncio.to_thread(
                build_model_archive, path, Path(scratch) / "model.tar"
            )
            try:
                prepared = await client.prepare_model_upload(
                    **push.prepare_arguments(archive, dry_run)
                )
            except APIError as exc:
                raise PushError(exc.message, step="prepare") from exc
            if dry_run:
                return PushResult(None, None, archive.size, archive.files)
            target = _upload_target(prepared)
            await asyncio.to_thread(_upload, archive, target, progress, multipart_threshold)
            source = push.source(archive, target.key)
            try:
                if isinstance(source, types.DeploymentArchiveSourceV1):
                    created = await client.models.deployments.create(
                        cast(str, model_id), source=source
                    )
                elif team_id is not None:
                    created = await client.teams.models.create(team_id, source=source)
                else:
                    created = await client.models.create(source=source)
            except APIError as exc:
                raise PushError(exc.message, step="create") from exc
        return PushResult(
            created.model, created.deployment, archive.size, archive.files, target.key
        )
