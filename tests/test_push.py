"""`client.models.push` of the committed Baseten client, against real servers on 127.0.0.1:
moto's S3 server (checking credentials) for the upload and a recording Baseten-shaped API
server for `prepare_model_upload` and the create calls."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support.examples import example_for
from support.generated import import_generated
from support.local_server import LocalServer, Reply
from support.s3_server import BUCKET, REGION, MotoS3Server, S3Credentials

REPO = Path(__file__).parent.parent
SPEC = json.loads((REPO / "specs" / "baseten" / "openapi.json").read_text(encoding="utf-8"))
S3_KEY = "models/abc123/model.tar"
CONFIG_YAML = "model_name: tiny\nresources:\n  cpu: '1'\nexternal_package_dirs:\n  - ../shared\n"


def _example(schema_name: str) -> Any:
    return example_for({"$ref": f"#/components/schemas/{schema_name}"}, SPEC)


CREATED = _example("CreatedModelDeploymentV1")


@pytest.fixture(scope="module")
def baseten() -> ModuleType:
    return import_generated(REPO / "generated", "baseten_client")


@pytest.fixture(scope="module")
def s3() -> Iterator[MotoS3Server]:
    server = MotoS3Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api_server() -> Iterator[LocalServer]:
    local = LocalServer()
    local.start()
    yield local
    local.stop()


@pytest.fixture
def api(api_server: LocalServer, s3: MotoS3Server, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    """The API server, emptied; the S3 upload goes to moto through the standard override."""
    api_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3.url)
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.setenv(name, os.devnull)
    for item in s3.client().list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.client().delete_object(Bucket=BUCKET, Key=item["Key"])
    return api_server


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A Truss with ignored files, symlinks and an external package dir."""
    root = tmp_path / "tiny"
    (root / "model").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG_YAML)
    (root / "model" / "model.py").write_text("class Model:\n    pass\n")
    (root / "model" / "__pycache__").mkdir()
    (root / "model" / "__pycache__" / "model.cpython-311.pyc").write_bytes(b"\0compiled")
    (root / "data").mkdir()
    (root / "data" / "weights.bin").write_bytes(bytes(range(256)) * 4)
    (root / "data" / "notes.log").write_text("ignored by default")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "link.py").symlink_to(root / "model" / "model.py")
    (root / "linked_dir").symlink_to(root / "data")
    shared = tmp_path / "shared" / "helpers"
    shared.mkdir(parents=True)
    (shared / "util.py").write_text("VALUE = 1\n")
    return root


def prepare_reply(creds: S3Credentials) -> Reply:
    return Reply(
        200,
        {
            "creds": {
                "aws_access_key_id": creds.access_key_id,
                "aws_secret_access_key": creds.secret_access_key,
                "aws_session_token": creds.session_token,
            },
            "s3_bucket": BUCKET,
            "s3_key": S3_KEY,
            "s3_region": REGION,
        },
    )


