"""The study summary's numbers against a hand count."""
import math

import pytest

from rate2spike.report.study_report import summarise


def _net(setting, acc, s, trained=True):
    return {"setting": setting, "setting_info": {"label": setting}, "lif_accuracy": acc,
            "best_scale_s": s, "trained": trained, "rate_accuracy": 1.0, "net": f"{setting}/{s}"}


def test_summary_by_hand():
    results = [_net("a", 0.99, 20), _net("a", 0.95, 30), _net("a", 0.50, 40, trained=False),
               {"setting": "a", "setting_info": {"label": "a"}, "net": "a/x", "error": "boom"},
               _net("b", 0.94, 25)]
    a, b = summarise(results)
    assert (a["nets"], a["failed"]) == (4, 1)
    assert a["success_rate"] == 2 / 3                      # 0.99 and 0.95 reach 95 %
    assert a["trained_fraction"] == 2 / 3
    assert math.isclose(a["lif_accuracy_mean"], (0.99 + 0.95 + 0.50) / 3)
    sd = math.sqrt(sum((x - 0.8133333333) ** 2 for x in (0.99, 0.95, 0.5)) / 2)
    assert math.isclose(a["lif_accuracy_sd"], sd, rel_tol=1e-6)
    assert a["best_scale_median"] == 30 and a["errors"] == ["a/x: boom"]
    assert b["success_rate"] == 0.0 and math.isnan(b["lif_accuracy_sd"])   # one net: no s.d.


def test_success_rate_carries_its_wilson_interval_over_the_nets():
    from scipy.stats import binomtest

    results = [_net("a", acc, 20) for acc in (0.99, 0.96, 0.93, 0.97, 0.80)]
    (a,) = summarise(results)
    ci = binomtest(3, 5).proportion_ci(method="wilson")     # 3 of 5 nets reach 95 %
    assert a["success_rate"] == 0.6
    assert a["success_ci95"] == [pytest.approx(ci.low), pytest.approx(ci.high)]
