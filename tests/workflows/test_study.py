"""A tiny conversion study end to end on a local Dask cluster started by the test."""
import json
import os

import numpy as np
import pytest

from rate2spike.workflows.study import plan_jobs, run_study, write_study_report
from rate2spike.workflows.study.work import run_net

TRAIN = {"max_updates": 2, "eval_every": 1, "eval_trials": 4, "batch_size": 4}
CONVERT = {"trials": 4, "scales": [20.0, 30.0], "device": "reference"}  # NumPy simulator: no compile


def fail_for_softplus_net_0(job, study_dir, train_options, convert_options):
    """A unit of work that fails for one net (importable by the Dask workers)."""
    if job.setting.act == "softplus" and job.index == 0:
        raise RuntimeError("injected failure")
    return run_net(job, study_dir, train_options, convert_options)


def crash_worker_once(job, study_dir, train_options, convert_options):
    """Kill the worker process the first time net 1 of sigmoid runs (a crashed machine)."""
    marker = os.path.join(study_dir, "crashed-once")
    if job.setting.act == "sigmoid" and job.index == 1 and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return run_net(job, study_dir, train_options, convert_options)


@pytest.fixture(scope="module")
def scheduler():
    """One local cluster of 2 single-threaded worker processes for the studies of this module
    (given as ``scheduler``, as a running cluster is): its workers import rate2spike once, not
    once per study. The command's own cluster (run_study without a scheduler) is started by the
    Ctrl-C test of a study (tests/test_interrupts.py)."""
    from dask.distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address="127.0.0.1:0")
    yield cluster.scheduler_address
    cluster.close()


@pytest.mark.slow
def test_tiny_study_runs_reports_failures_and_extends_without_recomputing(tmp_path, scheduler):
    jobs = plan_jobs("gonogo", ["sigmoid", "softplus"], 1, units=[12])
    results = run_study(jobs, tmp_path, TRAIN, CONVERT, scheduler=scheduler, progress=False,
                        work=fail_for_softplus_net_0)
    assert len(results) == 2
    failed = [r for r in results if "error" in r]
    assert [r["net"] for r in failed] == [jobs[1].key] and "injected failure" in failed[0]["error"]
    ok = [r for r in results if "error" not in r]
    for r in ok:   # the net's result is its sweep's best s and accuracy there
        assert set(r["accuracy_by_scale"]) == {"20", "30"}
        a20, a30 = r["accuracy_by_scale"]["20"], r["accuracy_by_scale"]["30"]
        assert r["best_scale_s"] == (30.0 if a30 > a20 else 20.0)
        assert r["lif_accuracy"] == max(a20, a30)
        rows = json.loads((tmp_path / "nets" / r["net"] / "lambda_sweep.json").read_text())
        assert {f"{x['scale_s']:g}": x["accuracy"] for x in rows} == r["accuracy_by_scale"]
    files = write_study_report(results, tmp_path)
    report = open(files["report"]).read()
    assert "injected failure" in report and "softplus" in report
    summary = json.loads((tmp_path / "study_results.json").read_text())["settings"]
    assert [s["failed"] for s in summary] == [0, 1]

    # extend to 2 nets per setting: sigmoid net 0 is reused, the failed softplus net 0 retried
    done = tmp_path / "nets" / jobs[0].key / "result.json"
    stamp = done.stat().st_mtime_ns
    more = run_study(plan_jobs("gonogo", ["sigmoid", "softplus"], 2, units=[12]), tmp_path,
                     TRAIN, CONVERT, scheduler=scheduler, progress=False)     # 3 nets to do
    assert done.stat().st_mtime_ns == stamp
    assert len(more) == 4 and not any("error" in r for r in more)
    assert more[0] == results[0] | {"setting_info": more[0]["setting_info"]}


@pytest.mark.slow
def test_a_killed_worker_loses_no_finished_net_and_the_study_completes(tmp_path, scheduler):
    jobs = plan_jobs("gonogo", ["sigmoid"], 3, units=[12])
    results = run_study(jobs, tmp_path, TRAIN, CONVERT, scheduler=scheduler, progress=False,
                        work=crash_worker_once)
    assert (tmp_path / "crashed-once").exists()
    finished = [r for r in results if "error" not in r]
    assert len(finished) >= 2          # the nets on the surviving worker were kept
    for r in finished:
        assert (tmp_path / "nets" / r["net"] / "result.json").is_file()
    # resume: whatever the crash cost is recomputed, nothing finished is
    stamps = {r["net"]: (tmp_path / "nets" / r["net"] / "result.json").stat().st_mtime_ns
              for r in finished}
    again = run_study(jobs, tmp_path, TRAIN, CONVERT, scheduler=scheduler, progress=False)
    assert all("error" not in r for r in again)
    for net, stamp in stamps.items():
        assert (tmp_path / "nets" / net / "result.json").stat().st_mtime_ns == stamp


