"""
Export a converted net to NIR and run it elsewhere
==================================================

:func:`rate2spike.export` writes a converted LIF net as a NIR graph (Neuromorphic Intermediate
Representation), in two profiles. The *full* one keeps the continuous-time equations: the
double-exponential synapse becomes two leaky-integrator stages. NIR has no refractory period and
no voltage noise, so with both switched off an independent interpreter of the graph
(``run_nir``, written from the NIR node definitions) reproduces Brian2 spike for spike. The
*portable* one (the default) is what Norse and snnTorch load: the second part runs it in both.
"""
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import nir
import numpy as np

import rate2spike
from rate2spike.converters import convert
from rate2spike.exporters.nir_interpreter import run_nir
from rate2spike.lif_models import LIFConstants
from rate2spike.simulators.lif import initial_voltages

NET = Path(rate2spike.__file__).resolve().parents[1] / "tests" / "data" / "gonogo_n200.npz"
no_refractory_no_noise = LIFConstants(noise_mV=0.0, refractory_s=0.0)
lif = convert(rate2spike.RateNetwork.load(NET), 25.0, no_refractory_no_noise)
path = Path(tempfile.mkdtemp()) / "gonogo_lif.nir"
rate2spike.export(lif, "nir", path, nir_profile="full")
graph = nir.read(path)
print(sorted(graph.nodes))

# %%
# One Go trial, 0.4 s, in Brian2 and in the NIR interpreter, from the same initial voltages.
task = rate2spike.tasks.get_task("gonogo")
batch = task.generate(8, seed=1)
go = int(np.flatnonzero(batch.conditions == "go")[0])
inputs = batch.inputs[go:go + 1, :, :80]                       # 80 task steps of 5 ms
sim = rate2spike.simulate_lif(lif, inputs, batch.dt_s, raster_trials=[0], trial_ids=[go],
                             seed=7)
units, times = sim.runs[25.0].rasters[0]
dt = lif.constants.dt_s
v0 = initial_voltages([go], 200, lif.constants, 7)     # the same initial voltages (mV)
x = np.repeat(inputs[0].T, int(round(batch.dt_s / dt)), axis=0)  # one row per 0.05-ms step
nir_run = run_nir(graph, x, dt, {"lif": v0})
steps, nir_units = np.nonzero(nir_run.spikes["lif"])
same = sorted(zip(units.tolist(), np.round(times / dt).astype(int).tolist())) == \
    sorted(zip(nir_units.tolist(), steps.tolist()))
print(f"Brian2: {len(units)} spikes, NIR interpreter: {len(nir_units)} spikes, "
      f"identical: {same}")

fig, ax = plt.subplots(figsize=(8, 3.5))
ax.scatter(times, units, s=6, color="tab:orange", label="Brian2")
ax.scatter(steps * dt, nir_units, s=1, color="k", label="NIR interpreter")
ax.set(xlabel="time (s)", ylabel="unit")
ax.legend(loc="upper right")
fig.tight_layout()

# %%
# The portable graph of the default conversion (noise, refractory period and all in Brian2),
# simulated on the same 20 held-out trials inside Norse and snnTorch through their own NIR
# importers, and by rate2spike's NumPy version of the graph's steps; then scored by the task.
from rate2spike.workflows.nir_check import nir_check  # noqa: E402

default = convert(rate2spike.RateNetwork.load(NET), 25.0)
portable = Path(tempfile.mkdtemp()) / "gonogo_portable.nir"
rate2spike.export(default, "nir", portable)
print(nir.read(portable).metadata["profile"], sorted(nir.read(portable).metadata["approximations"]))
clients = ["rate2spike"]
for client, module in (("norse", "norse.torch"), ("snntorch", "snntorch.import_nir")):
    try:
        __import__(module)
        clients.append(client)
    except ImportError:
        print(f"{client} is not installed: pip install 'rate2spike[nir-clients]'")
for score in nir_check(portable, clients, trials=20, network=default):
    print(f"{score.client:>10}: accuracy {score.accuracy:.0%}, {score.spikes_per_trial:.0f} "
          f"spikes per trial, {score.seconds:.1f} s")

