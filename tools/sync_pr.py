"""The daily upstream pull request (`.github/workflows/sync-upstream.yml` runs this).

1. `apigen sync API --json`: any sync or generation error fails the run (no fallback to the
   snapshot: that is `make generate`'s job, not this one's).
2. Nothing changed in the spec (an unchanged index, or one whose edits left the spec as it
   was: only validator stamps and hashes in sync.lock.json moved): the snapshot is put back
   and the run ends without a commit.
3. Otherwise the tests run (their output goes to the report folder), the change is committed
   on ONE fixed branch and force-pushed, and the one open pull request from that branch is
   updated, or opened: titled and labelled from the breaking counts of the newest CHANGES.md
   entry, whose text (capped under GitHub's limit) is the body. Failing tests do not drop the
   change: the pull request is marked failing, with the test output, and the run exits 1.

Only `git` and `gh` are called; the report folder (uploaded as an artifact) holds the sync
output, the full entry, the body and the test output.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.changelog import CHANGES_FILE, PR_BODY_LIMIT, capped, newest_entry

BRANCH = "apigen/sync-upstream"
LABEL_SYNC, LABEL_BREAKING, LABEL_FAILING = "upstream-sync", "breaking-change", "tests-failing"
_TEST_TAIL_LINES = 60


class SyncFailed(Exception):
    """`apigen sync` failed: the run fails, nothing is committed."""


def run(command: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), check=True, text=True, **kwargs)


def git(*args: str) -> str:
    return run(["git", *args], capture_output=True).stdout.strip()


def gh(*args: str) -> str:
    return run(["gh", *args], capture_output=True).stdout.strip()


def sync(apigen: list[str], api: str, report_dir: Path) -> dict[str, Any]:
    """Run the sync; its JSON summary and stderr go to the report folder."""
    result = subprocess.run(
        [*apigen, "sync", api, "--json"], capture_output=True, text=True, check=False
    )
    (report_dir / "sync.json").write_text(result.stdout)
    (report_dir / "sync-stderr.txt").write_text(result.stderr)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        raise SyncFailed(f"apigen sync {api} failed (exit {result.returncode})")
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def run_tests(command: str, report_dir: Path) -> bool:
    """The test command's output goes to test-output.txt; True when it passed."""
    output = report_dir / "test-output.txt"
    with output.open("w") as sink:
        result = subprocess.run(
            shlex.split(command), stdout=sink, stderr=subprocess.STDOUT, check=False
        )
    return result.returncode == 0


def title_and_labels(api: str, report: dict[str, Any], tests_passed: bool) -> tuple[str, list[str]]:
    spec_breaking, client_breaking = report["spec"]["breaking"], report["client"]["breaking"]
    if spec_breaking or client_breaking:
        what = f"{spec_breaking} breaking API, {client_breaking} breaking client changes"
    else:
        what = "no breaking changes"
    version = f"client {report['package_version']} ({report['version_bump']})"
    title = f"Sync {api} from upstream: {what}, {version}"
    labels = [LABEL_SYNC]
    if spec_breaking or client_breaking:
        labels.append(LABEL_BREAKING)
    if not tests_passed:
        labels.append(LABEL_FAILING)
        title = f"[tests failing] {title}"
    return title, labels


def pr_body(entry: str, tests_passed: bool, report_dir: Path) -> str:
    note = "the full report is in the `sync-report` artifact of the workflow run"
    head = ""
    if not tests_passed:
        lines = (report_dir / "test-output.txt").read_text(errors="replace").splitlines()
        tail = "\n".join(lines[-_TEST_TAIL_LINES:]).replace("```", "'''")
        head = (
            "> [!CAUTION]\n> `make test` fails on this change: see the test output below "
            f"(the whole of it: `test-output.txt` in the `sync-report` artifact).\n\n"
            f"<details><summary>Last {_TEST_TAIL_LINES} lines of the test output</summary>\n\n"
            f"```\n{tail}\n```\n\n</details>\n\n"
        )
    return head + capped(entry, PR_BODY_LIMIT - len(head), full_report=note)


def publish(
    *,
    api: str,
    base: str,
    remote: str,
    report: dict[str, Any],
    tests_passed: bool,
    report_dir: Path,
) -> None:
    """Commit on the fixed branch, force-push it, and update or open its pull request."""
    git("switch", "--force-create", BRANCH)
    git("add", "--all", "--", "specs", "generated")
    git("commit", "--quiet", "--message", f"Sync {api} spec from upstream ({report['date']})")
    git("push", "--force", "--quiet", remote, f"HEAD:refs/heads/{BRANCH}")

    entry = newest_entry((Path("specs") / api / CHANGES_FILE).read_text(encoding="utf-8"))
    (report_dir / "changes-entry.md").write_text(entry)
    body_file = report_dir / "pr-body.md"
    body_file.write_text(pr_body(entry, tests_passed, report_dir))
    title, labels = title_and_labels(api, report, tests_passed)
    for label in labels:
        gh("label", "create", label, "--force")
    open_prs = gh(
        "pr", "list", "--head", BRANCH, "--base", base, "--state", "open",
        "--json", "number", "--jq", ".[].number",
    ).split()  # fmt: skip
    if open_prs:
        stale = [label for label in (LABEL_BREAKING, LABEL_FAILING) if label not in labels]
        edit = ["pr", "edit", open_prs[0], "--title", title, "--body-file", str(body_file)]
        edit += [arg for label in labels for arg in ("--add-label", label)]
        edit += [arg for label in stale for arg in ("--remove-label", label)]
        gh(*edit)
    else:
        create = ["pr", "create", "--base", base, "--head", BRANCH, "--title", title]
        create += ["--body-file", str(body_file)]
        create += [arg for label in labels for arg in ("--label", label)]
        gh(*create)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--api", default="baseten")
    parser.add_argument("--base", required=True, help="branch the pull request goes into")
    parser.add_argument("--remote", default="origin")
    parser.add_argument("--apigen", default=".venv/bin/apigen", help="command running apigen")
    parser.add_argument("--test-command", default="make test")
    parser.add_argument("--report-dir", type=Path, default=Path("sync-report"))
    args = parser.parse_args(argv)
    args.report_dir.mkdir(parents=True, exist_ok=True)

    try:
        summary = sync(shlex.split(args.apigen), args.api, args.report_dir)
    except SyncFailed as error:
        print(f"sync-pr: {error}; nothing committed", file=sys.stderr)
        return 1
    report = summary.get("report")
    if not summary.get("changed") or report is None:
        # Only stamps or hashes moved (or nothing): not worth a commit, nor a pull request.
        git("checkout", "--", str(Path("specs") / args.api))
        print(f"sync-pr: the {args.api} spec did not change; nothing to do")
        return 0

    tests_passed = run_tests(args.test_command, args.report_dir)
    publish(
        api=args.api,
        base=args.base,
        remote=args.remote,
        report=report,
        tests_passed=tests_passed,
        report_dir=args.report_dir,
    )
    if not tests_passed:
        print("sync-pr: the tests fail on this change; the pull request says so", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