def archive_entries(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        members = tar.getmembers()
        assert all(member.isreg() for member in members)
        return {m.name: tar.extractfile(m).read() for m in members}  # type: ignore[union-attr]


def test_archive_holds_regular_files_relative_to_the_model_without_ignored_ones(
    baseten: ModuleType, model_dir: Path, tmp_path: Path
) -> None:
    from baseten_client.extensions.push import build_model_archive

    archive = build_model_archive(model_dir, tmp_path / "a.tar")
    entries = archive_entries((tmp_path / "a.tar").read_bytes())
    assert sorted(entries) == [
        "config.yaml",
        "data/weights.bin",
        "model/model.py",
        "packages/helpers/util.py",
    ]
    assert entries["data/weights.bin"] == (model_dir / "data" / "weights.bin").read_bytes()
    assert entries["packages/helpers/util.py"] == b"VALUE = 1\n"
    # the packages are inlined, so neither the archived config nor the API's names them
    assert b"external_package_dirs" not in entries["config.yaml"]
    assert "external_package_dirs" not in archive.config
    assert archive.raw_config == CONFIG_YAML
    assert archive.size == (tmp_path / "a.tar").stat().st_size


def test_truss_ignore_replaces_the_defaults_with_gitignore_rules(
    baseten: ModuleType, model_dir: Path, tmp_path: Path
) -> None:
    from baseten_client.extensions.push import build_model_archive

    (model_dir / ".truss_ignore").write_text(
        "data/*\n!data/notes.log\n*.py[cod]\n/config.yaml.bak\n"
    )
    (model_dir / "config.yaml.bak").write_text("old")
    (model_dir / "model" / "config.yaml.bak").write_text("kept: not at the root")
    build_model_archive(model_dir, tmp_path / "a.tar")
    names = set(archive_entries((tmp_path / "a.tar").read_bytes()))
    assert "data/notes.log" in names and "data/weights.bin" not in names
    assert ".git/HEAD" in names  # only the defaults ignore .git
    assert "model/config.yaml.bak" in names and "config.yaml.bak" not in names
    assert not any(name.endswith(".pyc") for name in names)


def test_push_uploads_the_archive_then_creates_the_model(
    baseten: ModuleType, api: LocalServer, s3: MotoS3Server, model_dir: Path, tmp_path: Path
) -> None:
    from baseten_client.extensions.push import build_model_archive

    api.script(prepare_reply(s3.temporary_credentials()), Reply(200, CREATED))
    seen: list[tuple[int, int]] = []
    with baseten.Baseten(api_key="k", base_url=api.url, max_retries=0) as client:
        result = client.models.push(
            model_dir, environment_name="production", progress=lambda *p: seen.append(p)
        )

    prepare, create = api.requests
    assert (prepare.method, prepare.path) == ("POST", "/v1/prepare_model_upload")
    assert prepare.json()["name"] == "tiny" and prepare.json()["dry_run"] is False
    assert prepare.json()["deployment"]["config"] == {
        "model_name": "tiny",
        "resources": {"cpu": "1"},
    }
    assert prepare.json()["deployment"]["raw_config"] == CONFIG_YAML
    assert (create.method, create.path) == ("POST", "/v1/models")
    assert create.json()["source"] == {
        "kind": "model_archive",
        "name": "tiny",
        "s3_key": S3_KEY,
        "deployment": prepare.json()["deployment"],
    }
    uploaded = s3.client().get_object(Bucket=BUCKET, Key=S3_KEY)["Body"].read()
    build_model_archive(model_dir, tmp_path / "again.tar")
    assert uploaded == (tmp_path / "again.tar").read_bytes()
    assert result.archive_size == len(uploaded) and result.s3_key == S3_KEY
    assert result.model.id == CREATED["model"]["id"]
    assert result.deployment.id == CREATED["deployment"]["id"]
    assert seen and seen[-1] == (len(uploaded), len(uploaded))


def test_large_archive_uploads_in_parts_and_async_push_adds_a_deployment(
    baseten: ModuleType, api: LocalServer, s3: MotoS3Server, model_dir: Path
) -> None:
    (model_dir / "data" / "big.bin").write_bytes(os.urandom(11 * 1024 * 1024))
    api.script(prepare_reply(s3.temporary_credentials()), Reply(200, CREATED))

    async def push() -> Any:
        async with baseten.AsyncBaseten(api_key="k", base_url=api.url, max_retries=0) as client:
            return await client.models.push(
                model_dir, model_id="m-42", multipart_threshold=5 * 1024 * 1024
            )

    result = asyncio.run(push())
    prepare, create = api.requests
    assert prepare.json()["model_id"] == "m-42" and "name" not in prepare.json()
    assert (create.method, create.path) == ("POST", "/v1/models/m-42/deployments")
    assert create.json()["source"]["kind"] == "model_archive"
    assert create.json()["source"]["s3_key"] == S3_KEY
    head = s3.client().head_object(Bucket=BUCKET, Key=S3_KEY)
    assert head["ETag"].strip('"').endswith("-3")  # three parts of at most 5 MiB
    uploaded = s3.client().get_object(Bucket=BUCKET, Key=S3_KEY)["Body"].read()
    assert (
        archive_entries(uploaded)["data/big.bin"] == (model_dir / "data" / "big.bin").read_bytes()
    )
    assert result.archive_size == len(uploaded)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the push keeps its temporary archive."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def assert_nothing_created(api: LocalServer, s3: MotoS3Server) -> None:
    assert [r.path for r in api.requests] == ["/v1/prepare_model_upload"]
    listing = s3.client().list_objects_v2(Bucket=BUCKET)
    assert listing.get("KeyCount", 0) == 0
    assert not s3.client().list_multipart_uploads(Bucket=BUCKET).get("Uploads")


def test_refused_credentials_end_in_one_error_and_create_nothing(
    baseten: ModuleType, api: LocalServer, s3: MotoS3Server, model_dir: Path, scratch: Path
) -> None:
    before = tree(model_dir)
    issued = s3.temporary_credentials()
    api.script(prepare_reply(S3Credentials(issued.access_key_id, "wrong", issued.session_token)))
    with (
        baseten.Baseten(api_key="k", base_url=api.url, max_retries=0) as client,
        pytest.raises(baseten.extensions.push.PushError) as caught,
    ):
        client.models.push(model_dir)
    assert caught.value.step == "upload"
    assert "403" in str(caught.value) and "expired or wrong" in str(caught.value)
    assert "nothing was created" in str(caught.value)
    assert_nothing_created(api, s3)
    assert tree(model_dir) == before and list(scratch.iterdir()) == []  # archive removed


def test_interrupted_multipart_upload_is_aborted_and_creates_nothing(
    baseten: ModuleType, api: LocalServer, s3: MotoS3Server, model_dir: Path
) -> None:
    (model_dir / "data" / "big.bin").write_bytes(os.urandom(11 * 1024 * 1024))
    api.script(prepare_reply(s3.temporary_credentials()))

    def interrupt(sent: int, total: int) -> None:
        raise RuntimeError("connection lost")

    with (
        baseten.Baseten(api_key="k", base_url=api.url, max_retries=0) as client,
        pytest.raises(baseten.extensions.push.PushError, match="interrupted") as caught,
    ):
        client.models.push(model_dir, progress=interrupt, multipart_threshold=5 * 1024 * 1024)
    assert caught.value.step == "upload"
    assert_nothing_created(api, s3)


def test_failing_prepare_uploads_and_creates_nothing(
    baseten: ModuleType, api: LocalServer, s3: MotoS3Server, model_dir: Path
) -> None:
    api.script(Reply(422, {"detail": "model_name is taken"}))
    with (
        baseten.Baseten(api_key="k", base_url=api.url, max_retries=0) as client,
        pytest.raises(baseten.extensions.push.PushError, match="model_name is taken") as caught,
    ):
        client.models.push(model_dir)
    assert caught.value.step == "prepare"
    assert isinstance(caught.value.__cause__, baseten.UnprocessableEntityError)
    assert_nothing_created(api, s3)


def test_dry_run_validates_and_builds_but_creates_nothing(
    baseten: ModuleType, api: LocalServer, s3: MotoS3Server, model_dir: Path
) -> None:
    api.script(Reply(200, {"creds": None, "s3_bucket": None, "s3_key": None, "s3_region": None}))
    with baseten.Baseten(api_key="k", base_url=api.url, max_retries=0) as client:
        result = client.models.push(model_dir, name="renamed", dry_run=True)
    (prepare,) = api.requests
    assert prepare.json()["dry_run"] is True and prepare.json()["name"] == "renamed"
    assert result.model is None and result.deployment is None and result.s3_key is None
    assert "model/model.py" in result.files and result.archive_size > 0
    assert_nothing_created(api, s3)


def test_invalid_arguments_fail_before_any_request(
    baseten: ModuleType, api: LocalServer, model_dir: Path
) -> None:
    with (
        baseten.Baseten(api_key="k", base_url=api.url, max_retries=0) as client,
        pytest.raises(baseten.extensions.push.PushError, match="only apply to a new model"),
    ):
        client.models.push(model_dir, model_id="m-1", team_id="t-1")
    with (
        baseten.Baseten(api_key="k", base_url=api.url, max_retries=0) as client,
        pytest.raises(baseten.extensions.push.PushError, match="not to a deployment"),
    ):
        client.models.push(model_dir, model_id="m-1", name="other")
    (model_dir / "config.yaml").write_text("resources: {}\n")
    with (
        baseten.Baseten(api_key="k", base_url=api.url, max_retries=0) as client,
        pytest.raises(baseten.extensions.push.PushError, match="pass name="),
    ):
        client.models.push(model_dir)
    assert api.requests == []


def test_the_client_imports_without_the_push_extra() -> None:
    """boto3, pathspec and PyYAML are imported by a push only."""
    code = (
        "import sys, baseten_client\n"
        "from baseten_client.extensions import push\n"
        "print(sorted({'boto3', 'botocore', 'pathspec', 'yaml'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO / "generated",
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_progress_bar_is_drawn_on_a_terminal_without_a_callback(
    baseten: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baseten_client.extensions import push

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    report = push._progress_reporter(4 * push.MIB, None)
    report(push.MIB)
    report(3 * push.MIB)
    report.close()
    frames = terminal.getvalue().split("\r")
    assert "25%" in frames[1] and "1.0/4.0 MiB" in frames[1]
    assert "100%" in frames[2] and terminal.getvalue().endswith("\n")
    # with a callback, or off a terminal, nothing is drawn
    assert not push._progress_reporter(10, lambda sent, total: None).bar
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not push._progress_reporter(10, None).bar
