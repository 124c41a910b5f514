"""
Convert a Go/NoGo rate net and read its report
==============================================

``rate2spike.convert`` turns a trained rate RNN into a LIF network, simulates it at a grid of
scales s = 1/λ on held-out trials and keeps the best. Here we use the test net shipped in
``tests/data`` with a short grid and 30 trials (the command-line default is 100 trials and 12
scales).
"""
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import rate2spike

NET = Path(rate2spike.__file__).resolve().parents[1] / "tests" / "data" / "gonogo_n200.npz"
out = Path(tempfile.mkdtemp()) / "gng-lif"
res = rate2spike.convert("gonogo", model=NET, out=out, trials=30,
                         scales=[15, 20, 25, 30, 35, 40, 45], progress=False)
print(f"best s = {res.best_s:g}, LIF accuracy {res.lif_accuracy:.0%}, "
      f"rate accuracy {res.rate_accuracy:.0%}, {res.wall_time_s:.1f} s")

# %%
# Every scale's accuracy, and its firing rates, are in ``res.results``: one
# :class:`~rate2spike.results.ScaleResult` per s.
s = [r.s for r in res.results]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.plot(s, [r.accuracy for r in res.results], "o-")
ax1.axhline(0.95, color="grey", ls=":")
ax1.set(xlabel="s = 1/λ", ylabel="accuracy", title="λ search")
ax2.plot(s, [r.rate_E_hz for r in res.results], "o-", color="tab:red", label="E")
ax2.plot(s, [r.rate_I_hz for r in res.results], "o-", color="tab:blue", label="I")
ax2.set(xlabel="s = 1/λ", ylabel="mean rate (Hz)", title="firing rates")
ax2.legend()
fig.tight_layout()

# %%
# The report and the converted network were written to ``out``:
print(sorted(p.name for p in out.iterdir() if p.is_file()))
print(Path(res.files["report"]).read_text().splitlines()[0])
