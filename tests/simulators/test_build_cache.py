"""The build cache: a second network of the same shape reuses the compiled program (nothing
recompiled, nothing relinked) and still simulates *its own* weights, spike for spike as the
independent NumPy simulator; slots are exclusive between processes; the padding and the
canonical ``main`` that make programs identical."""
import subprocess
import sys
import time

import numpy as np
import pytest

from rate2spike.brian_models import LIFBatchModel
from rate2spike.brian_models.lif import padded_synapse_count
from rate2spike.lif_models import LIFConstants
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators import CopyBatch, brian_setup, build_cache, open_backend, precompiled
from rate2spike.simulators.numpy_reference import simulate_reference
from tests.conftest import TRAINED


def _model(w_rec, net, inputs, c):
    return LIFBatchModel(w_rec, net.W_in, net.W_out, net.tau_d_s, inputs.shape[0],
                         inputs.shape[2], 0.005, c)


@pytest.mark.slow
def test_a_second_net_of_the_same_shape_compiles_nothing_and_runs_its_own_weights(
        tmp_path, monkeypatch):
    """A cold build (precompiled standard headers, the code that runs once at -O1), then a
    second net of the same shape: nothing recompiled, its own weights, the NumPy reference's
    spikes."""
    monkeypatch.setenv(build_cache.CACHE_ENV, str(tmp_path / "cache"))
    net = RateNetwork.load(TRAINED)
    inputs = np.zeros((2, 1, 30))
    inputs[:, :, 5:15] = 1.0
    v0 = np.random.default_rng(0).uniform(-65, 30, 2 * net.n_units)
    c = LIFConstants(noise_mV=0.0)
    with open_backend(_model(net.W_rec, net, inputs, c)) as first:
        slot = first.build_dir
        first.run(CopyBatch(inputs, np.full(2, 25.0), v0, None))
        log = (slot / brian_setup.SHELL_LOG).read_text()
    stamps = {p: p.stat().st_mtime_ns for p in slot.rglob("*.o")} | {
        slot / "main": (slot / "main").stat().st_mtime_ns}
    assert len(stamps) > 5
    # built with the precompiled standard headers (forced include, .gch in the cache)
    assert f"-include{tmp_path / 'cache'}" in log and list((tmp_path / "cache").glob("pch-*/*.gch"))

    def at_o1(source):           # the compile line of one file (the last -O given wins)
        line = next(x for x in log.splitlines() if x.endswith(f"{source}.cpp -o {source}.o"))
        return line.rfind("-O1") > line.rfind("-O3")

    # the code that runs once at -O1; the code of every time step at -O3 (spikes: below)
    assert at_o1("objects") and at_o1("main")
    assert at_o1("code_objects/recurrent_synapses_create_array_codeobject")
    assert not at_o1("code_objects/lif_stateupdater_codeobject")
    assert not at_o1("code_objects/recurrent_pre_codeobject")
    # other weights, 5 synapses fewer (same padded count): the same program
    w2 = net.W_rec * 1.2
    rows, cols = np.nonzero(w2)
    w2[rows[:5], cols[:5]] = 0.0
    with open_backend(_model(w2, net, inputs, c)) as second:
        assert second.build_dir == slot
        brian = second.run(CopyBatch(inputs, np.full(2, 25.0), v0, None))
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps     # nothing rebuilt
    ref = simulate_reference(w2, net.W_in, net.W_out, net.tau_d_s, inputs, 0.005,
                             np.full(2, 1 / 25), v0, c)
    assert brian.spike_counts.sum() > 100
    np.testing.assert_array_equal(ref.spike_i, brian.spike_i)
    np.testing.assert_allclose(ref.outputs, brian.outputs, rtol=1e-7, atol=1e-9)


def test_padding_adds_under_an_eighth_and_groups_similar_counts():
    for n in [9, 100, 999, 2048, 3321, 4096, 12_345]:
        p = padded_synapse_count(n)
        assert n <= p < n * 1.125
    assert [padded_synapse_count(n) for n in range(9)] == list(range(9))
    assert len({padded_synapse_count(n) for n in range(3073, 3329)}) == 1     # one bucket
    assert len({padded_synapse_count(n) for n in range(2048, 4097)}) == 9     # 8 per octave


