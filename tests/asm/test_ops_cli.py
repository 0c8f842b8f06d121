"""``smflow ops`` through the real entry point, in a subprocess (``python -m smflow``)."""

from __future__ import annotations

import json
import subprocess
import sys

from smflow.asm.catalogue import all_operations


def smflow(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "smflow", *args], capture_output=True, text=True, timeout=120)


def test_ops_lists_every_operation() -> None:
    done = smflow("ops")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(all_operations())
    create = next(line for line in lines if line.startswith("create_deployment "))
    assert "async" in create and "staging or production slot" in create
    assert next(line for line in lines if line.startswith("list_locations ")).split()[1] == "sync"


def test_ops_shows_one_operation() -> None:
    done = smflow("ops", "create_deployment")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "POST /<subscription-id>/services/hostedservices/{service_name}/deploymentslots/{deployment_slot}" in out
    assert "asynchronous" in out and "result: AsynchronousOperationResult" in out
    assert "deployment_slot          staging|production  (required)" in out
    assert "start_deployment         bool  (default false)" in out


def test_ops_json() -> None:
    listed = [json.loads(line) for line in smflow("ops", "--json").stdout.splitlines()]
    assert {d["name"] for d in listed} == set(all_operations()) and "upload_blob" in {d["name"] for d in listed}
    one = json.loads(smflow("ops", "create_storage_account", "--json").stdout)
    assert one["method"] == "POST" and one["asynchronous"] is True
    assert one["exactly_one_of"] == [["location", "affinity_group"]]
    name = one["arguments"][0]
    assert name["name"] == "service_name" and name["required"] is True
    assert name["constraint"] == "3 to 24 lowercase letters and digits"
    assert one["arguments"][-1] == {"name": "account_type", "type": "Standard_LRS|Standard_ZRS|Standard_GRS|"
                                    "Standard_RAGRS|Premium_LRS", "required": False, "default": "Standard_GRS",
                                    "location": "body", "doc": "replication type", "constraint": None}


def test_ops_unknown_name_is_a_usage_error() -> None:
    done = smflow("ops", "create_deploymnt")
    assert done.returncode == 2
    assert done.stderr.strip() == "smflow ops: unknown operation 'create_deploymnt'; did you mean 'create_deployment'?"
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_ops_shows_the_blob_upload_under_the_account_endpoint() -> None:
    done = smflow("ops", "upload_blob")
    assert done.returncode == 0, done.stderr
    assert "PUT <blob endpoint>/{container}/{name}" in done.stdout
    assert "account_key" in done.stdout and "secret" in done.stdout
