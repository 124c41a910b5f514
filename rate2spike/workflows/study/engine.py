"""Run a study's units of work on Dask: a local process pool by default (one single-threaded
worker per core, no set-up), or any running Dask scheduler given its address (a cluster, or
an HPC batch cluster started with dask-jobqueue). Every worker builds its Brian2 projects in
its own temporary folders (see :mod:`rate2spike.simulators.brian_standalone`).

Results are stored per net by the workers themselves; the engine only skips nets already
done, submits the rest, and gathers what comes back, so an interrupted or crashed study
loses nothing finished, and a killed worker's net is re-run by Dask on another worker.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

from tqdm.auto import tqdm

from ...artifacts import atomic_write_text
from ...errors import Rate2SpikeError
from ...locking import folder_lock
from ...rate_models.batched_training import check_trains_together
from .work import load_result, net_configs, net_dir, run_net, train_nets


def check_manifest(study_dir, options: dict, defaults: dict | None = None) -> None:
    """A study folder belongs to one set of options (its grid may grow): record them in
    ``study.json`` the first time, refuse other options later. ``defaults``: the value of each
    option that a manifest written before the option existed is taken to hold."""
    path = study_dir / "study.json"
    if path.is_file():
        old = json.loads(path.read_text()).get("options")
        if defaults and isinstance(old, dict):
            old = {**json.loads(json.dumps(defaults)), **old}
        if old != json.loads(json.dumps(options)):
            raise Rate2SpikeError(f"{study_dir} holds a study with other options ({old}); "
                                  f"use another --out")
        return
    study_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps({"options": options}, indent=2) + "\n")


def run_study(jobs, study_dir, train_options=None, convert_options=None, scheduler=None,
              workers: int | None = None, progress: bool = True, work=run_net,
              nets_from=None, train_together: int = 1) -> list:
    """Run every job not already finished; returns one result dict per job, in job order.

    scheduler : address of a running Dask scheduler (e.g. ``tcp://host:8786``); default: a
    LocalCluster of ``workers`` single-threaded processes (default: all cores).
    work : the unit-of-work function (a parameter for tests; default :func:`run_net`).
    nets_from : a study folder whose trained rate nets are converted instead of training
    new ones (same settings and training options; see :func:`~.work.run_net`).
    train_together : with K > 1, the nets still to train are first trained in groups of up to K
    nets of one setting, each group one batched model on one worker (:func:`~.work.train_nets`);
    the sweeps follow. 1 (default): each net is trained alone by its own unit of work.
    """
    study_dir = Path(study_dir)
    train_options, convert_options = dict(train_options or {}), dict(convert_options or {})
    # one single-threaded simulator per worker: the workers already use every core
    convert_options.setdefault("processes", 1)
    convert_options.setdefault("threads", 1)
    if nets_from is not None and not (Path(nets_from) / "study.json").is_file():
        raise Rate2SpikeError(f"--nets-from {nets_from} is not a study folder (no study.json)")
    for setting_job in {j.setting: j for j in jobs}.values():   # bad options fail here, not per net
        tcfg, _ = net_configs(setting_job, train_options, convert_options)
        if train_together > 1:
            check_trains_together(tcfg)
    if scheduler:
        connect(scheduler).close()    # an unreachable scheduler fails before anything is written
    with folder_lock(study_dir):   # a second study in the same folder is refused
        check_manifest(study_dir, {"train": train_options, "convert": convert_options})
        if train_together > 1 and nets_from is None:
            _train_together(jobs, study_dir, train_options, convert_options, scheduler, workers,
                            progress, train_together)
        results = _run_todo(jobs, study_dir, train_options, convert_options, scheduler, workers,
                            progress, work, nets_from)
    return [results[j.key] | {"setting_info": j.setting.as_dict()} for j in jobs]


def _run_todo(jobs, study_dir, train_options, convert_options, scheduler, workers, progress,
              work, nets_from=None) -> dict:
    """Results of every job: stored ones, and the rest computed on Dask."""
    results = {j.key: load_result(study_dir, j) for j in jobs}
    todo = [j for j in jobs if not (results[j.key] and "error" not in results[j.key])]
    extra = {"nets_from": str(nets_from)} if nets_from is not None else {}
    calls = {j.key: ((j, str(study_dir), train_options, convert_options), extra) for j in todo}
    done = dask_map(work, calls, scheduler, workers, progress,
                    f"study ({len(jobs)} nets, {len(todo)} to run)", "net")
    for j in todo:
        r = done[j.key]
        results[j.key] = r if "error" not in r or "net" in r else {
            "net": j.key, "setting": j.setting.key, "index": j.index, **r}
    return results


def training_groups(jobs, study_dir, size: int) -> list:
    """The nets of ``jobs`` still to train (no result, no ``rate_model.npz``), per setting, in
    groups of at most ``size`` nets of even sizes."""
    groups = []
    for setting in dict.fromkeys(j.setting for j in jobs):
        todo = [j for j in jobs if j.setting == setting and load_result(study_dir, j) is None
                and not (net_dir(study_dir, j) / "rate_model.npz").is_file()]
        n_groups = -(-len(todo) // size)
        groups += [todo[g::n_groups] for g in range(n_groups)]
    return groups


def _train_together(jobs, study_dir, train_options, convert_options, scheduler, workers, progress,
                    size: int) -> None:
    """Train the nets still to train in groups (:func:`training_groups`) on Dask; a group or net
    that fails is left to :func:`~.work.run_net`, which trains it alone."""
    groups = training_groups(jobs, study_dir, size)
    calls = {f"train-{g[0].key}": ((g, str(study_dir), train_options, convert_options), {})
             for g in groups}
    done = dask_map(train_nets, calls, scheduler, workers, progress,
                    f"training {sum(map(len, groups))} nets in {len(groups)} groups", "group")
    for key, result in done.items():
        errors = ([result["error"]] if "error" in result else
                  [f"{net}: {r}" for net, r in result.items() if r != "trained"])
        for error in errors:      # never silent: the nets concerned are trained alone next
            print(f"rate2spike: training group {key[len('train-'):]}: {error}; its untrained nets "
                  f"are trained one by one", file=sys.stderr)


#: seconds to wait for a Dask scheduler to answer
CONNECT_TIMEOUT_S = 10.0


def connect(scheduler: str, timeout_s: float | None = None):
    """A Dask client of the running scheduler at ``scheduler``; an unreachable address is a
    :class:`Rate2SpikeError` naming it."""
    from dask.distributed import Client

    try:
        return Client(scheduler, timeout=f"{timeout_s or CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise Rate2SpikeError(f"cannot reach the Dask scheduler at {scheduler} ({type(exc).__name__}: "
                              f"{exc}); check --scheduler, or leave it out to run on local worker "
                              f"processes") from None


def dask_map(work, calls: dict, scheduler=None, workers: int | None = None, progress: bool = True,
             desc: str = "jobs", unit: str = "job") -> dict:
    """Run ``work(*args, **kwargs)`` for every ``key: (args, kwargs)`` of ``calls`` on Dask (a
    running scheduler's address, or a LocalCluster of ``workers`` single-threaded processes);
    returns ``{key: result}``, with ``{"error": ...}`` for a call whose worker died or raised."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise Rate2SpikeError(f"--workers must be a whole number >= 1, got {workers!r}")
    if not calls:
        return {}
    with _quiet_workers():       # for as long as the cluster lives: workers are started late
        return _map_on_cluster(work, calls, scheduler, workers, progress, desc, unit)


def _map_on_cluster(work, calls, scheduler, workers, progress, desc, unit) -> dict:
    from dask.distributed import Client, LocalCluster, as_completed

    client = cluster = None
    results = {}
    try:
        if scheduler:
            client = connect(scheduler)
        else:
            cluster = _local_cluster_without_ctrl_c(LocalCluster, workers or os.cpu_count() or 1)
            client = Client(cluster)
        futures = {client.submit(work, *args, **kwargs, key=f"rate2spike-{key}-{os.getpid()}",
                                 pure=False): key for key, (args, kwargs) in calls.items()}
        bar = tqdm(total=len(futures), desc=desc, unit=unit, disable=not progress, dynamic_ncols=True)
        for future in as_completed(futures):
            key = futures[future]
            try:
                results[key] = future.result()
            except Exception as exc:  # the worker died or the task was lost
                results[key] = {"error": f"{type(exc).__name__}: {exc}"}
            bar.update(1)
        bar.close()
    except BaseException:
        _close_quietly(client, cluster, interrupted=True)   # Dask's shutdown noise must not mask it
        raise
    _close_quietly(client, cluster)
    return results


#: the Dask config variable (read when a worker process imports Dask) of its logging level
WORKER_LOG_ENV = "DASK_LOGGING__DISTRIBUTED"


@contextmanager
def _quiet_workers():
    """Worker processes started in this context keep their own Dask logging at critical: a task's
    error comes back as its result, and the cancelled tasks and closed streams of a cluster shut
    down by a Ctrl-C are not news. Killed workers leave semaphores that the resource tracker (a
    process of its own, which inherits this environment) would report at exit, after the
    command's own message. The environment is restored afterwards."""
    quiet = {WORKER_LOG_ENV: "critical",
             "PYTHONWARNINGS": "ignore::UserWarning:multiprocessing.resource_tracker"}
    before = {name: os.environ.get(name) for name in quiet}
    for name, value in quiet.items():
        os.environ.setdefault(name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)


def _local_cluster_without_ctrl_c(local_cluster, workers: int):
    """A LocalCluster of ``workers`` single-threaded processes that never see a Ctrl-C.

    A terminal's Ctrl-C reaches the whole process group; only this process should act on it (it
    closes the cluster and prints one line), the workers would print tracebacks. So the workers
    are started with SIGINT *blocked*, a mask they inherit from the Dask event-loop thread that
    spawns them; nothing is ignored in this thread, and a Ctrl-C during start-up interrupts it at
    once. The resource tracker is started first: starting it later unblocks SIGINT in the thread
    that starts it (``multiprocessing.resource_tracker``). The dashboard listens on a free port
    of this machine only (its default, 8787 on every interface, warns when another cluster holds
    it). Workers that do not start within ``WORKER_START_TIMEOUT_S`` are an error."""
    cluster = local_cluster(n_workers=0, threads_per_worker=1, processes=True,
                            dashboard_address="127.0.0.1:0")
    try:
        if hasattr(signal, "pthread_sigmask"):
            from multiprocessing import resource_tracker

            resource_tracker.ensure_running()
            cluster.sync(_block_ctrl_c_in_this_thread)
        cluster.scale(workers)
        cluster.wait_for_workers(workers, timeout=WORKER_START_TIMEOUT_S)
    except BaseException as exc:
        _close_quietly(None, cluster, interrupted=True)
        if isinstance(exc, (TimeoutError, OSError)):
            raise Rate2SpikeError(f"the {workers} local Dask workers did not start within "
                                  f"{WORKER_START_TIMEOUT_S} s ({type(exc).__name__}: {exc})") from None
        raise
    return cluster


#: seconds the local workers have to start
WORKER_START_TIMEOUT_S = 120


async def _block_ctrl_c_in_this_thread() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _mute_dask() -> None:
    for name in ("distributed", "asyncio", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _close_quietly(client, cluster, interrupted: bool = False) -> None:
    """Close the Dask client and local cluster; errors while tearing down are not results. After
    an interrupt, Dask's own teardown warnings and tracebacks (workers killed mid-task) are muted:
    the command's one line says what happened."""
    if interrupted:
        _mute_dask()
    for thing in (client, cluster):
        if thing is not None:
            try:
                thing.close()
            except BaseException:    # noqa: BLE001  (CancelledError, a second Ctrl-C, ...)
                pass