def test_canonical_main_sorts_only_runs_of_clock_resets():
    a = ["x = 1;", "  _array_readout_clock_timestep[0] = 0;", "  _array_defaultclock_t[0] = 0.0;",
         "  _array_defaultclock_timestep[0] = 0;", "y = 2;", "  _array_b_clock_t[0] = 0.0;"]
    b = [a[0], a[3], a[1], a[2], a[4], a[5]]
    assert brian_setup.canonical_main("\n".join(a)) == brian_setup.canonical_main("\n".join(b))
    out = brian_setup.canonical_main("\n".join(a)).split("\n")
    assert out[0] == "x = 1;" and out[4] == "y = 2;" and sorted(out) == sorted(a)


def test_slots_are_exclusive_between_processes_and_prefer_the_same_shape(tmp_path, monkeypatch):
    monkeypatch.setenv(build_cache.CACHE_ENV, str(tmp_path))
    a = build_cache.acquire_slot("cpp_standalone", "shape A")
    b = build_cache.acquire_slot("cpp_standalone", "shape A")
    assert a.path != b.path                          # held by this process: not shared
    a.release()
    b.release()
    again = build_cache.acquire_slot("cpp_standalone", "shape B")   # b was last "shape A" too
    again.release()
    same = build_cache.acquire_slot("cpp_standalone", "shape B")
    same.release()
    assert same.path == again.path
    # another process holding slot 0 (flock): we get a different one
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(again.path / '.lock')!r}, os.O_RDWR)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nprint('held', flush=True)\n"
        "time.sleep(30)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        other = build_cache.acquire_slot("cpp_standalone", "shape B")
        assert other.path != again.path
        other.release()
    finally:
        holder.kill()
        holder.wait()


def test_a_new_shape_takes_an_unused_slot_and_then_the_one_used_longest_ago(tmp_path, monkeypatch):
    monkeypatch.setenv(build_cache.CACHE_ENV, str(tmp_path))
    monkeypatch.setenv(build_cache.SLOTS_ENV, "2")

    def take(shape):
        slot = build_cache.acquire_slot("cpp_standalone", shape)
        slot.release()
        time.sleep(0.02)                       # distinct time stamps on any file system
        return slot.path.name

    a = take("shape A")
    b = take("shape B")
    assert b != a                              # an unused slot: shape A stays compiled
    assert take("shape A") == a                # so A is found again
    assert take("shape C") == b                # full: B was used longest ago
    assert take("shape A") == a and take("shape C") == b


def test_the_cache_can_be_turned_off(monkeypatch):
    monkeypatch.setenv(build_cache.CACHE_ENV, "off")
    assert build_cache.cache_root() is None
    assert build_cache.acquire_slot("cpp_standalone", "x") is None


@pytest.mark.slow
def test_a_build_that_fails_in_a_slot_is_retried_once_from_an_empty_folder(tmp_path,
                                                                           monkeypatch):
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    monkeypatch.setenv(build_cache.CACHE_ENV, str(tmp_path / "cache"))
    net = RateNetwork.load(TRAINED)
    original, calls = CPPStandaloneDevice.compile_source, []

    def crashes_once(self, *args, **kwargs):   # e.g. a compiler killed mid-file
        calls.append(sorted(p.name for p in (tmp_path / "cache").glob("*/stale.o")))
        if len(calls) == 1:
            raise RuntimeError("simulated compiler crash")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CPPStandaloneDevice, "compile_source", crashes_once)
    inputs = np.zeros((2, 1, 20))
    model = _model(net.W_rec, net, inputs, LIFConstants(noise_mV=0.0))
    slot = build_cache.acquire_slot("cpp_standalone", model.shape_signature())   # the slot it takes
    (slot.path / "stale.o").write_text("half-written")
    slot.release()
    with open_backend(model) as backend:
        assert backend.device == "cpp_standalone"       # no fallback to numpy
        run = backend.run(CopyBatch(inputs, np.full(2, 25.0), np.full(400, -60.0), None))
    assert calls == [["stale.o"], []]                    # wiped before the second try
    assert run.spike_counts.shape == (2, 200)


