"""Contract runs: every operation of a generated sync client sent to Prism, and what went wrong.

`run_contract` calls each operation of `package.OPERATIONS` through its generated method with
valid example arguments (`examples.operation_arguments`), against a Prism mock of the same spec,
and sorts every call into one outcome:

* ok: Prism accepted the request and the client returned a result;
* rejected: Prism found the request breaks the spec (the client's fault);
* parse: Prism's response matches the spec but the client could not read it;
* exception: the client raised anything else (before sending, or on a valid response);
* mock: Prism's own response breaks the spec (the spec's or Prism's fault, not the client's);
* unbuildable: the harness found no valid example for the arguments (not the client's fault);
* prism_bug: a documented Prism bug makes the call meaningless (`PRISM_BUGS`, with the reason).
"""

from __future__ import annotations

import inspect
import traceback
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import httpx

from .examples import ExampleError, operation_arguments
from .prism import request_violations, response_violations

OUTCOMES = ("ok", "rejected", "parse", "exception", "mock", "unbuildable", "prism_bug")
FAILURES = ("rejected", "parse", "exception")
# Constructor arguments that are not credentials.
_CLIENT_OPTIONS = frozenset(
    {"self", "base_url", "timeout", "max_retries", "default_headers", "http_client"}
)
TEST_SECRET = "test-key"

# Prism 5.14 bugs, by "<spec file> <METHOD> <path>" (or "* <METHOD> <path>"): the reason is
# kept with the skip so that every exclusion is explained.
_REPEATED_FORM_KEYS = (
    "Prism 5.14 does not read repeated form keys as an array (stoplightio/prism#2473, "
    "PR #2654): the client sends `a=1&a=2` as OpenAPI's default form encoding says"
)
_FORM_OBJECT_ARRAYS = (
    "Prism 5.14 only reads arrays of objects in a form body as JSON text "
    "(stoplightio/prism#2379); the spec's encoding says deepObject (`a[0][b]=v`)"
)
PRISM_BUGS: dict[str, str] = {
    "twilio_messaging_v1.json POST /v1/Services/{MessagingServiceSid}/Compliance/Usa2p": (
        _REPEATED_FORM_KEYS
    ),
    "twilio_messaging_v1.json POST /v1/Services/{MessagingServiceSid}/Compliance/Usa2p/{Sid}": (
        _REPEATED_FORM_KEYS
    ),
    "twilio_messaging_v1.json POST /v1/Tollfree/Verifications": _REPEATED_FORM_KEYS,
    "twilio_messaging_v1.json POST /v1/Tollfree/Verifications/{Sid}": _REPEATED_FORM_KEYS,
    "stripe_slice.json POST /v1/customers": _FORM_OBJECT_ARRAYS,
    "stripe_spec3.yaml POST /v1/customers": _FORM_OBJECT_ARRAYS,
}


@dataclass
class Call:
    operation: str  # "METHOD /path"
    attr_path: str
    outcome: str
    detail: str = ""


@dataclass
class ContractReport:
    spec: str
    calls: list[Call] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counted = Counter(call.outcome for call in self.calls)
        return {outcome: counted.get(outcome, 0) for outcome in OUTCOMES}

    def failures(self) -> list[Call]:
        return [call for call in self.calls if call.outcome in FAILURES]

    def summary(self) -> str:
        counts = self.counts()
        parts = " ".join(f"{name}={counts[name]}" for name in OUTCOMES)
        return f"{self.spec}: calls={len(self.calls)} {parts}"


class _Recorder:
    """Keeps Prism's verdict on the exchanges of the call in progress."""

    def __init__(self) -> None:
        self.sent = 0
        self.rejections: list[str] = []
        self.mock_violations: list[str] = []

    def reset(self) -> None:
        self.sent = 0
        self.rejections = []
        self.mock_violations = []

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        self.sent += 1
        self.rejections += request_violations(response)
        self.mock_violations += response_violations(response)


def client_class(package: ModuleType) -> type[Any]:
    """The package's sync client class (the subclass of its `SyncAPIClient`)."""
    base = package._base_client.SyncAPIClient
    for name in package.__all__:
        candidate = getattr(package, name)
        if isinstance(candidate, type) and issubclass(candidate, base) and candidate is not base:
            return candidate
    raise LookupError(f"{package.__name__} has no sync client class")


def credentials(client: type[Any]) -> dict[str, str]:
    """A test value for every credential the client's constructor takes."""
    parameters = inspect.signature(client.__init__).parameters
    return {
        name: TEST_SECRET
        for name, parameter in parameters.items()
        if name not in _CLIENT_OPTIONS
        and parameter.kind in (parameter.KEYWORD_ONLY, parameter.POSITIONAL_OR_KEYWORD)
    }


def call_arguments(values: Mapping[str, Any], operation: Any) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments of the generated method for example `values`."""
    body = values["body"]
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    for parameter in operation.parameters:
        if parameter.location == "path":
            positional.append(values["path"][parameter.name])
        elif parameter.location == "body":
            if isinstance(body, dict) and parameter.name in body:
                keywords[parameter.python_name] = body[parameter.name]
        elif parameter.name in values.get(parameter.location, {}):
            keywords[parameter.python_name] = values[parameter.location][parameter.name]
    if operation.body_param and body is not None:
        keywords[operation.body_param] = body
    return positional, keywords


def _method(client: Any, attr_path: str) -> Callable[..., Any]:
    target = client
    for part in attr_path.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"


def run_contract(
    spec_name: str,
    document: dict[str, Any],
    package: ModuleType,
    base_url: str,
    *,
    required_only: bool,
) -> ContractReport:
    """Send every operation of `package` once to the Prism at `base_url`; see module doc."""
    report = ContractReport(spec_name)
    recorder = _Recorder()
    errors = package._errors
    cls = client_class(package)
    with (
        httpx.Client(event_hooks={"response": [recorder]}, timeout=60) as http,
        cls(**credentials(cls), base_url=base_url, max_retries=0, http_client=http) as client,
    ):
        for operation in package.OPERATIONS:
            key = f"{operation.method} {operation.path}"
            call = Call(key, operation.attr_path, "ok")
            report.calls.append(call)
            bug = PRISM_BUGS.get(f"{spec_name} {key}") or PRISM_BUGS.get(f"* {key}")
            if bug is not None:
                call.outcome, call.detail = "prism_bug", bug
                continue
            try:
                values = operation_arguments(
                    document, operation.method, operation.path, required_only=required_only
                )
            except ExampleError as exc:
                call.outcome, call.detail = "unbuildable", str(exc)
                continue
            positional, keywords = call_arguments(values, operation)
            recorder.reset()
            raised: BaseException | None = None
            try:
                _method(client, operation.attr_path)(*positional, **keywords)
            except Exception as exc:
                raised = exc
            if recorder.rejections:
                call.outcome, call.detail = "rejected", "; ".join(recorder.rejections)[:500]
            elif recorder.mock_violations:
                call.outcome, call.detail = "mock", "; ".join(recorder.mock_violations)[:500]
            elif raised is None:
                continue
            elif isinstance(raised, errors.APIResponseValidationError):
                call.outcome, call.detail = "parse", _short(raised)
            else:
                where = "before sending" if recorder.sent == 0 else "after the response"
                frames = traceback.extract_tb(raised.__traceback__)
                origin = f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}"
                call.outcome = "exception"
                call.detail = f"{where} ({origin}): {_short(raised)}"
    return report
