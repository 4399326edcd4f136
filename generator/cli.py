"""Command line: `apigen generate | validate | sync | diff`.

The data flow starts here: `generate` = (sync ->) load -> validate -> plan -> prepare ->
models -> render -> format -> write (see pipeline.py); `sync` fetches the spec from the
upstream docs (sync/); `diff` compares two specs (diff/).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .config import ApiConfig, config_for_spec, load_config
from .errors import ApigenError, GenerationError, InputError

EXIT_CODES = """exit codes:
  0  success (or nothing to do)
  1  a check failed: --check found a difference, or diff --fail-on matched
  2  usage error
  3  invalid input: unreadable file, invalid YAML/JSON, invalid spec or config
  4  upstream failure: unreachable, garbled or conflicting docs pages
  5  generation failure (or a bug in apigen; APIGEN_DEBUG=1 shows the traceback)"""

DEFAULT_API = "baseten"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="apigen",
        description="Keep a typed Python client in lockstep with an OpenAPI 3.0/3.1 API.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"apigen {__version__}")
    parser.add_argument(
        "--specs-dir",
        type=Path,
        default=Path("specs"),
        help="folder of API configs (default: specs)",
    )
    parser.add_argument(
        "--output-root",
        type=Path,
        default=Path("generated"),
        help="where packages go (default: generated)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = commands.add_parser(
        "generate",
        help="sync (for a configured API) and generate the client package",
        description="Generate the client of a configured API (specs/<API>/config.toml), syncing its "
        "spec from upstream first, or of any spec with --spec/--output/--package.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    generate.add_argument("api", nargs="?", help=f"configured API name (default: {DEFAULT_API})")
    generate.add_argument(
        "--spec", type=Path, help="generate from this spec file instead of a configured API"
    )
    generate.add_argument(
        "--output", type=Path, help="with --spec: folder that receives the package"
    )
    generate.add_argument(
        "--package", help="with --spec: import name of the package (e.g. petstore_client)"
    )
    generate.add_argument(
        "--lenient", action="store_true", help="report spec validation errors and continue"
    )
    generate.add_argument(
        "--offline", action="store_true", help="skip the upstream sync; use the snapshot"
    )
    generate.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when the output is out of date"
    )
    generate.add_argument(
        "--force", action="store_true", help="regenerate even when the inputs are unchanged"
    )

    validate = commands.add_parser(
        "validate",
        help="validate a spec file",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("spec", type=Path, help="OpenAPI spec (JSON or YAML)")

    sync = commands.add_parser(
        "sync",
        help="fetch the spec from the upstream docs (llms.txt)",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sync.add_argument("api", nargs="?", help=f"configured API name (default: {DEFAULT_API})")
    sync.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when upstream changed"
    )
    sync.add_argument("--json", action="store_true", help="print a machine-readable summary")
    sync.add_argument(
        "--index-only",
        action="store_true",
        help="ask only whether llms.txt changed (default: revalidate every page, conditionally)",
    )

    diff = commands.add_parser(
        "diff",
        help="what changed between two specs, and what breaks callers",
        description="Compare two specs and the clients generated from them. Without arguments: "
        "the committed spec of the API against the one in the working tree.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diff.add_argument(
        "old", nargs="?", help="old spec: a file, or REV:path (default HEAD:<API spec>)"
    )
    diff.add_argument(
        "new", nargs="?", help="new spec: a file, or REV:path (default: the API spec)"
    )
    diff.add_argument(
        "--api", help=f"API whose package name and spec to use (default: {DEFAULT_API})"
    )
    diff.add_argument("--format", choices=("text", "markdown", "json", "github"), default="text")
    diff.add_argument(
        "--fail-on",
        choices=("breaking", "possibly-breaking"),
        help="exit 1 when a change of this level or worse is found",
    )
    diff.add_argument(
        "--no-client", action="store_true", help="skip the generated client's API comparison"
    )
    diff.add_argument(
        "--list-rules", action="store_true", help="print every rule id and level, then exit"
    )
    return parser


def _api_config(args: argparse.Namespace) -> ApiConfig:
    name = args.api or DEFAULT_API
    if not name.replace("_", "").replace("-", "").isalnum():
        raise InputError(f"invalid API name {name!r}")
    return load_config(args.specs_dir / name, args.output_root)


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def _cmd_generate(args: argparse.Namespace) -> int:
    from .pipeline import generate

    if args.spec is not None:
        if args.api or not args.output or not args.package:
            raise InputError("--spec needs --output and --package (and no API name)")
        config = config_for_spec(args.spec, args.output, args.package)
    else:
        config = _api_config(args)
    if args.spec is None and not args.check:
        from .sync_command import generate_configured

        result = generate_configured(
            config, offline=args.offline, lenient=args.lenient, force=args.force, warn=_warn
        )
    else:
        result = generate(
            config, lenient=args.lenient, check=args.check, force=args.force, warn=_warn
        )
    if args.check:
        print(f"{result.output_dir} is up to date")
    elif result.changed:
        print(
            f"generated {result.output_dir} ({result.operations} operations, {result.models} models)"
        )
    else:
        print(f"{result.output_dir} is up to date (nothing to do)")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .loader import load_spec
    from .pipeline import check_spec

    spec = load_spec(args.spec)
    issues = check_spec(spec, lenient=True, warn=_warn)
    if issues:
        print(f"{spec.source}: {len(issues)} issue(s)", file=sys.stderr)
        return InputError.exit_code
    print(f"{spec.source}: valid")
    return 0


def _cmd_sync(args: argparse.Namespace) -> int:
    from .sync_command import run_sync_command

    return run_sync_command(
        _api_config(args),
        check=args.check,
        as_json=args.json,
        index_only=args.index_only,
        warn=_warn,
    )


def _diff_config(args: argparse.Namespace) -> ApiConfig:
    """The API's config when one is named, needed for defaults, or owns the compared spec
    (`specs/<api>/...`: the report names its real package and classes); else names derived
    from the spec's file name."""
    if args.api or not (args.old and args.new):
        return _api_config(args)
    from .diff.revision import checkout_path
    from .naming import snake_case

    specs_dir = args.specs_dir.resolve()
    spec = Path(checkout_path(args.new, Path.cwd()))
    for source in (args.new, args.old):
        api_dir = Path(checkout_path(source, Path.cwd())).parent
        if api_dir.resolve().parent == specs_dir and (api_dir / "config.toml").is_file():
            return load_config(args.specs_dir / api_dir.name, args.output_root)
    name = spec.parent.name if spec.stem in ("openapi", "swagger", "spec", "api") else spec.stem
    package = snake_case(name or "api", fallback="api").removesuffix("_client") + "_client"
    return config_for_spec(spec, Path("."), package)


