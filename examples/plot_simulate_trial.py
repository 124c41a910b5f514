"""
Run trials of a converted net: raster and output
================================================

:func:`rate2spike.simulate_lif` runs any trials of a converted network (here the test net at
s = 25) and returns outputs, spike counts and, for chosen trials, every spike.
"""
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import rate2spike
from rate2spike.converters import convert

NET = Path(rate2spike.__file__).resolve().parents[1] / "tests" / "data" / "gonogo_n200.npz"
lif = convert(rate2spike.RateNetwork.load(NET), 25.0)
task = rate2spike.tasks.get_task("gonogo")
batch = task.generate(4, seed=3)
sim = rate2spike.simulate_lif(lif, batch.inputs, batch.dt_s, raster_trials=range(4))
run = sim.runs[25.0]
correct = task.score(run.outputs, batch.labels, sim.readout_dt_s, "lif")
print("conditions:", list(batch.conditions), "correct:", correct.tolist())

# %%
# A raster of one Go trial (excitatory units red, inhibitory blue) and the readout of every
# trial against its target.
go = int(np.flatnonzero(batch.conditions == "go")[0])
units, times = run.rasters[go]
inh = lif.rate.dale_sign[units] < 0
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
ax1.scatter(times[~inh], units[~inh], s=1, color="tab:red")
ax1.scatter(times[inh], units[inh], s=1, color="tab:blue")
ax1.set(ylabel="unit", title=f"trial {go} (go)")
t = np.arange(run.outputs.shape[1]) * sim.readout_dt_s
for k in range(len(batch.labels)):
    ax2.plot(t, run.outputs[k], label=batch.conditions[k])
ax2.set(xlabel="time (s)", ylabel="output o(t)")
ax2.legend(fontsize=8)
fig.tight_layout()
