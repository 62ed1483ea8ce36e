"""Cold start of each Lambda handler (N6): how long a fresh interpreter takes to import the
handler module, as Lambda does before the first invocation, and what dominates it.

For every function of template.yaml: ``python -X importtime -c "import app"`` in a fresh
interpreter with the function's folder and the layer on the path (as Lambda lays them out),
``--runs`` times; the table shows the median, the heaviest top-level packages, and which of the
service's own areas the handler loaded (an Api function that loads the export worker or the
notifier is paying for code it never runs).

    ./scripts/bench cold-start                       # median of 5 per handler
    ./scripts/bench cold-start --runs 9
    ./scripts/bench cold-start --without-bytecode    # also as a layer without bytecode imports

Lambda unpacks the layer read-only under /opt, so the modules of a layer built without bytecode
(as SAM's python3.11 builder builds it) are compiled from source at every cold start;
layers/common/Makefile compiles them at build time. ``--without-bytecode`` measures the difference:
the same pinned requirements installed without bytecode into a temporary layer (the machine's
own wheels, from the package registry), beside the service's code and handlers, also without it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "common"
TARGET_MS = 300
AREAS = (
    "services.export",
    "services.notifications",
    "services.imports",
    "services.read_view",
    "xero.client",
    "http",
    "aws.ses",
)


@dataclass(frozen=True)
class Handler:
    function: str  # the template's logical id
    folder: Path
    module: str


@dataclass(frozen=True)
class Sample:
    total_ms: float
    by_package_ms: dict[str, float]  # top-level package -> the import time of its own modules
    loaded: frozenset[str]  # xero_sync modules imported


def handlers() -> list[Handler]:
    """One entry per code folder of template.yaml's functions (the export workers share one)."""

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)  # !Ref, !Sub … are not needed here
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=_Loader)
    seen: dict[Path, Handler] = {}
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        folder = ROOT / str(properties["CodeUri"]).rstrip("/")
        module = str(properties["Handler"]).rsplit(".", 1)[0]
        seen.setdefault(folder, Handler(logical_id, folder, module))
    return sorted(seen.values(), key=lambda h: h.function)


def lambda_environment(folder: Path, function: str, layer: Path = LAYER) -> dict[str, str]:
    """This process's environment as Lambda would give it to ``function`` with its code in
    ``folder``: the folder and the layer on the path, and what Lambda sets. With those the X-Ray
    SDK takes Lambda's sampling decision (outside Lambda it builds two botocore X-Ray clients for
    central sampling, ~100 ms that a function never pays) and the Tracer is on (template.yaml:
    Tracing: Active), so it patches botocore and pynamodb at import, as it does in Lambda."""
    environment = {
        **os.environ,
        "PYTHONPATH": f"{folder}{os.pathsep}{layer}",
        "AWS_REGION": "us-east-1",
        "LAMBDA_TASK_ROOT": str(folder),
        "AWS_LAMBDA_FUNCTION_NAME": function,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
    }
    environment.pop("POWERTOOLS_TRACE_DISABLED", None)  # the tests' setting, never Lambda's
    return environment


def measure(handler: Handler, without_bytecode: Path | None = None) -> Sample:
    """One fresh interpreter's import of ``handler``: from the checkout (whose modules have their
    bytecode), or from ``without_bytecode``, a layout made by ``layout_without_bytecode``."""
    folder, layer = handler.folder, LAYER
    environment = {"PYTHONDONTWRITEBYTECODE": ""}
    if without_bytecode is not None:
        folder, layer = without_bytecode / "functions" / handler.folder.name, without_bytecode / "python"
        environment = {"PYTHONDONTWRITEBYTECODE": "1"}  # as under Lambda's read-only /opt
    environment = {**lambda_environment(folder, handler.function, layer), **environment}
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {handler.module}"],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    by_package: dict[str, float] = defaultdict(float)
    loaded: set[str] = set()
    total = 0.0
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        own, cumulative, raw_name = line.removeprefix("import time:").split("|")
        name = raw_name.strip()
        if name.startswith("xero_sync."):
            loaded.add(name.removeprefix("xero_sync."))
        if name == "app":
            total = float(cumulative) / 1000  # the handler module, everything it imports included
        # Each module's own time, summed per top-level package (the service's own code per area,
        # xero_sync.models …): what each costs, counted once.
        by_package[_package(name)] += float(own) / 1000
    return Sample(total, dict(by_package), frozenset(loaded))


def layout_without_bytecode(into: Path) -> Path:
    """The layer as SAM's python3.11 builder made it (the pinned requirements installed with no
    bytecode, the xero_sync package beside them) and the handlers' folders, none of it compiled."""
    skip_bytecode = shutil.ignore_patterns("__pycache__", "*.pyc")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "--no-deps", "--target", str(into / "python"), "--requirement", str(LAYER / "requirements.txt")],
        check=True,
    )  # fmt: skip
    shutil.copytree(LAYER / "xero_sync", into / "python" / "xero_sync", ignore=skip_bytecode)
    for handler in handlers():
        shutil.copytree(handler.folder, into / "functions" / handler.folder.name, ignore=skip_bytecode)
    return into


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "xero_sync" and len(parts) > 1 else parts[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--without-bytecode",
        action="store_true",
        help="also import each handler from a layer without bytecode, as SAM's python3.11 builder made it",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cold-start-") as scratch:
        uncompiled = layout_without_bytecode(Path(scratch)) if args.without_bytecode else None
        _print_table(args.runs, uncompiled)
    return 0


def _print_table(runs: int, uncompiled: Path | None) -> None:
    print(f"cold import of each handler: median of {runs} fresh interpreters, this machine; target ≤ {TARGET_MS} ms")
    if uncompiled is not None:
        print("'no bytecode': the same import from a layer whose modules must first be compiled")
    column = f" {'no bytecode':>12}" if uncompiled is not None else ""
    print(f"\n{'function':34} {'median':>8} {'min':>7} {'max':>7}{column}  dominated by (ms of its own modules)")
    print("-" * (118 + len(column)))
    areas_by_function = {}
    for handler in handlers():
        samples = [measure(handler) for _ in range(runs)]
        totals = [s.total_ms for s in samples]
        heaviest = defaultdict(list)
        for sample in samples:
            for package, ms in sample.by_package_ms.items():
                heaviest[package].append(ms)
        top = sorted(((statistics.median(v), k) for k, v in heaviest.items()), reverse=True)[:4]
        label = ", ".join(f"{name} {ms:.0f}" for ms, name in top)
        without = ""
        if uncompiled is not None:
            without = f" {statistics.median(measure(handler, uncompiled).total_ms for _ in range(runs)):>10.0f}ms"
        print(
            f"{handler.function:34} {statistics.median(totals):>6.0f}ms "
            f"{min(totals):>5.0f}ms {max(totals):>5.0f}ms{without}  {label}"
        )
        areas_by_function[handler.function] = sorted(
            area for area in AREAS if any(m == area or m.startswith(area + ".") for m in samples[0].loaded)
        )
    print("\nwhich of the service's heavier areas each handler loads:")
    for function, areas in areas_by_function.items():
        print(f"  {function:34} {', '.join(areas) or '—'}")


if __name__ == "__main__":
    sys.exit(main())
