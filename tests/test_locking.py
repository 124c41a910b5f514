"""Two writers of one output folder: the second is refused at once, a stale lock is taken over."""
import os
import subprocess
import sys
import textwrap

import pytest

from rate2spike.errors import Rate2SpikeError
from rate2spike.locking import LOCK_NAME, folder_lock


def test_a_second_process_is_refused_while_the_first_holds_the_folder(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from rate2spike.locking import folder_lock
        with folder_lock({str(tmp_path)!r}):
            print("locked", flush=True)
            sys.stdin.readline()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        busy = f"in use by another rate2spike process \\(pid {holder.pid}\\)"
        with pytest.raises(Rate2SpikeError, match=busy):
            with folder_lock(tmp_path):
                pass
    finally:
        holder.communicate("\n", timeout=30)
    with folder_lock(tmp_path):          # released: now it can be taken
        assert (tmp_path / LOCK_NAME).read_text() == f"flock:{os.getpid()}"
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_stale_lock_of_a_dead_process_is_taken_over_and_locks_nest(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    (tmp_path / LOCK_NAME).write_text(dead)
    with folder_lock(tmp_path):
        with folder_lock(tmp_path):      # re-entrant in one process
            pass
        assert (tmp_path / LOCK_NAME).exists()
    assert not (tmp_path / LOCK_NAME).exists()


def test_convert_into_a_folder_another_process_holds_is_refused(tmp_path, tiny_model, run_cli):
    out = tmp_path / "conv"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; time.sleep(60)"])
    try:
        (out / LOCK_NAME).write_text(str(holder.pid))
        code, cap = run_cli(["convert", "--task", "gonogo", "--model", str(tiny_model), "--out",
                             str(out), "--trials", "2", "--scales", "20", "--quiet"])
    finally:
        holder.kill()
        holder.wait()
    assert code == 2 and "in use by another rate2spike process" in cap.err
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]     # nothing else written


def _contend(folder: str, barrier, rounds: int, results) -> None:
    from rate2spike.errors import Rate2SpikeError
    from rate2spike.locking import folder_lock

    held = doubles = 0
    marker = os.path.join(folder, "held-by-one")
    for _ in range(rounds):
        barrier.wait()
        try:
            with folder_lock(folder):
                held += 1
                try:
                    fd = os.open(marker, os.O_CREAT | os.O_EXCL)
                except FileExistsError:
                    doubles += 1          # another process is inside the lock as well
                    continue
                os.close(fd)
                os.unlink(marker)
        except Rate2SpikeError:
            pass
    results.put((held, doubles))


def test_the_lock_is_never_held_twice_under_8_processes_x_200_rounds(tmp_path):
    """All processes try at the same instant (a barrier) in every round; the marker file inside
    the lock can only be created by one holder at a time."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(8), ctx.Queue()
    procs = [ctx.Process(target=_contend, args=(str(tmp_path), barrier, 200, results)) for _ in range(8)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert sum(d for _, d in outcomes) == 0
    assert 200 <= sum(h for h, _ in outcomes) <= 8 * 200   # every round someone held it
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_lock_of_a_process_killed_with_sigkill_is_taken_over(tmp_path):
    import signal

    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from rate2spike.locking import folder_lock
        with folder_lock({str(tmp_path)!r}):
            print("locked", flush=True)
            time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(Rate2SpikeError, match=f"pid {holder.pid}"):
        with folder_lock(tmp_path):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with folder_lock(tmp_path):            # the kernel released it; the stale pid is replaced
        assert (tmp_path / LOCK_NAME).read_text() == f"flock:{os.getpid()}"
