"""``rate2spike src-neuron``: files, numbers consistent with the model, bad input."""
import json

import pytest

from rate2spike.src_models import SRCConstants
from rate2spike.src_models.single_neuron import drive_neuron, fig6_stimulus, pulse_statistics


def test_src_neuron_writes_figures_and_the_numbers_of_the_model(tmp_path, run_cli):
    code, cap = run_cli(["src-neuron", "--drives", "0,1,2.5", "--steps", "300",
                         "--out", str(tmp_path / "n")])
    assert code == 0, cap.err
    for name in ("fig6.png", "fi_curve.png", "report.md", "src_neuron.json"):
        assert (tmp_path / "n" / name).stat().st_size > 0
    data = json.loads((tmp_path / "n" / "src_neuron.json").read_text())
    assert data["drives"] == [0.0, 1.0, 2.5]
    got = data["curves"]["variable z_s, h[t] (eq. 3c)"][2]
    x = [2.5] * 400
    want = pulse_statistics(drive_neuron(x, -6.0, SRCConstants()).s[100:])
    assert got["n_pulses"] == want.n_pulses and got["mean_width"] == pytest.approx(want.mean_width)
    fixed = data["fig6"]["fixed z_s"]
    assert fixed["x"] == fig6_stimulus().tolist() and set(fixed["zs"]) == {0.9}
    assert "| 2.5 |" in (tmp_path / "n" / "report.md").read_text()


@pytest.mark.parametrize("args, message", [
    (["--b-h", "-3"], "b_h"),
    (["--zs-fixed", "1.5"], "zs_fixed"),
    (["--steps", "5"], "steps"),
    (["--drives", "a,b"], "--drives must be comma-separated numbers"),
    (["--drives", ","], "--drives needs at least one number"),
    (["--drives", "20"], "every drive"),
    (["--steps", "200000"], "steps"),
])
def test_src_neuron_bad_input_exits_2_and_writes_nothing(tmp_path, run_cli, args, message):
    code, cap = run_cli(["src-neuron", *args, "--out", str(tmp_path / "x")])
    assert code == 2 and message in cap.err
    assert not (tmp_path / "x").exists()


def test_src_neuron_refuses_a_path_through_a_file_and_a_finished_run(tmp_path, run_cli):
    (tmp_path / "file").write_text("x")
    code, cap = run_cli(["src-neuron", "--out", str(tmp_path / "file" / "sub")])
    assert code == 2 and "is a file" in cap.err
    code, _ = run_cli(["src-neuron", "--drives=-1,2", "--steps", "50", "--out", str(tmp_path / "n")])
    assert code == 0                                  # negative inputs are valid drives
    data = json.loads((tmp_path / "n" / "src_neuron.json").read_text())   # strict JSON
    assert data["curves"]["fixed z_s"][0]["mean_width"] is None          # silent: no width
    before = (tmp_path / "n" / "src_neuron.json").read_bytes()
    code, cap = run_cli(["src-neuron", "--out", str(tmp_path / "n")])
    assert code == 2 and "already holds a src-neuron run" in cap.err
    assert (tmp_path / "n" / "src_neuron.json").read_bytes() == before
