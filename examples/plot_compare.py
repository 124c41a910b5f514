"""
Rate vs converted LIF vs directly trained SRC
=============================================

:func:`rate2spike.compare` evaluates the three families on the same held-out trials. To keep
this example short, the rate net and s are given and the SRC net trains for only 80 updates on
5 ms steps; ``rate2spike compare --task gonogo`` trains everything with the defaults.
"""
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import rate2spike
from rate2spike import CompareNets
from rate2spike.config import SRCTrainConfig

NET = Path(rate2spike.__file__).resolve().parents[1] / "tests" / "data" / "gonogo_n200.npz"
out = Path(tempfile.mkdtemp()) / "cmp"
res = rate2spike.compare("gonogo", out=out, trials=40,
                         nets=CompareNets(rate_model=str(NET), s=25),
                         src_config=SRCTrainConfig(max_updates=80, step_s=0.005),
                         progress=False)
for name, net in res.nets.items():
    nj = net["energy"]["energy_J"] * 1e9
    print(f"{name:>4}: accuracy {net['accuracy']:.0%}, energy {nj:.0f} nJ/trial")

# %%
# The same numbers as bars (``compare`` also writes ``compare_summary.png``).
names = list(res.nets)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3))
ax1.bar(names, [res.nets[n]["accuracy"] for n in names])
ax1.set(ylabel="accuracy", ylim=(0, 1))
ax2.bar(names, [res.nets[n]["energy"]["energy_J"] * 1e9 for n in names])
ax2.set(ylabel="energy per trial (nJ)", yscale="log")
fig.tight_layout()
