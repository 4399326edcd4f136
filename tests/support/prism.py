"""Run Stoplight Prism (`prism mock`) as an independent, validating mock of an OpenAPI spec.

Prism checks every request against the spec (path, method, parameters, body, security) and
answers with a response generated from the spec. Observed with @stoplight/prism-cli 5.14.2
(pinned in tools/prism/package.json):

* Valid request: a mock response. Status: the operation's first 2xx response. Body: that media
  type's `example` (or first of `examples`) when present, else generated from the schema.
  Static mode (the default here) generates deterministic placeholders such as "string", 0,
  "2019-08-24T14:15:22Z"; `dynamic=True` (`--dynamic --seed`) uses json-schema-faker instead.
  OpenAPI 3.1 type lists (`["string", "null"]`), `anyOf` with null, `const`, `oneOf` and formats
  (date, date-time, uuid, ...) are validated as JSON Schema (Ajv); `discriminator` is not
  enforced beyond what `oneOf`/`const` already say. `readOnly` properties are stripped from
  request schemas.
* Request that breaks the spec, when the operation declares no 422/400 response: Prism answers
  itself with `Content-Type: application/problem+json` and a body like
  `{"type": "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY", "status": 422,
  "validation": [{"location": ["body", "name"], "severity": "Error", "code": "type",
  "message": "Request body property name must be string"}]}`. Other problems Prism makes for
  requests: UNAUTHORIZED 401 (security requirement not met; the scheme word is case-sensitive:
  `Bearer x` passes, `bearer x` does not), INVALID_CONTENT_TYPE 415, NOT_ACCEPTABLE 406,
  NO_PATH_MATCHED_ERROR 404, NO_METHOD_MATCHED_ERROR 405.
* When the operation does declare a 422/400 response, Prism mocks that response instead and
  lists the violations in the `sl-violations` header (a JSON array; locations start with
  "request").
* A body that is not JSON at all: 400 `{"error": {"code": "invalid_json", ...}}` (Prism's HTTP
  layer; not problem+json).
* Prism's own mock breaking the spec (e.g. an `example` that does not match its schema):
  `sl-violations` entries whose location starts with "response"; with `errors=True`
  (`--errors`) the reply becomes a 500 problem of type VIOLATIONS instead.

So `request_violations(response)` is empty exactly when Prism accepted the request, and
`response_violations(response)` is empty when the mock itself matches the spec.

Prism only reads the spec file; `prism mock` makes no network calls (it ran fine in a network
namespace with no interfaces). The binary comes from $PRISM or .tools/prism (`make tools`).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PRISM = REPO_ROOT / ".tools" / "prism" / "node_modules" / ".bin" / "prism"
HOST = "127.0.0.1"
STARTUP_DEADLINE_SECONDS = 60.0
BIG_SPEC_BYTES = 200_000  # Prism takes about a minute per megabyte of spec to start
PRISM_PROBLEM_PREFIX = "https://stoplight.io/prism/errors#"
# Problems Prism makes about the request; the others (VIOLATIONS, SCHEMA_TOO_COMPLEX,
# NO_RESPONSE_RESPONSE_DEFINED) are about the spec or Prism's own mock response.
REQUEST_PROBLEMS = frozenset(
    {
        "UNPROCESSABLE_ENTITY",
        "UNAUTHORIZED",
        "INVALID_CONTENT_TYPE",
        "NOT_ACCEPTABLE",
        "NOT_FOUND",
        "NO_PATH_MATCHED_ERROR",
        "NO_METHOD_MATCHED_ERROR",
        "NO_SERVER_MATCHED_ERROR",
    }
)
_TRUNCATED_VIOLATIONS = "request/response"  # counted on both sides: no way to tell
# One complete entry of a truncated `sl-violations` header: its location and message.
_TRUNCATED_ENTRY = re.compile(r'\{"location":\[([^\]]*)\],[^{}]*?"message":"((?:[^"\\]|\\.)*)"\}')
_PORT_ATTEMPTS = 3  # a free port can be taken by someone else before Prism binds it


class PrismNotInstalled(RuntimeError):
    """The Prism executable is missing."""


class PrismFailedToStart(RuntimeError):
    """Prism exited, or did not listen before the deadline."""


def prism_binary() -> Path:
    """Path of the Prism executable: $PRISM (relative to the repository root) or .tools/prism."""
    configured = os.environ.get("PRISM")
    binary = REPO_ROOT / configured if configured else DEFAULT_PRISM
    if not binary.is_file():
        source = "PRISM" if configured else "the default location"
        raise PrismNotInstalled(
            f"Prism not found at {binary} ({source}); run `make tools` to install the pinned "
            "@stoplight/prism-cli into .tools/prism"
        )
    return binary


@contextmanager
def start_prism(
    spec_path: Path, *, port: int | None = None, errors: bool = False, dynamic: bool = False
) -> Iterator[str]:
    """Run `prism mock spec_path` on 127.0.0.1 and yield its base URL, e.g. http://127.0.0.1:4010.

    `port=None` picks a free port. `errors=True` passes `--errors` (a mock that breaks the spec
    becomes a 500 VIOLATIONS problem); `dynamic=True` passes `--dynamic` with a fixed seed.
    Raises PrismNotInstalled or PrismFailedToStart (with Prism's output). Prism's whole process
    group is terminated on exit.
    """
    binary = prism_binary()
    for attempt in range(1, _PORT_ATTEMPTS + 1):
        chosen_port = port if port is not None else _free_port()
        command = [str(binary), "mock", str(Path(spec_path).resolve())]
        command += ["--host", HOST, "--port", str(chosen_port)]
        if errors:
            command.append("--errors")
        if dynamic:
            command += ["--dynamic", "--seed", "apigen"]
        # Files, not pipes: Prism logs every request and a full pipe would block it.
        with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,  # own process group, so cleanup reaches every child
                env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"},
            )
            try:
                failure = _wait_until_listening(
                    process, chosen_port, stdout, _startup_deadline(spec_path)
                )
                if failure is None:
                    yield f"http://{HOST}:{chosen_port}"
                    return
                details = _prism_output(stdout, stderr)
            finally:
                _stop(process)
        if port is None and "EADDRINUSE" in details and attempt < _PORT_ATTEMPTS:
            continue
        raise PrismFailedToStart(f"Prism on {spec_path} {failure}:\n{details}")


def _startup_deadline(spec_path: Path) -> float:
    size = Path(spec_path).stat().st_size
    return STARTUP_DEADLINE_SECONDS * max(1.0, size / BIG_SPEC_BYTES)


def request_violations(response: httpx.Response) -> list[str]:
    """Why Prism rejected the request, one line per violation; empty when Prism accepted it."""
    problem_type, problem = _prism_problem(response)
    if problem_type in REQUEST_PROBLEMS:
        return _violation_lines(problem.get("validation")) or [
            f"{problem_type}: {problem.get('title', '')} {problem.get('detail', '')}".strip()
        ]
    error = _json_body(response).get("error")
    if (
        response.status_code == 400
        and isinstance(error, dict)
        and error.get("code") == "invalid_json"
    ):
        return ["body: not valid JSON"]
    return [line for line in _header_violations(response) if line.startswith("request")]


def response_violations(response: httpx.Response) -> list[str]:
    """Where Prism's own mock response breaks the spec; empty when it matches."""
    problem_type, problem = _prism_problem(response)
    if problem_type is not None and problem_type not in REQUEST_PROBLEMS:
        return _violation_lines(problem.get("validation")) or [
            f"{problem_type}: {problem.get('detail', '')}"
        ]
    return [
        line
        for line in _header_violations(response)
        if line.startswith(("response", _TRUNCATED_VIOLATIONS))
    ]


def prism_problem_type(response: httpx.Response) -> str | None:
    """The Prism problem type (e.g. "UNPROCESSABLE_ENTITY") or None for a response from the spec."""
    return _prism_problem(response)[0]


def _prism_problem(response: httpx.Response) -> tuple[str | None, dict[str, Any]]:
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return None, {}
    problem = _json_body(response)
    problem_type = problem.get("type")
    if not isinstance(problem_type, str) or not problem_type.startswith(PRISM_PROBLEM_PREFIX):
        return None, {}
    return problem_type.removeprefix(PRISM_PROBLEM_PREFIX), problem


def _header_violations(response: httpx.Response) -> list[str]:
    header = response.headers.get("sl-violations")
    if header is None:
        return []
    try:
        violations = json.loads(header)
    except ValueError:
        # Prism truncates long headers to "Too many violations! [...": read the entries shown.
        shown = [
            f"{_location(match.group(1))}: {match.group(2)}"
            for match in _TRUNCATED_ENTRY.finditer(header)
        ]
        return shown or [f"{_TRUNCATED_VIOLATIONS}: {header}"]
    return _violation_lines(violations)


def _location(parts: str) -> str:
    """`"response","body","user"` -> `response.body.user`."""
    return ".".join(part.strip('"') for part in parts.split(","))


def _violation_lines(violations: Any) -> list[str]:
    if not isinstance(violations, list):
        return []
    return [
        f"{'.'.join(str(part) for part in item.get('location', []))}: {item.get('message', '')}"
        for item in violations
        if isinstance(item, dict) and item.get("severity", "Error") == "Error"
    ]


def _json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_listening(
    process: subprocess.Popen[bytes], port: int, log: IO[bytes], seconds: float
) -> str | None:
    """None once Prism logs that it listens, else what went wrong.

    Prism's own log line, not a successful connect, is the signal: another process may hold the
    port while Prism is still starting (and about to fail with EADDRINUSE).
    """
    ready_line = f"Prism is listening on http://{HOST}:{port}".encode()
    deadline = time.monotonic() + seconds
    seen = b""
    while time.monotonic() < deadline:
        # pread leaves the file offset alone: Prism writes through the same open file.
        seen += os.pread(log.fileno(), 1 << 16, len(seen))
        if ready_line in seen:
            return None
        if process.poll() is not None:
            return f"exited with status {process.returncode} before listening on port {port}"
        time.sleep(0.05)
    return f"did not listen on port {port} within {seconds:.0f} s"


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue


def _prism_output(stdout: IO[bytes], stderr: IO[bytes]) -> str:
    """Prism's fatal log lines and stderr, without the usage text yargs prints on failure."""
    stdout.seek(0)
    stderr.seek(0)
    fatal = [
        line for line in stdout.read().decode(errors="replace").splitlines() if "fatal" in line
    ]
    kept: list[str] = []
    in_usage = False
    for line in stderr.read().decode(errors="replace").splitlines():
        if line.startswith("prism mock <document>"):
            in_usage = True
        if not in_usage:
            kept.append(line)
        if in_usage and line.lstrip().startswith("--seed"):
            in_usage = False
    text = "\n".join([*fatal, *kept]).strip()
    lines = text.splitlines()[-40:]
    return "\n".join(lines) or "(Prism printed nothing)"
