"""
One SRC neuron: the paper's Fig. 6 and its f-I curve
====================================================

The spike-generating part of a Spiking Recurrent Cell neuron (eqs. 3c-3f of De Geeter et al.
2023) driven directly by its input x, with z_s fixed or switching on h (``rate2spike
src-neuron`` draws the same figures and writes the numbers).
"""
import matplotlib.pyplot as plt
import numpy as np

from rate2spike.src_models import SRCConstants
from rate2spike.src_models.single_neuron import drive_neuron, f_i_curve, fig6_stimulus, pulse_statistics

x = fig6_stimulus(sub=0.5, supra=3.0)
variants = {"fixed z_s = 0.9": drive_neuron(x, -6.0, zs_fixed=0.9, rest_steps=100),
            "variable z_s (eq. 3c)": drive_neuron(x, -6.0, SRCConstants(), rest_steps=100)}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
for ax, (label, tr) in zip(axes, variants.items()):
    ax.plot(tr.h, "k", label="h")
    ax.plot(tr.positive_feedback, "tab:red", label="r·h")
    ax.plot(tr.negative_feedback, "tab:blue", label="r_s·h_s")
    ax.set(title=label, xlabel="step")
    stats = pulse_statistics(tr.s)
    print(f"{label}: {stats.n_pulses} pulses, mean width {stats.mean_width:.2f} steps")
axes[0].legend(fontsize=8)
fig.tight_layout()

# %%
# Firing rate and pulse width against a constant input: the variable gate gives short
# pulses.
drives = np.arange(0.0, 4.01, 0.5)
curves = f_i_curve(drives, -6.0, steps=500)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.2))
for label, stats in curves.items():
    ax1.plot(drives, [s.rate_per_step for s in stats], "o-", label=label)
    ax2.plot(drives, [s.mean_width for s in stats], "o-", label=label)
ax1.set(xlabel="constant input x", ylabel="pulses per step")
ax2.set(xlabel="constant input x", ylabel="pulse width (steps)")
ax1.legend(fontsize=8)
fig.tight_layout()
