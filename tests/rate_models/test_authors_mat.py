"""Rate networks from elsewhere: the authors' ``.mat`` files and user arrays (from_arrays)."""
import json

import numpy as np
import pytest
import scipy.io
import torch

from rate2spike.errors import ArtifactError, Rate2SpikeError
from rate2spike.rate_models import RateNetwork
from rate2spike.rate_models.authors_mat import load_authors_mat
from tests.conftest import TRAINED, make_rate_artifact


def write_authors_mat(path, net: RateNetwork, taus_steps=(4.0, 20.0), act="sigmoid", som=None):
    """``net`` saved the way the authors' rate/main.py saves a model: rectified w, diagonal
    +-1 mask m, SOM mask, taus in 5-ms steps and taus_gaus the pre-sigmoid parameters
    (logit of the position of tau_d in the range)."""
    n = net.n_units
    lo, hi = taus_steps
    frac = (net.tau_d_s / 0.005 - lo) / (hi - lo)
    som_m = np.ones((n, n)) if som is None else som
    var = {"w": np.abs(net.W_rec), "m": np.diag(net.dale_sign), "som_m": som_m,
           "w_in": net.W_in, "w_out": net.W_out, "b_out": net.b_out[0], "N": n,
           "inh": (net.dale_sign < 0)[:, None], "exc": (net.dale_sign > 0)[:, None],
           "taus": np.array(taus_steps), "taus_gaus": np.log(frac / (1 - frac))[:, None],
           "activation": act, "losses": np.zeros(3), "tr": 1600}
    scipy.io.savemat(str(path), var)
    return path


def read_mat(path) -> dict:
    return {k: v for k, v in scipy.io.loadmat(str(path)).items() if not k.startswith("__")}


def test_authors_mat_gives_back_the_effective_matrix_taus_signs_and_task(tmp_path):
    net = RateNetwork.load(TRAINED)
    got = load_authors_mat(write_authors_mat(tmp_path / "net.mat", net))
    assert got.task == "gonogo" and got.act == "sigmoid" and got.dale
    np.testing.assert_array_equal(got.W_rec, net.W_rec)        # relu(w) @ m with m = diag(+-1)
    np.testing.assert_array_equal(got.dale_sign, net.dale_sign)
    np.testing.assert_array_equal(got.W_in, net.W_in)
    np.testing.assert_array_equal(got.W_out, net.W_out)
    np.testing.assert_allclose(got.tau_d_s, net.tau_d_s, rtol=1e-12)
    assert (got.tau_min_s, got.tau_max_s, got.dt_s) == (0.02, 0.1, 0.005)
    assert got.meta["source"].endswith("net.mat")


def test_authors_mat_som_mask_fixed_tau_and_clipped_relu(tmp_path):
    net = RateNetwork.load(make_rate_artifact(tmp_path / "x", task="xor", n=12, n_in=2))
    som = np.ones((12, 12))
    som[3, :] = 0                                   # unit 3 receives nothing
    got = load_authors_mat(write_authors_mat(tmp_path / "n.mat", net, (4.0, 20.0), "clipped_relu",
                                             som))
    assert got.task == "xor" and got.act == "relu"
    assert not got.W_rec[3].any() and np.array_equal(got.W_rec[4], net.W_rec[4])
    mat = read_mat(tmp_path / "n.mat")
    mat["taus"] = np.array([4.0])                   # one value: fixed tau_d = 4 steps = 20 ms
    scipy.io.savemat(str(tmp_path / "f.mat"), mat)
    fixed = load_authors_mat(tmp_path / "f.mat")
    assert np.all(fixed.tau_d_s == 0.02) and fixed.tau_min_s == fixed.tau_max_s == 0.02


