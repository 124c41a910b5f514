"""The classifier study's converted-vs-directly-trained table, and its grid with a rate cell."""
from rate2spike.report.snn_study_report import _augment_note, comparison_lines
from rate2spike.workflows.snn_study import SNNJob, plan_snn_jobs


def _run(cell, acc, energy_j, activity, steps=200, t=0.002, converted=None):
    return {"cell": cell, "encoding": "rate", "layers": 1, "test_accuracy": acc, "steps": steps,
            "energy": {"energy_J": energy_j}, "activity": activity, "time_per_sample_s": t,
            **({"converted": converted} if converted else {})}


def test_comparison_rows_by_hand():
    conv = {"best_s": 25.0, "test_accuracy": 0.9, "spikes_per_neuron": 12.5,
            "energy": {"energy_J": 3e-9}, "sim_time_per_sample_s": 0.25}
    groups = {("lif", "rate", 1): [_run("lif", 0.95, 1e-9, [0.01, 0.03]),
                                   _run("lif", 0.97, 2e-9, [0.03, 0.05])],
              ("rate", "rate", 1): [_run("rate", 0.92, 50e-9, [1.0], converted=conv)]}
    text = "\n".join(comparison_lines(groups))
    # LIF: mean accuracy 96 %, spikes per neuron = mean activity x 200 steps = (0.02 + 0.04) / 2 x 200
    assert "| LIF (torch) | rate | 1 | 96.00 | 6.00 | 1.5 | 2.00 |" in text
    assert "| rate RNN (torch) | rate | 1 | 92.00 | dense (rate units) | 50.0 | 2.00 |" in text
    assert "| → converted LIF (Brian2, s = 25) | rate | 1 | 90.00 | 12.50 | 3.0 | 250 |" in text


def test_rate_cell_runs_once_per_encoding_and_seed():
    jobs = plan_snn_jobs(["src", "rate"], ["rate", "latency"], [3, 1, 2], seeds=1)
    rate = [j for j in jobs if j.cell == "rate"]
    assert rate == [SNNJob("rate", "rate", 1, 0), SNNJob("rate", "latency", 1, 0)]
    assert sorted(j.layers for j in jobs if j.cell == "src") == [1, 1, 2, 2, 3, 3]


def test_a_study_of_shifted_images_says_so_and_others_do_not():
    shifted = [{"config": {"augment_shift": 1}}, {"config": {"augment_shift": 1}}]
    assert _augment_note(shifted)[0].startswith("Training images shifted by up to 1 pixel(s)")
    assert _augment_note([{"config": {"augment_shift": 0}}, {"error": "no result yet"}]) == []
