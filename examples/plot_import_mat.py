"""
Bring your own model: the authors' .mat files and plain arrays
==============================================================

Models trained with the authors' TensorFlow code (rkim35/spikeRNN) are saved as ``.mat`` files.
:func:`rate2spike.load_authors_mat` reads them exactly as their ``LIF_network_fnc.m`` does. Here
we write such a file from the test net's arrays, the way ``rate/main.py`` saves one, read it
back, and convert it. :meth:`rate2spike.RateNetwork.from_arrays` takes arrays from any framework.
"""
import tempfile
from pathlib import Path

import numpy as np
import scipy.io

import rate2spike
from rate2spike.converters import convert

NET = Path(rate2spike.__file__).resolve().parents[1] / "tests" / "data" / "gonogo_n200.npz"
net = rate2spike.RateNetwork.load(NET)
lo, hi = 4.0, 20.0                         # tau_d range in 5-ms steps (20-100 ms)
frac = (net.tau_d_s / 0.005 - lo) / (hi - lo)
path = Path(tempfile.mkdtemp()) / "Task_go-nogo_N_200_Act_sigmoid.mat"
scipy.io.savemat(str(path), {
    "w": np.abs(net.W_rec), "m": np.diag(net.dale_sign), "som_m": np.ones((200, 200)),
    "w_in": net.W_in, "w_out": net.W_out, "b_out": net.b_out[0], "N": 200,
    "taus": np.array([lo, hi]), "taus_gaus": np.log(frac / (1 - frac))[:, None],
    "activation": "sigmoid"})

back = rate2spike.load_authors_mat(path)
print("task:", back.task, "| same W_rec:", np.allclose(back.W_rec, net.W_rec),
      "| same tau_d:", np.allclose(back.tau_d_s, net.tau_d_s))

# %%
# The imported net converts like any other. Score 20 trials at s = 25:
task = rate2spike.tasks.get_task("gonogo")
batch = task.generate(20, seed=5)
sim = rate2spike.simulate_lif(convert(back, 25.0), batch.inputs, batch.dt_s)
correct = task.score(sim.runs[25.0].outputs, batch.labels, sim.readout_dt_s, "lif")
print(f"LIF accuracy of the imported net: {correct.mean():.0%}")

# %%
# From plain arrays: every shape, Dale sign and range is checked. A tau in milliseconds is
# refused with a message that says so.
try:
    rate2spike.RateNetwork.from_arrays(net.W_rec, net.W_in, net.W_out, net.tau_d_s * 1000,
                                       act="sigmoid", task="gonogo")
except rate2spike.errors.ArtifactError as err:
    print("refused:", err)
