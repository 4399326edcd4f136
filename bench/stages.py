"""Run one stage of apigen alone, in a child process the bench times like any command.

    python -m bench.stages models SPEC OUT_DIR   load, plan, prepare, model (no validation,
                                                 no client rendering, no ruff)
    python -m bench.stages load SPEC [SPEC ...]  load only: the floor under `apigen diff`

These reach into apigen's internal modules, so they break when those change: the bench
then records the stage as failed and goes on.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def models_stage(spec_path: Path, output_dir: Path) -> None:
    from generator.config import config_for_spec
    from generator.loader import load_spec
    from generator.modelgen import generate_models
    from generator.normalize import prepare_spec
    from generator.operations import plan_operations

    config = config_for_spec(spec_path, output_dir, "bench_models")
    spec = load_spec(spec_path)
    prepared = prepare_spec(spec.document, plan_operations(spec.document, config))
    models = generate_models(prepared.document, "# models stage of apigen, run by the bench")
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "types.py").write_text(models.source, encoding="utf-8")


def load_stage(spec_paths: Sequence[Path]) -> None:
    from generator.loader import load_spec

    for path in spec_paths:
        load_spec(path)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if len(args) == 3 and args[0] == "models":
            models_stage(Path(args[1]), Path(args[2]))
        elif len(args) >= 2 and args[0] == "load":
            load_stage([Path(arg) for arg in args[1:]])
        else:
            print(
                "usage: python -m bench.stages (models SPEC OUT_DIR | load SPEC...)",
                file=sys.stderr,
            )
            return 2
    except Exception as exc:  # any failure is one line for the bench's table, not a traceback
        print(f"error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}", file=sys.stderr)
        return 5
    return 0


if __name__ == "__main__":
    sys.exit(main())
