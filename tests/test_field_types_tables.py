"""field-types writes its type check out for pod and container fields (no function call per field,
for the compiled mode's instruction budget). That check has no integer case, so the tables it reads
must hold no integer field; replica fields keep the full check."""

from __future__ import annotations

from kfpolicy.catalogue import Catalogue
from kfpolicy.runner import Evaluator

PACKAGE = "data.lib.kubeflow.rules.field_types"


def test_pod_and_container_field_tables_hold_no_integer(catalogue: Catalogue) -> None:
    evaluator = Evaluator(catalogue, engine="embedded-interpreter", only=["field-types"])
    tables = [evaluator.query(f"{PACKAGE}.{name}", {}) for name in ("pod_fields", "container_fields")]
    nested = evaluator.query(f"{PACKAGE}.nested_container_fields", {})
    tables.extend(nested.values())
    assert len(tables) == 4 and all(tables)
    assert all("integer" not in table.values() for table in tables)


def test_replica_fields_keep_their_integer(catalogue: Catalogue) -> None:
    evaluator = Evaluator(catalogue, engine="embedded-interpreter", only=["field-types"])
    assert evaluator.query(f"{PACKAGE}.replica_fields", {})["replicas"] == "integer"