def _cmd_diff(args: argparse.Namespace) -> int:
    from .diff_command import run_diff_command

    if args.list_rules:
        from .diff import rules_markdown

        print(rules_markdown(), end="")
        return 0
    return run_diff_command(
        args.old,
        args.new,
        config=_diff_config(args),
        fmt=args.format,
        fail_on=args.fail_on,
        with_client=not args.no_client,
    )


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            # A file name that is not UTF-8 (bytes to the OS) prints with \udcNN escapes.
            stream.reconfigure(errors="backslashreplace")
    args = _parser().parse_args(argv)
    handlers = {
        "generate": _cmd_generate,
        "validate": _cmd_validate,
        "sync": _cmd_sync,
        "diff": _cmd_diff,
    }
    try:
        return handlers[args.command](args)
    except ApigenError as exc:
        print(f"apigen: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:  # SIGINT, or SIGTERM during a sync (transaction.Terminated)
        print("apigen: interrupted", file=sys.stderr)
        return 128 + int(getattr(exc, "signum", 2))
    except Exception as exc:  # a bug: one line for users, the traceback for developers
        if os.environ.get("APIGEN_DEBUG"):
            raise
        detail = " ".join(str(exc).split())[:300]
        print(
            f"apigen: internal error: {type(exc).__name__}: {detail} (a bug in apigen: please "
            "report it; APIGEN_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return GenerationError.exit_code


if __name__ == "__main__":
    sys.exit(main())
