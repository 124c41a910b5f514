"""Bad input, generated at random (hypothesis): the config loader and the CLI parsers always
answer with a clear error (ConfigError / exit 2) and write nothing; never a traceback."""
import math
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rate2spike.config import SECTIONS, ConvertConfig, build_config, load_yaml
from rate2spike.errors import ConfigError
from rate2spike.validation import check_scales, check_trials
from tests.conftest import make_rate_artifact

ANY = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                st.lists(st.integers(-5, 5), max_size=3), st.dictionaries(st.text(max_size=3),
                                                                          st.integers(), max_size=2))
KEYS = sorted({k for cls in SECTIONS.values() for k in build_config(cls).__dict__} |
              set(ConvertConfig().lif.__dict__) | {"trialz", ""})


@settings(max_examples=300, deadline=None)
@given(section=st.sampled_from(sorted(SECTIONS)), key=st.sampled_from(KEYS), value=ANY)
def test_any_value_for_any_key_is_accepted_or_a_config_error(section, key, value):
    try:
        cfg = build_config(SECTIONS[section], {key: value})
    except ConfigError as exc:
        assert str(exc)                       # a message, naming something
        return
    assert cfg.validate() is cfg              # what is accepted is valid


@settings(max_examples=100, deadline=None)
@given(value=st.one_of(st.integers(max_value=0), st.integers(min_value=10**6 + 1),
                       st.floats(), st.booleans(), st.text(max_size=4)))
def test_bad_trial_counts(value):
    with pytest.raises(ConfigError, match="trials"):
        check_trials(value)


@settings(max_examples=100, deadline=None)
@given(good=st.lists(st.floats(0.1, 1e3), max_size=3),
       bad=st.one_of(st.floats(max_value=0), st.just(math.nan), st.just(math.inf), st.booleans()))
def test_any_non_positive_scale_is_refused(good, bad):
    with pytest.raises(ConfigError, match="positive number"):
        check_scales(good + [bad])


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=40))
def test_any_yaml_text_loads_or_is_a_config_error(text):
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "c.yaml"
        f.write_text(text)
        try:
            data = load_yaml(f)
        except ConfigError:
            return
        for section, values in data.items():
            try:
                build_config(SECTIONS[section], values)
            except ConfigError:
                pass


BAD_ARGS = st.one_of(
    st.tuples(st.just("--trials"), st.one_of(st.integers(max_value=0).map(str),
                                             st.text("xyz.-", min_size=1, max_size=4))),
    st.tuples(st.just("--scales"), st.lists(st.floats(-100, 0), min_size=1, max_size=3)
              .map(lambda v: ",".join(map(str, v)))),
    st.tuples(st.just("--device"), st.text("abcz", min_size=1, max_size=5)),
    st.tuples(st.just("--config"), st.dictionaries(st.sampled_from(["train", "convert", "fit"]),
                                                   st.dictionaries(st.sampled_from(["trials", "units", "x"]),
                                                                   st.integers(-5, 0), min_size=1),
                                                   min_size=1)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=BAD_ARGS)
def test_the_cli_answers_bad_convert_options_with_exit_2_and_writes_nothing(bad, run_cli):
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        model = make_rate_artifact(d / "tiny")
        option, value = bad
        if option == "--config":
            (d / "c.yaml").write_text(yaml.safe_dump(value))
            value = str(d / "c.yaml")
        out = d / "out"
        code, cap = run_cli(["convert", "--task", "gonogo", "--model", str(model), "--out",
                             str(out), "--quiet", option, value])
        assert code == 2, (bad, cap.err)
        assert "error" in cap.err and not out.exists()