@pytest.mark.parametrize("change, message", [
    (lambda m: m.pop("w_out"), r"keys \['w_out'\] are missing"),
    (lambda m: m.update(activation="tanh"), "activation 'tanh' is not one of"),
    (lambda m: m.update(m=np.ones((20, 20))), "diagonal matrix of"),
    (lambda m: m.update(w=np.ones((20, 19))), r"'w' has shape \(20, 19\)"),
    (lambda m: m.update(taus=np.array([4.0, 10.0, 20.0])), "'taus' must hold one value"),
    (lambda m: m.update(w_in=np.ones((20, 3))), "3 inputs, which matches no task"),
    (lambda m: m.update(w=np.random.default_rng(0).standard_normal((20, 20))), "mix signs"),
    (lambda m: m.update(w_out=np.zeros((0, 0))), "key 'w_out' is not a numeric array.*empty"),
    (lambda m: m.update(N=np.zeros((0, 0))), "key 'N' is not a numeric array.*empty"),
    (lambda m: m.update(N=20.5), "key 'N' must be a positive whole number"),
    (lambda m: m.update(taus=np.array(["a", "b"])), "key 'taus' is not a numeric array"),
    (lambda m: m.update(activation=np.zeros((0, 0))), "key 'activation' is empty; valid: sigmoid"),
    (lambda m: m.update(b_out=np.array([np.nan])), "key 'b_out' .*NaN"),
])
def test_malformed_authors_mat_is_refused_naming_the_key(tmp_path, change, message):
    net = RateNetwork.load(make_rate_artifact(tmp_path / "a", n=20))
    mat = read_mat(write_authors_mat(tmp_path / "ok.mat", net))
    change(mat)
    scipy.io.savemat(str(tmp_path / "bad.mat"), mat)
    with pytest.raises(ArtifactError, match=message) as err:
        load_authors_mat(tmp_path / "bad.mat")
    assert "bad.mat" in str(err.value)


def test_truncated_foreign_and_wrong_task_mat_files(tmp_path):
    good = write_authors_mat(tmp_path / "ok.mat", RateNetwork.load(TRAINED))
    (tmp_path / "cut.mat").write_bytes(good.read_bytes()[:3000])
    (tmp_path / "tiny.mat").write_bytes(good.read_bytes()[:100])
    (tmp_path / "text.mat").write_text("not a mat file")
    for name in ("cut.mat", "tiny.mat", "text.mat", "absent.mat"):
        with pytest.raises(ArtifactError, match=name):
            load_authors_mat(tmp_path / name)
    with pytest.raises(ArtifactError, match="1 input.*gonogo model.*cannot run task 'xor'"):
        load_authors_mat(good, task="xor")


def test_a_matlab_v73_file_is_refused_with_how_to_resave_it(tmp_path):
    # a v7.3 file starts with a 128-byte MAT header whose version field (bytes 124-125) is
    # 0x0200, followed (at byte 512) by HDF5 data, which scipy does not read
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 .".ljust(116) + bytes(8)
    path = tmp_path / "v73.mat"
    path.write_bytes(header + b"\x00\x02IM" + bytes(384) + b"\x89HDF\r\n\x1a\n" + bytes(64))
    with pytest.raises(ArtifactError, match=r"v73.mat is a MATLAB v7.3.*'-v7'"):
        load_authors_mat(path)


@pytest.mark.slow
def test_convert_of_a_mat_equals_convert_of_the_same_npz(tmp_path, run_cli):
    stem = make_rate_artifact(tmp_path / "m" / "net", n=20)
    write_authors_mat(tmp_path / "m" / "net.mat", RateNetwork.load(stem))
    sweeps = []
    for model in ("net.npz", "net.mat"):
        out = tmp_path / model.replace(".", "_")
        code, _ = run_cli(["convert", "--task", "gonogo", "--model", str(tmp_path / "m" / model),
                           "--trials", "4", "--scales", "20,40", "--device", "reference",
                           "--out", str(out), "--quiet"])
        assert code == 0
        rows = json.loads((out / "lambda_sweep.json").read_text())
        sweeps.append([{k: v for k, v in r.items() if "time" not in k and k != "output_mse"}
                       for r in rows])
        mse = [r["output_mse"] for r in rows]
    assert sweeps[0] == sweeps[1]      # the same spikes and scores; the output to rounding:
    assert mse == pytest.approx([r["output_mse"] for r in rows], rel=1e-9)


def test_cli_refuses_a_two_input_mat_for_gonogo_and_writes_nothing(tmp_path, run_cli):
    net = RateNetwork.load(make_rate_artifact(tmp_path / "x", task="xor", n=12, n_in=2))
    mat = write_authors_mat(tmp_path / "xor.mat", net)
    code, out = run_cli(["convert", "--task", "gonogo", "--model", str(mat),
                         "--out", str(tmp_path / "run"), "--quiet"])
    assert code == 2 and "2 input(s), a xor model" in out.err and "--task xor" in out.err
    assert not (tmp_path / "run").exists()