def test_bad_study_options_are_clear_errors(tmp_path):
    from rate2spike.errors import Rate2SpikeError

    with pytest.raises(Rate2SpikeError, match="--nets"):
        plan_jobs("gonogo", ["sigmoid"], 0)
    with pytest.raises(Rate2SpikeError, match="--tau"):
        plan_jobs("gonogo", ["sigmoid"], 1, taus=["learned"])
    run_study([], tmp_path, TRAIN, CONVERT, progress=False)
    with pytest.raises(Rate2SpikeError, match="other options"):
        run_study([], tmp_path, {"max_updates": 5}, CONVERT, progress=False)


def test_study_cli_bad_inputs_exit_2_and_write_nothing(tmp_path, capsys):
    from rate2spike.cli import main

    out = tmp_path / "study"
    rejected_by_argparse = (["--act", "tanh"], ["--tau", "learned"], ["--units", "x"])
    rejected_before_work = (["--nets", "0"], ["--workers", "0"], ["--seed", "3"],
                            ["--units", "1"], ["--refractory", "2000"], ["--train-together", "0"])
    argv = ["study", "--task", "gonogo", "--out", str(out), "--quiet"]
    for bad in rejected_by_argparse:
        with pytest.raises(SystemExit) as exit_info:
            main([*argv, *bad])
        assert exit_info.value.code == 2 and not out.exists(), bad
    for bad in rejected_before_work:
        assert main([*argv, *bad]) == 2 and not out.exists(), bad
        assert "rate2spike: error:" in capsys.readouterr().err, bad


def test_a_second_study_in_a_folder_in_use_is_refused(tmp_path):
    import subprocess
    import sys

    from rate2spike.errors import Rate2SpikeError
    from rate2spike.locking import LOCK_NAME

    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / LOCK_NAME).write_text(str(holder.pid))
        with pytest.raises(Rate2SpikeError, match="in use by another rate2spike process"):
            run_study(plan_jobs("gonogo", ["sigmoid"], 1, units=[12]), tmp_path, TRAIN, CONVERT,
                      progress=False)
    finally:
        holder.kill()
        holder.wait()
    assert not (tmp_path / "study.json").exists()


def test_a_calibration_study_converts_another_studys_nets_and_tables_every_readout(tmp_path):
    job = plan_jobs("gonogo", ["sigmoid"], 1, units=[12])[0]
    first = run_net(job, str(tmp_path / "a"), TRAIN, CONVERT)
    calibrated = {**CONVERT, "readout_fit": "affine", "calibration_trials": 4}
    second = run_net(job, str(tmp_path / "b"), TRAIN, calibrated, nets_from=str(tmp_path / "a"))
    a, b = (tmp_path / d / "nets" / job.key for d in "ab")
    assert (a / "rate_model.npz").read_bytes() == (b / "rate_model.npz").read_bytes()
    fits = second["readout_fits"]
    assert set(fits) == {"none", "scale", "affine"} and second["readout_fit"] == "affine"
    # Kim et al.'s readout on the same held-out trials: the first study's sweep exactly
    assert fits["none"]["accuracy_by_scale"] == first["accuracy_by_scale"]
    assert second["lif_accuracy"] == fits["affine"]["lif_accuracy"]
    files = write_study_report([second | {"setting_info": job.setting.as_dict()}], tmp_path / "b")
    text = open(files["report"]).read()
    assert "## Readout calibration" in text and "| affine |" in text
    # nets trained with other options are refused, not silently converted
    other = run_net(job, str(tmp_path / "c"), {**TRAIN, "lr": 0.02}, calibrated,
                    nets_from=str(tmp_path / "a"))
    assert "trained with other options" in other["error"]


