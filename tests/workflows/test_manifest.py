"""A study folder's manifest (study.json): one set of options per folder; options added to the
program after the folder was written count as their defaults."""
import json

import pytest

from rate2spike.errors import Rate2SpikeError
from rate2spike.workflows.study.engine import check_manifest


def test_the_first_call_records_the_options_and_later_ones_must_match(tmp_path):
    check_manifest(tmp_path, {"epochs": 3, "hidden": 8})
    assert json.loads((tmp_path / "study.json").read_text()) == {"options": {"epochs": 3, "hidden": 8}}
    check_manifest(tmp_path, {"epochs": 3, "hidden": 8})
    with pytest.raises(Rate2SpikeError, match="other options"):
        check_manifest(tmp_path, {"epochs": 4, "hidden": 8})


def test_an_option_newer_than_the_manifest_matches_only_at_its_default(tmp_path):
    (tmp_path / "study.json").write_text(json.dumps({"options": {"epochs": 3}}))
    check_manifest(tmp_path, {"epochs": 3, "augment_shift": 0}, defaults={"augment_shift": 0})
    with pytest.raises(Rate2SpikeError, match="other options"):
        check_manifest(tmp_path, {"epochs": 3, "augment_shift": 1}, defaults={"augment_shift": 0})
    with pytest.raises(Rate2SpikeError, match="other options"):     # no defaults: exact match
        check_manifest(tmp_path, {"epochs": 3, "augment_shift": 0})