def test_build_commands_keep_their_output_in_a_log_and_show_it_only_when_they_fail(tmp_path,
                                                                                 monkeypatch,
                                                                                 capfd):
    """Brian2 dumps everything written to this process's streams on any exception (a Ctrl-C
    included), so ``make`` writes to a log; a failing command's log goes to stderr."""
    import os

    from rate2spike.simulators.brian_setup import SHELL_LOG, interruptible_shell

    monkeypatch.chdir(tmp_path)
    with interruptible_shell():
        ok = os.system("echo compiling quietly")
        failed = os.system("echo 'main.cpp:1: error: compiler says no' >&2; exit 3")
        killed = os.system("kill -TERM $$")
    out, err = capfd.readouterr()
    assert (ok, failed, killed) == (0, 3 << 8, 15)     # os.system's encoding
    assert out == "" and err == "main.cpp:1: error: compiler says no\n"
    assert (tmp_path / SHELL_LOG).is_file()


def test_a_build_left_running_by_a_killed_process_is_stopped_by_the_next_user_of_its_folder(
        tmp_path):
    """A Dask worker killed by its nanny cannot stop its ``make``; the next run taking the
    build folder kills the group named in the folder's marker, if it still works there."""
    import subprocess

    from rate2spike.simulators.brian_setup import SHELL_PGID, stop_orphaned_build

    slot, elsewhere = tmp_path / "slot", tmp_path / "elsewhere"
    slot.mkdir(), elsewhere.mkdir()
    orphan = subprocess.Popen(["sleep", "30"], cwd=slot, start_new_session=True)
    stranger = subprocess.Popen(["sleep", "30"], cwd=elsewhere, start_new_session=True)
    try:
        (slot / SHELL_PGID).write_text(str(stranger.pid))    # not working in the slot: spared
        stop_orphaned_build(slot)
        assert stranger.poll() is None and not (slot / SHELL_PGID).exists()
        (slot / SHELL_PGID).write_text(str(orphan.pid))
        stop_orphaned_build(slot)
        assert orphan.wait(timeout=5) == -9 and not (slot / SHELL_PGID).exists()
    finally:
        for proc in (orphan, stranger):
            proc.kill()
            proc.wait()


def test_precompiled_headers_can_be_switched_off(tmp_path, monkeypatch):
    """RATE2SPIKE_PRECOMPILED_HEADERS=off: no forced include (with them, the build of the test
    above shows the include and the .gch, and gives the reference's spikes)."""
    import brian2 as b2

    monkeypatch.setenv(precompiled.SWITCH_ENV, "off")
    brian_setup.use_standalone("cpp_standalone", tmp_path / "unused")
    with precompiled.precompiled_standard_headers(tmp_path / "cache"):
        assert not any(f.startswith("-include") for f in b2.prefs.codegen.cpp.extra_compile_args_gcc)
    brian_setup.reset_brian()


def test_brian_is_reset_also_where_brian2_lacks_the_2_9_keyboard_interrupt_preference(monkeypatch):
    """brian2cuda 1.0a7 pins Brian2 2.8.0, which has no ``core.stop_on_keyboard_interrupt``;
    setting it there raised PreferenceError before any network was built (seen on a GPU)."""
    import brian2

    from rate2spike.simulators import brian_setup

    name = "core.stop_on_keyboard_interrupt"
    monkeypatch.delitem(brian2.prefs.pref_register["core"][0], "stop_on_keyboard_interrupt")
    monkeypatch.delitem(brian2.prefs.prefs, name)      # Brian2 2.8.0: neither defined nor set
    brian_setup.reset_brian()                         # raised PreferenceError before the fix
    assert brian2.get_device().__class__.__name__ == "RuntimeDevice"
