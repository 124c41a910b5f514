"""Kill a small ``convert`` (or a small 2-net ``study``) at random points and check that every
run resumes to the uninterrupted table, with nothing left behind.

For each of ``--points`` kill points: start the command in its own process group, send SIGINT
(a terminal's Ctrl-C, to the whole group) or SIGKILL (to the whole group) after a random delay
within the uninterrupted run's duration, then run it again (``convert`` with ``--resume``; a study
is resumed by rerunning it) to the end. Checks: an interrupted run exits 130 (or dies of the
SIGINT itself, silently, if it came before the interpreter installed its handler: a shell shows
130 too) with at most one line on stderr and no traceback; the resumed table equals the
uninterrupted one; no ``.*.r2s.tmp`` file is left in the output folder and no ``results_*``
folder in the build cache. Prints one line per point and a summary; exits 1 if any check failed.

Usage::

    python benchmarks/fault_loop.py --what convert --points 20
    python benchmarks/fault_loop.py --what study --points 20
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def command(what: str, model: Path, out: Path, resume: bool) -> list:
    exe = [sys.executable, "-m", "rate2spike"]
    if what == "convert":
        return [*exe, "convert", "--task", "gonogo", "--model", str(model), "--trials", "20",
                "--scales", "20,25,30,35,40", "--out", str(out), "--quiet",
                *(["--resume"] if resume else [])]
    return [*exe, "study", "--task", "gonogo", "--nets", "2", "--units", "20", "--trials", "10",
            "--workers", "2", "--config", str(model), "--out", str(out), "--quiet"]


def table(what: str, out: Path):
    if what == "convert":
        return [(r["scale_s"], r["accuracy"]) for r in
                json.loads((out / "lambda_sweep.json").read_text())]
    rows = []
    for f in sorted(out.rglob("result.json")):
        r = json.loads(f.read_text())
        rows.append((f.parent.name, r.get("best_scale_s"), r.get("lif_accuracy"),
                     r.get("accuracy_by_scale")))
    return rows


def run(cmd, env, kill_after=None, sig=None):
    """(exit status, stderr, whether the signal was sent to a live process)."""
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    sent = False
    if kill_after is not None:
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, sig)
            sent = True
    out, err = proc.communicate(timeout=600)
    return proc.returncode, err, sent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--what", choices=("convert", "study"), default="convert")
    ap.add_argument("--points", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--signals", choices=("both", "int", "kill"), default="both",
                    help="SIGINT and SIGKILL at random (both), or only one of them")
    args = ap.parse_args()
    # a shell starts background jobs with SIGINT ignored, and children would inherit that: give
    # them the default disposition, as a terminal's foreground job has
    signal.signal(signal.SIGINT, signal.default_int_handler)
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="rate2spike_faults_"))
    cache = work / "cache"
    env = {**os.environ, "RATE2SPIKE_BUILD_CACHE": str(cache), "OMP_NUM_THREADS": "1"}
    sys.path.insert(0, str(ROOT))
    if args.what == "convert":
        from tests.conftest import make_rate_artifact

        model = Path(make_rate_artifact(work / "model"))
    else:
        model = work / "study.yaml"
        model.write_text("train: {max_updates: 20, eval_every: 10, eval_trials: 20, min_trials: 0}\n"
                         "convert: {scales: [20, 30]}\n")
    for attempt in ("cold", "warm"):          # kill points within the warm (cached) run's time
        shutil.rmtree(work / "clean", ignore_errors=True)
        start = time.perf_counter()
        code, err, _ = run(command(args.what, model, work / "clean", False), env)
        duration = time.perf_counter() - start
        if code != 0:
            print(err)
            return 1
    reference = table(args.what, work / "clean")
    print(f"uninterrupted: {duration:.1f} s, {len(reference)} rows")
    failures = 0
    for k in range(args.points):
        out = work / f"run{k}"
        sig = rng.choice({"both": (signal.SIGINT, signal.SIGKILL), "int": (signal.SIGINT,),
                          "kill": (signal.SIGKILL,)}[args.signals])
        delay = rng.uniform(0.3, duration)
        code, err, sent = run(command(args.what, model, out, False), env, delay, sig)
        problems = []
        lines = [line for line in err.strip().splitlines() if line.strip()]
        if sig == signal.SIGINT and code == -signal.SIGINT and not lines:
            code = 130   # killed by SIGINT before Python's own handler was installed: a shell says 130
        # exit 0 is right only when the work was done (the last moments: results written, the
        # cluster being closed); earlier, the Ctrl-C was swallowed
        if sig == signal.SIGINT and code == 0 and sent and delay < 0.85 * duration:
            problems.append("exit 0: the SIGINT reached a running process and was not acted on")
        if sig == signal.SIGINT and code not in (0, 130):
            problems.append(f"exit {code} after SIGINT")
        if sig == signal.SIGINT and code == 130 and (len(lines) > 1 or "Traceback" in err):
            problems.append(f"stderr after SIGINT: {err.strip()[-300:]!r}")
        code2, err2, _ = run(command(args.what, model, out, (work / "clean").exists() and out.exists()),
                          env)
        if code2 != 0:
            problems.append(f"resume exit {code2}: {err2.strip()[-300:]}")
        elif table(args.what, out) != reference:
            problems.append("resumed table differs")
        left = [str(p) for p in out.rglob(".*.r2s.tmp")] + [str(p) for p in cache.rglob("results_*")]
        if left:
            problems.append(f"left behind: {left[:3]}")
        failures += bool(problems)
        print(f"point {k:2d}: {signal.Signals(sig).name:7s} at {delay:5.1f} s -> exit {code}; "
              f"{'OK' if not problems else '; '.join(problems)}", flush=True)
        shutil.rmtree(out, ignore_errors=True)
    print(f"{args.points - failures}/{args.points} kill points resumed to the uninterrupted table "
          f"with nothing left behind")
    shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
