"""`plan schema`: the JSON Schema editors use accepts the real plans and catches what an officer mistypes."""
import json
import subprocess
import sys

import jsonschema
import pytest
import yaml

from conftest import ROOT, SEEDS


@pytest.fixture(scope="module")
def schema():
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "schema"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0
    schema = json.loads(run.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_committed_schema_is_current(schema):
    committed = json.loads((ROOT / "schema" / "plan.schema.json").read_text(encoding="utf-8"))
    assert committed == schema, "run `make schema` and commit schema/plan.schema.json"


@pytest.mark.parametrize("agency,year", SEEDS)
def test_seed_plans_satisfy_the_schema(schema, agency, year):
    data = yaml.safe_load((ROOT / "plans" / agency / f"{year}.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)


@pytest.mark.parametrize("text", [
    "agency: 甲\nyear: 103\ntitle: 乙\ngaols: 一\n",
    "agency: 甲\nyear: 103\n",
    "agency: 甲\nyear: 103\ntitle: 乙\nnumbering: {three: 三}\n",
    "agency: 甲\nyear: 103\ntitle: 乙\nperiod: {start: 103-01-01}\n",
])
def test_schema_flags_mistakes(schema, text):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(text), schema)


def test_fields_carry_chinese_descriptions(schema):
    assert "民國" in schema["properties"]["year"]["description"]


def test_field_reference_is_current():
    sys.path.insert(0, str(ROOT / "tools"))
    from make_field_reference import OUT, render

    assert OUT.read_text(encoding="utf-8") == render(), "run tools/make_field_reference.py and commit docs/fields.md"
