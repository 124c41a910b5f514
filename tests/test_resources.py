"""Runs too large for the memory are refused up front, with the estimate."""
import pytest

from rate2spike.errors import Rate2SpikeError
from rate2spike.resources import check_memory


def test_check_memory_refuses_above_the_share_and_says_how_many_trials_fit():
    check_memory(7 * 2**30, "x", available=10 * 2**30)          # 7 GiB of 0.8 x 10 GiB: fine
    with pytest.raises(Rate2SpikeError, match=r"~9.0 GiB .* 8.0 GiB available; at most ~8,192 trials"):
        check_memory(9 * 2**30, "a run", per_trial_bytes=2**20, available=10 * 2**30)


def test_the_largest_trial_count_the_cli_accepts_is_refused_before_any_work(tmp_path, tiny_model,
                                                                          run_cli):
    out = tmp_path / "out"
    code, cap = run_cli(["convert", "--task", "gonogo", "--model", str(tiny_model), "--out",
                         str(out), "--trials", "1000000", "--quiet"])
    # 10^6 trials of a 20-unit net: ~90 GB of rates, outputs and trials
    assert code == 2 and "convert with --trials 1,000,000 would need ~" in cap.err
    assert "trials fit" in cap.err and not out.exists()