def test_a_single_exponential_setting_converts_with_tau_r_zero_and_keeps_old_keys():
    from rate2spike.workflows.study.work import net_configs

    double, single = plan_jobs("mante", ["sigmoid"], 1, synapses=["double", "single"])
    assert double.setting.key == "mante_sigmoid_N200_tau-trained_ref2ms"     # as before
    assert single.setting.key.endswith("_single-exp") and "single" in single.setting.label
    assert net_configs(single, {}, {})[1].lif.tau_r_s == 0.0
    assert net_configs(double, {}, {})[1].lif.tau_r_s == 0.002
    with pytest.raises(Exception, match="double' or 'single"):
        plan_jobs("mante", ["sigmoid"], 1, synapses=["triple"])


def test_a_missing_nets_from_folder_is_refused_before_anything_is_written(tmp_path, run_cli):
    out = tmp_path / "st"
    code, cap = run_cli(["study", "--task", "gonogo", "--nets", "1", "--nets-from",
                         str(tmp_path / "none"), "--out", str(out), "--quiet"])
    assert code == 2 and "is not a study folder" in cap.err and not out.exists()


def test_nets_from_finds_nets_trained_for_another_t_ref_or_synapse_and_old_configs(tmp_path):
    """A conversion-only setting (t_ref 0, single-exponential synapse) takes the rate net
    that the other study trained for its training-relevant setting; a net saved before a
    training option existed counts it at its default."""
    import json

    from rate2spike.workflows.study.work import net_configs, take_rate_net

    trained = plan_jobs("gonogo", ["sigmoid"], 1, units=[12])[0]
    run_net(trained, str(tmp_path / "a"), TRAIN, CONVERT)
    src = tmp_path / "a" / "nets" / trained.key
    meta = json.loads((src / "rate_model.json").read_text())
    del meta["config"]["dtype"]                              # as saved before dtype existed
    (src / "rate_model.json").write_text(json.dumps(meta))
    for job in plan_jobs("gonogo", ["sigmoid"], 1, units=[12], refractories_s=[0.0],
                         synapses=["double", "single"]):
        d = tmp_path / "b" / "nets" / job.key
        tcfg = net_configs(job, TRAIN, CONVERT)[0]
        take_rate_net(job, str(tmp_path / "a"), d, tcfg)
        assert (d / "rate_model.npz").read_bytes() == (src / "rate_model.npz").read_bytes()
    other = plan_jobs("gonogo", ["sigmoid"], 1, units=[13])[0]          # N differs: no source
    take_rate_net(other, str(tmp_path / "a"), tmp_path / "c", tcfg)
    assert not (tmp_path / "c").exists()


@pytest.mark.slow
def test_nets_trained_together_are_the_nets_trained_alone(tmp_path, scheduler):
    """--train-together 2 on 3 nets: groups {0, 2} and {1} train first, each on one worker, then
    the sweeps. The nets (float64) and their sweeps are those of the study that trains each net
    alone; the metadata say which nets were trained together."""
    from rate2spike.rate_models.network import RateNetwork
    from rate2spike.workflows.study.engine import training_groups

    jobs = plan_jobs("gonogo", ["sigmoid"], 3, units=[12])
    assert [[j.index for j in g] for g in training_groups(jobs, tmp_path / "together", 2)] == [[0, 2], [1]]
    alone = run_study(jobs, tmp_path / "alone", TRAIN, CONVERT, scheduler=scheduler, progress=False)
    together = run_study(jobs, tmp_path / "together", TRAIN, CONVERT, scheduler=scheduler,
                         progress=False, train_together=2)
    for job, a, b in zip(jobs, alone, together):
        assert b["accuracy_by_scale"] == a["accuracy_by_scale"] and b["best_scale_s"] == a["best_scale_s"]
        nets = [RateNetwork.load(tmp_path / d / "nets" / job.key / "rate_model.npz")
                for d in ("alone", "together")]
        np.testing.assert_allclose(nets[1].W_rec, nets[0].W_rec, rtol=1e-9, atol=1e-12)
        meta = json.loads((tmp_path / "together" / "nets" / job.key / "rate_model.json").read_text())
        assert meta["training_group"] == ([1] if job.index == 1 else [0, 2])
    assert training_groups(jobs, tmp_path / "together", 2) == []     # nothing left to train


def test_training_together_on_another_device_is_refused_before_anything_is_written(tmp_path):
    from rate2spike.errors import Rate2SpikeError

    jobs = plan_jobs("gonogo", ["sigmoid"], 2, units=[12])
    with pytest.raises(Rate2SpikeError, match="--train-together trains on the CPU"):
        run_study(jobs, tmp_path / "s", {**TRAIN, "torch_device": "auto"}, CONVERT,
                  progress=False, train_together=2)
    assert not (tmp_path / "s").exists()
