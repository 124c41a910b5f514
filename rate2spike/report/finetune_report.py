"""Files of a ``finetune`` run: the tuned ``lif_network.npz``, ``finetune.json`` (before and
after at the model's step, the training), ``finetune.md`` and ``finetune_loss.png``."""
from __future__ import annotations

from ..artifacts import atomic_write_text
from . import plots
from .tables import markdown_table, write_json


def _row(name: str, m: dict) -> list:
    low, high = m["ci95"]
    conditions = ", ".join(f"{c} {a:.0%}" for c, a in m["per_condition"].items())
    return [name, f"**{m['accuracy']:.1%}** [{low:.1%}, {high:.1%}]", conditions,
            f"{m['rate_E_hz']:.1f}", f"{m['rate_I_hz']:.1f}"]


def write_finetune_report(res, tuned, task: str) -> dict:
    """Write the tuned net and the report of ``res`` (a FinetuneResult) into ``res.out_dir``."""
    out, t = res.out_dir, res.training
    cfg = t["config"]
    files = {"network": str(tuned.save(out / "lif_network"))}
    files["json"] = write_json(out / "finetune.json", {
        "task": task, "s": res.s, "trials": res.trials, "device": res.device,
        "before": res.before, "after": res.after, "training": t, "wall_time_s": res.wall_time_s})
    if t["history"]:
        files["loss_png"] = str(plots.training_curve(t["history"], None, out / "finetune_loss.png",
                                                     reference=None, ylabel="MSE to the target"))
    lines = [f"# rate2spike fine-tuning: {task}, s = {res.s:g}", "",
             f"The converted net at s = {res.s:g} (λ = {1 / res.s:.4g}) trained further as a spiking "
             f"net by BPTT with a surrogate spike derivative, at a {cfg['train_dt_s'] * 1e3:g} ms "
             f"step; before and after measured on the same {res.trials} held-out trials at the "
             f"model's own step on `{res.device}` (95 % Wilson intervals).", "",
             *markdown_table(["net", "accuracy", "per condition", "E (Hz)", "I (Hz)"],
                             [_row("converted", res.before), _row("fine-tuned", res.after)]), "",
             f"- Training: {t['updates']} updates of {cfg['batch_size']} trials, lr {cfg['lr']:g} "
             f"(relative), surrogate width {cfg['surrogate_width_mV']:g} mV, dampening "
             f"{cfg['dampening']:g}; {t['wall_time_s']:.0f} s; stopped early: {t['converged']}.",
             f"- Tuned net: `{files['network']}` (Dale's signs and τ_d of the rate net kept).",
             f"- Total wall time {res.wall_time_s:.0f} s."]
    if "loss_png" in files:
        lines += ["", "![training](finetune_loss.png)"]
    files["report"] = str(out / "finetune.md")
    atomic_write_text(files["report"], "\n".join(lines) + "\n")
    return files