def test_from_arrays_takes_a_torch_state_dict_in_three_lines():
    class MyRNN(torch.nn.Module):          # a user's own rate RNN (Dale: relu(w) * sign)
        def __init__(self, n=30):
            super().__init__()
            g = torch.Generator().manual_seed(0)
            self.w = torch.nn.Parameter(torch.rand(n, n, generator=g))
            self.register_buffer("sign", torch.where(torch.rand(n, generator=g) < 0.2, -1.0, 1.0))
            self.w_in = torch.nn.Parameter(torch.randn(n, 4, generator=g))
            self.w_out = torch.nn.Parameter(torch.randn(1, n, generator=g))
            self.theta = torch.nn.Parameter(torch.randn(n, generator=g))

    sd = MyRNN().state_dict()
    net = RateNetwork.from_arrays(torch.relu(sd["w"]) * sd["sign"], sd["w_in"], sd["w_out"],
                                  0.02 + 0.03 * torch.sigmoid(sd["theta"]), act="sigmoid",
                                  task="mante")
    assert net.n_units == 30 and net.task == "mante" and net.dale
    np.testing.assert_array_equal(net.dale_sign, sd["sign"].numpy())
    assert 0.02 <= net.tau_min_s <= net.tau_d_s.min() and net.tau_max_s <= 0.05
    outputs, _ = net.run(np.zeros((2, 4, 50)), seed=0)
    assert outputs.shape == (2, 50)


@pytest.mark.parametrize("kwargs, message", [
    ({"W_in": np.ones((10, 2))}, r"W_in must have shape \(10, 1\) for task gonogo"),
    ({"W_rec": np.ones((10, 9))}, "square"),
    ({"W_out": np.ones(9)}, r"W_out must have shape \(1, 10\)"),
    ({"tau_d_s": 20.0}, "milliseconds or steps"),
    ({"tau_d_s": np.full(9, 0.02)}, "10 values"),
    ({"W_rec": np.where(np.eye(10) > 0, -1.0, 1.0)}, "mix signs"),
    ({"W_rec": np.full((10, 10), np.nan)}, "NaN"),
    ({"act": "tanh"}, "act = 'tanh'"),
    ({"task": "sine"}, "unknown task 'sine'"),
    ({"tau_range_s": (0.03, 0.05)}, r"\(min, max\) pair in seconds containing every tau_d_s"),
    ({"tau_range_s": (0.02,)}, r"\(min, max\) pair"),
    ({"dt_s": "x"}, "dt_s must be a rate step in seconds"),
    ({"dt_s": 0.0}, "dt_s must be a rate step in seconds"),
    ({"noise_std": -1.0}, "noise_std must be a noise amplitude"),
    ({"noise_std": "loud"}, "noise_std must be a noise amplitude"),
    ({"act": ["sigmoid"]}, "act = \\['sigmoid'\\]"),
])
def test_from_arrays_names_what_is_off(kwargs, message):
    args = {"W_rec": np.abs(np.eye(10)), "W_in": np.ones((10, 1)), "W_out": np.ones((1, 10)),
            "tau_d_s": np.full(10, 0.02), "act": "sigmoid", "task": "gonogo"}
    args.update(kwargs)
    with pytest.raises(Rate2SpikeError, match=message):
        RateNetwork.from_arrays(args.pop("W_rec"), args.pop("W_in"), args.pop("W_out"),
                                args.pop("tau_d_s"), **args)


def test_from_arrays_takes_a_scalar_tau_as_a_torch_tensor_or_a_float():
    for tau in (torch.tensor(0.03, dtype=torch.float64), 0.03, np.array([0.03])):
        net = RateNetwork.from_arrays(np.eye(10), np.ones((10, 1)), np.ones(10), tau,
                                      act="relu", task="gonogo")
        np.testing.assert_array_equal(net.tau_d_s, np.full(10, 0.03))
        assert net.tau_min_s == net.tau_max_s == 0.03
