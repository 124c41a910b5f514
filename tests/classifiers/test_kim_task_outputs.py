"""The adaptive LIF SRNN on a Kim task: the linear output (MSE, the task's rule) and the class
output (one integrator per class, cross-entropy, argmax), scored by hand."""
import pytest
import torch

from rate2spike.classifiers.kim_tasks import ALIFTaskConfig, evaluate_alif_task, task_output
from rate2spike.errors import ConfigError
from rate2spike.src_models.network import task_inputs_to_steps
from rate2spike.surrogate_models.alif import ALIFNet
from rate2spike.tasks import get_task


def test_classify_output_is_scored_by_argmax_and_cross_entropy():
    torch.manual_seed(3)
    task, step = get_task("xor"), 0.005
    net = ALIFNet(2, [12], 2, readout="mean", step_s=step)
    ev = evaluate_alif_task(net, task, 40, seed=7, step_s=step)
    batch = task.generate(40, 7)                                   # the same trials, by hand
    with torch.no_grad():
        final = net(task_inputs_to_steps(batch.inputs, task.dt_s, step)).outputs[:, :, -1]
    cls = (batch.labels > 0).astype(int)                           # +1 -> class 1, -1 -> class 0
    assert ev["accuracy"] == pytest.approx(float((final.argmax(1).numpy() == cls).mean()))
    logp = final - torch.logsumexp(final, dim=1, keepdim=True)
    assert ev["loss"] == pytest.approx(float(-logp[torch.arange(40), torch.as_tensor(cls)].mean()),
                                       rel=1e-5)
    assert task_output(2) == "classify" and task_output(1) == "linear"


def test_task_output_must_be_known():
    with pytest.raises(ConfigError, match="output"):
        ALIFTaskConfig(output="softmax").validate()
    assert ALIFTaskConfig().output == "linear" and ALIFTaskConfig(output="classify").validate()
