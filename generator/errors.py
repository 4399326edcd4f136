"""Errors that the CLI turns into one clear line and a documented exit code.

Exit codes (also in README and `apigen --help`):
  0  success
  1  a check failed: `--check` found a difference, or `diff --fail-on` matched
  2  usage error (bad arguments)
  3  invalid input: unreadable file, invalid YAML/JSON, invalid spec or config
  4  upstream failure: unreachable, garbled or conflicting docs pages
  5  generation failure (formatter or writer), or a bug in apigen (an unexpected exception)
"""

from __future__ import annotations


class ApigenError(Exception):
    """Base error: its message is printed as one line, prefixed by `apigen: error:`."""

    exit_code = 5


class InputError(ApigenError):
    """A file, spec or config the user gave us is unreadable or invalid."""

    exit_code = 3


class UpstreamError(ApigenError):
    """The upstream docs could not be fetched, parsed or merged."""

    exit_code = 4


class GenerationError(ApigenError):
    """Emitting, formatting or writing the client failed."""

    exit_code = 5


class CheckFailed(ApigenError):
    """A `--check` run found that something is out of date."""

    exit_code = 1
