"""A toy spiking family defined entirely outside the package, as a user would write one: a
feedforward layer of discrete-time LIF neurons (reset to zero) and a leaky readout, trained on a
Kim task with a surrogate gradient, with an equation-level Brian2 twin. Everything it needs is
here; rate2spike learns of it through one call, ``register(TOY)``.

Per step of ``step_s`` seconds (dimensionless):
    v = alpha v + W_in u + b;   s = [v > 1];   v = v (1 - s)
    r = a r + (1 - a) W_out s;  o = r + b_out
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

from rate2spike.artifacts import load_network, register_kind, save_network
from rate2spike.brian_models.discrete import (
    LayerSpec,
    input_source,
    layer_stack,
    network_dict,
    readout_integrators,
)
from rate2spike.families import Evaluation, Family, evaluate_on_trials, obtain_trained
from rate2spike.families.trained import example_traces
from rate2spike.src_models.network import task_inputs_to_steps
from rate2spike.tasks import check_model_task, get_task

KIND = "toy_network"
register_kind(KIND, ("W_in", "b", "W_out", "b_out"))


@dataclass
class ToyNetwork:
    """Plain arrays: W_in (n, n_in), b (n,), W_out (1, n), b_out (1,); alpha, readout_alpha per
    step; step_s seconds."""

    W_in: np.ndarray
    b: np.ndarray
    W_out: np.ndarray
    b_out: np.ndarray
    alpha: float = 0.9
    readout_alpha: float = 0.95
    step_s: float = 0.005
    meta: dict = field(default_factory=dict)

    n_inputs = property(lambda self: self.W_in.shape[1])
    n_outputs = property(lambda self: self.W_out.shape[0])

    def save(self, stem) -> Path:
        return save_network(stem, KIND, {k: getattr(self, k) for k in ("W_in", "b", "W_out", "b_out")},
                            {**self.meta, "alpha": self.alpha, "readout_alpha": self.readout_alpha,
                             "step_s": self.step_s})

    @classmethod
    def load(cls, path) -> "ToyNetwork":
        a, meta = load_network(path, kind=KIND)
        consts = {k: meta.pop(k) for k in ("alpha", "readout_alpha", "step_s")}
        return cls(a["W_in"], a["b"], a["W_out"], a["b_out"], **consts, meta=meta)


class ToyOutput(NamedTuple):
    outputs: torch.Tensor        # (batch, 1, T)
    active_steps: list           # per layer (batch, n) spike counts
    pulses: list | None


class _Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x > 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + 10 * x.abs()) ** 2       # fast-sigmoid surrogate


class ToyNet(torch.nn.Module):
    def __init__(self, net: ToyNetwork, dtype=torch.float64):
        super().__init__()
        self.net = net
        t = lambda a: torch.nn.Parameter(torch.as_tensor(np.asarray(a), dtype=dtype))   # noqa: E731
        self.W_in, self.b, self.W_out, self.b_out = t(net.W_in), t(net.b), t(net.W_out), t(net.b_out)

    def forward(self, inputs, record_pulses: bool = False) -> ToyOutput:
        u = torch.as_tensor(inputs, dtype=self.W_in.dtype)
        B, _, T = u.shape
        v = torch.zeros(B, len(self.b), dtype=u.dtype)
        r = torch.zeros(B, 1, dtype=u.dtype)
        outs, spikes = [], []
        for t in range(T):
            v = self.net.alpha * v + u[:, :, t] @ self.W_in.T + self.b
            s = _Spike.apply(v - 1.0)
            v = v * (1 - s)
            r = self.net.readout_alpha * r + (1 - self.net.readout_alpha) * s @ self.W_out.T
            outs.append(r + self.b_out)
            spikes.append(s)
        S = torch.stack(spikes, dim=2)
        return ToyOutput(torch.stack(outs, dim=2), [S.sum(dim=2)], [S] if record_pulses else None)

    def to_network(self, meta: dict) -> ToyNetwork:
        arr = lambda p: p.detach().numpy().copy()   # noqa: E731
        n = self.net
        return ToyNetwork(arr(self.W_in), arr(self.b), arr(self.W_out), arr(self.b_out), n.alpha,
                          n.readout_alpha, n.step_s, meta)


def build_toy_brian(b2, net: ToyNetwork, inputs, record_pulses: bool = False) -> dict:
    B, T = inputs.shape[0], inputs.shape[2]
    dt = net.step_s * b2.second
    source, u_in = input_source(b2, inputs, dt, "toy")
    step = "v = alpha * v + I_ff + b\ns = int(v > 1)\nv = v * (1 - s)\nn_active += s"
    eqs = "v : 1\ns : 1\nI_ff : 1\nn_active : 1\nb : 1 (constant)"
    objs, layers = layer_stack(b2, source, [LayerSpec(len(net.b), eqs, step, {"b": net.b}, net.W_in)],
                               B, dt, "toy")
    R, mon, readout = readout_integrators(b2, layers[0], net.W_out, net.b_out, B, dt, 4, "toy")
    namespace = {"u_in": u_in, "alpha": net.alpha, "readout_alpha": net.readout_alpha,
                 "readout_gain": 1 - net.readout_alpha}
    return network_dict(b2, [source, *objs, *readout], layers, R, mon, record_pulses, namespace,
                        T * dt, "toy")


@dataclass
class ToyConfig:
    """The ``toy:`` config section."""

    task: str = "gonogo"
    hidden: int = 8
    updates: int = 3
    batch_size: int = 8
    lr: float = 0.05
    seed: int = 0

    def validate(self):
        get_task(self.task)
        return self


def random_toy(n_inputs: int, hidden: int, seed: int, task: str) -> ToyNetwork:
    rng = np.random.default_rng(seed)
    return ToyNetwork(rng.normal(0, 1.5, (hidden, n_inputs)), rng.normal(0.2, 0.1, hidden),
                      rng.normal(0, 1, (1, hidden)), np.zeros(1), meta={"task": task})


def train_toy(cfg: ToyConfig, out: Path, progress: bool = True) -> Path:
    """A few Adam updates on MSE to the task target; writes ``out/toy_model.npz``."""
    task = get_task(cfg.task)
    torch.manual_seed(cfg.seed)
    model = ToyNet(random_toy(task.n_inputs, cfg.hidden, cfg.seed, task.name))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    rng = np.random.default_rng(cfg.seed)
    for _ in range(cfg.updates):
        batch = task.generate(cfg.batch_size, rng)
        o = model(task_inputs_to_steps(batch.inputs, task.dt_s, model.net.step_s)).outputs[:, 0]
        loss = ((o - torch.as_tensor(batch.targets)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.to_network({"task": task.name, "updates": cfg.updates, "config": asdict(cfg)}).save(
        Path(out) / "toy_model")


def load_toy(path, task) -> ToyNetwork:
    net = ToyNetwork.load(path)
    check_model_task(net.meta.get("task", ""), net.n_inputs, task, path, "toy model")
    return net


def evaluate_toy(net: ToyNetwork, task, batch, options) -> Evaluation:
    summary, out_t = evaluate_on_trials(net, ToyNet(net), task, batch, options.brian_device, "linear",
                                        net.step_s)
    spikes = out_t.active_steps[0].numpy().mean(axis=0)
    ac = float(spikes @ (net.W_out != 0).sum(axis=0))
    summary = {"label": f"toy LIF {len(net.b)}", **summary,
               "energy": {"MAC": 0.0, "AC": ac, "energy_J": ac * 0.1e-12},
               "activity": {"Hz": float(spikes.mean()) / task.duration_s}}
    return Evaluation(summary, example_traces(out_t.outputs.detach().numpy(), batch), net.step_s)


TOY = Family(name="toy", title="toy LIF", description="a test plug-in family",
             obtain=lambda source: obtain_trained(TOY, source), evaluate=evaluate_toy,
             energy_formula="Σ_j spikes_j · nnz W_out[:, j] · E_AC", model_file="toy_model.npz",
             load=load_toy, train_on_task=train_toy, config_section="toy", config_class=ToyConfig,
             network_type=ToyNetwork, brian_build=build_toy_brian, torch_model=ToyNet,
             example=lambda task: random_toy(task.n_inputs, 6, 0, task.name))
