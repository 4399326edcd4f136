"""Read a spec from a file or from a git revision (`HEAD~1:specs/baseten/openapi.json`)."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

from generator.errors import InputError
from generator.loader import LoadedSpec, load_spec, parse_document

# REV:path where REV is anything git accepts; a Windows drive (C:\...) is not a revision.
_REVISION = re.compile(r"^(?P<rev>[^:\s-][^:]*):(?P<path>.+)$")


def load_revision(spec: str, repo: Path) -> tuple[str, bytes]:
    """(name for messages, raw bytes) of `spec`: an existing file path, else `REV:path`
    resolved in the git repository `repo` (path relative to the repository root, or to
    the current directory when written `REV:./path`, as git does)."""
    path = Path(spec)
    if path.is_file():
        try:
            return spec, path.read_bytes()
        except OSError as error:
            raise InputError(f"{spec}: cannot read: {error.strerror}") from None
    match = _REVISION.match(spec)
    if match is None or re.match(r"^[A-Za-z]:[\\/]", spec):
        raise InputError(f"{spec}: no such file (nor a REV:path git revision)")
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), "show", f"{match['rev']}:{match['path']}"],
            capture_output=True,
            check=False,
        )
    except OSError as error:
        raise InputError(f"{spec}: cannot run git: {error.strerror}") from None
    if result.returncode != 0:
        reason = " ".join(result.stderr.decode("utf-8", "replace").split()) or "git show failed"
        raise InputError(f"{spec}: {reason}")
    return spec, result.stdout


def load_spec_source(spec: str, repo: Path) -> LoadedSpec:
    """Load and parse `spec` (a file, bundled like any input, or a `REV:path` revision)."""
    if Path(spec).is_file():
        return load_spec(Path(spec))
    name, data = load_revision(spec, repo)
    document = parse_document(data, name)
    text = data.decode("utf-8", "replace")
    return LoadedSpec(document, name, hashlib.sha256(data).hexdigest(), text)


def checkout_path(spec: str, repo: Path) -> str:
    """The file `spec` (a path or `REV:path`) names in the working tree, relative to the root
    of the git repository around `repo` (the root GitHub annotations are relative to)."""
    match = _REVISION.match(spec)
    if match is None or Path(spec).is_file():
        path = (repo / spec).resolve()
    elif match["path"].startswith("./"):
        path = (repo / match["path"]).resolve()
    else:
        return match["path"]
    root = repository_root(repo)
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return spec


def repository_root(repo: Path) -> Path:
    """The top of the git working tree around `repo` (`repo` itself outside git)."""
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return repo.resolve()
    top = result.stdout.strip()
    return Path(top).resolve() if result.returncode == 0 and top else repo.resolve()
