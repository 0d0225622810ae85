"""The hostile trees and stand-in servers of the attacks (see attacks.py): each builder writes its
attack into a folder and says how to run it and what must survive."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

GOOD = """apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: good}
spec:
  pytorchReplicaSpecs:
    Worker:
      replicas: 1
      template:
        spec:
          containers: [{name: pytorch, image: pytorch:2}]
"""

# Runs the CLI and prints its own peak RSS (VmHWM, KiB) as the last line of stderr.
@dataclass(frozen=True)
class Attack:
    """What to run (arguments after `kfpolicy`, in the attack's folder) and what must survive."""

    args: list[str]
    survivors: list[str] = field(default_factory=lambda: ["good"])  # object names with a result
    codes: tuple[int, ...] = (0, 1, 2)
    mentions: str = ""  # text stderr must hold (the error that names the attack)
    time_limit: float = 60.0
    # A stand-in server: called with each accepted connection; `{url}` in args becomes its address.
    server: Callable[[socket.socket], None] | None = None


def _pytorch(name: str, worker_extra: str = "") -> str:
    return GOOD.replace("name: good", f"name: {name}") + worker_extra


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def _with_good(folder: Path, name: str, text: str, *extra: str, mentions: str = "") -> Attack:
    _write(folder, name, text)
    _write(folder, "good.yaml", GOOD)
    return Attack(["eval", "-o", "json", *extra, name, "good.yaml"], mentions=mentions or name)


def deep_flow(d: Path) -> Attack:
    return _with_good(d, "deep.yaml", "x: " + "[" * 30_000 + "]" * 30_000 + "\n", mentions="nested more than")


def deep_block(d: Path) -> Attack:
    return _with_good(d, "deep.yaml", "x:\n" + "- " * 30_000 + "1\n", mentions="nested more than")


def deep_parameters(d: Path) -> Attack:
    _write(d, "params.yaml", "x: " + "[" * 30_000 + "]" * 30_000 + "\n")
    _write(d, "good.yaml", GOOD)
    return Attack(["eval", "--parameters", "params.yaml", "good.yaml"], survivors=[], codes=(2,),
                  mentions="params.yaml")


def deep_rule_yaml(d: Path) -> Attack:
    rule = d / "mine" / "rules" / "deep-rule"
    rule.mkdir(parents=True)
    _write(rule, "rule.yaml", "id: deep-rule\nx: " + "[" * 30_000 + "]" * 30_000 + "\n")
    _write(d, "good.yaml", GOOD)
    return Attack(["eval", "--catalogue", "mine", "good.yaml"], [], (2,), mentions="rule.yaml")


def long_integer(d: Path) -> Attack:
    text = _pytorch("big") + "status: {x: " + "1" * 5000 + "}\n"
    return _with_good(d, "big.yaml", text, mentions="integer")


def long_hex(d: Path) -> Attack:
    text = _pytorch("big") + "status: {x: 0x" + "f" * 4000 + "}\n"
    return _with_good(d, "big.yaml", text, mentions="integer")


def huge_json_number(d: Path) -> Attack:
    job = yaml.safe_load(GOOD)
    job["metadata"]["name"] = "huge"
    text = json.dumps(job)[:-1] + ', "status": {"x": 1' + "0" * 309 + "}}"
    return _with_good(d, "huge.json", text, mentions="too large")


def lone_surrogate(d: Path) -> Attack:
    text = '{"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "\\ud800"}}'
    return _with_good(d, "surrogate.json", text, mentions="surrogate")


def yaml_set(d: Path) -> Attack:
    return _with_good(d, "set.yaml", _pytorch("set") + "status: !!set {a, b}\n", mentions="!!set")


def yaml_set_inventory(d: Path) -> Attack:
    _write(d, "inv.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nx: !!set {a}\n")
    _write(d, "good.yaml", GOOD)
    return Attack(["eval", "--inventory", "inv.yaml", "good.yaml"], [], (2,), mentions="!!set")


def yaml_omap(d: Path) -> Attack:
    text = _pytorch("omap") + "status: !!omap [{a: !!binary aGVsbG8=}, {b: .nan}]\n"
    return _with_good(d, "omap.yaml", text, mentions="!!omap")


def bad_first_document(d: Path) -> Attack:
    _write(d, "stream.yaml", "kind: PyTorchJob\nkind: TFJob\n---\n" + GOOD)
    return Attack(["eval", "-o", "json", "stream.yaml"], mentions="stream.yaml#0")


def broken_first_document(d: Path) -> Attack:
    _write(d, "stream.yaml", "kind: [unclosed\n---\n" + GOOD)
    return Attack(["eval", "-o", "json", "stream.yaml"], mentions="stream.yaml#0")


def symlink_loops(d: Path) -> Attack:
    tree = d / "tree"
    tree.mkdir()
    _write(tree, "good.yaml", GOOD)
    (tree / "a").symlink_to(".")
    (tree / "b").symlink_to(".")
    (tree / "up").symlink_to("..")
    return Attack(["eval", "-o", "json", "tree"])


def unreadable_folder(d: Path) -> Attack:
    tree = d / "tree"
    (tree / "locked").mkdir(parents=True)
    _write(tree / "locked", "job.yaml", GOOD)
    _write(tree, "good.yaml", GOOD)
    (tree / "locked").chmod(0)
    # root reads any folder: then the locked job is read and evaluated too, which is right.
    return Attack(["eval", "-o", "json", "tree"], mentions="" if os.geteuid() == 0 else "locked")


def many_empty_documents(d: Path) -> Attack:
    _write(d, "empty.yaml", "---\n" * (8 * 1024 * 1024))
    _write(d, "good.yaml", GOOD)
    return Attack(["eval", "-o", "json", "empty.yaml", "good.yaml"], mentions="documents")


def wide_flow_list(d: Path) -> Attack:
    text = "a: [" + "1," * (16 * 1024 * 1024 - 8) + "1]\n"
    return _with_good(d, "wide.yaml", text, mentions="values in one")


def wide_block_list(d: Path) -> Attack:
    return _with_good(d, "wide.yaml", "a:\n" + "- 1\n" * (8 * 1024 * 1024 - 8), mentions="values in one")


def many_runtime_patches(d: Path) -> Attack:
    patches = [{"manager": f"acme.io/m{i}", "trainingRuntimeSpec": {}} for i in range(8000)]
    job = {"apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "TrainJob", "metadata": {"name": "patched"},
           "spec": {"runtimeRef": {"name": "torch"}, "runtimePatches": patches}}
    _write(d, "patched.json", json.dumps(job))
    _write(d, "good.yaml", GOOD)
    return Attack(["eval", "-o", "json", "patched.json", "good.yaml"], survivors=["good", "patched"])


def _user_rule(d: Path, rule_id: str, extra_rego: str) -> None:
    from kfpolicy.scaffold import new_rule

    folder = new_rule(d / "mine", rule_id, ["pytorchjob"])
    with (folder / "rule.rego").open("a", encoding="utf-8") as rego:
        rego.write(extra_rego)


# Rego appended to users' rules, from benchmarks/rego/.
FRAGMENTS = Path(__file__).parent / "rego"


def fragment(name: str) -> str:
    return "\n" + (FRAGMENTS / f"{name}.rego").read_text(encoding="utf-8")


def slow_user_rule(d: Path) -> Attack:
    _user_rule(d, "slow-rule", fragment("slow_rule"))
    _write(d, "slow.yaml", GOOD.replace("name: good", "name: slow, annotations: {slow: 'yes'}"))
    _write(d, "good.yaml", GOOD)
    args = ["eval", "-o", "json", "--catalogue", "mine", "--timeout", "2", "slow.yaml", "good.yaml"]
    return Attack(args, mentions="rule slow-rule took longer than 2 s")


def recursive_user_rule(d: Path) -> Attack:
    _user_rule(d, "loop-rule", fragment("self_recursion"))
    _write(d, "good.yaml", GOOD)
    return Attack(["eval", "--catalogue", "mine", "good.yaml"], [], (2,), mentions="rule loop is recursive")


def broken_user_rule(d: Path) -> Attack:
    _user_rule(d, "broken-rule", fragment("unclosed_body"))
    return Attack(["generate", "--catalogue", "mine", "--out", "out"], [], (2,), mentions="does not parse")


def _drip(conn: socket.socket, head: bytes) -> None:
    """Sends head, then one byte every 0.2 s until the client goes away."""
    conn.sendall(head)
    while True:
        time.sleep(0.2)
        conn.sendall(b"x")


def _push(server: Callable[[socket.socket], None], mentions: str) -> Attack:
    args = ["push", "--opa-url", "{url}", "--timeout", "2", "--deadline", "10"]
    return Attack(args, [], (2,), mentions=mentions, server=server)


def push_silent_server(d: Path) -> Attack:
    return _push(lambda conn: time.sleep(30), "no complete answer within 2 s")


def push_drip_headers(d: Path) -> Attack:
    return _push(lambda conn: _drip(conn, b"HTTP/1.1 200 OK\r\nX-Slow: "), "no complete answer within 2 s")


def push_drip_body(d: Path) -> Attack:
    return _push(lambda conn: _drip(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"),
                 "no complete answer within 2 s")


def _endless(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\n\r\n")
    block = b"x" * 65536
    while True:
        conn.sendall(block)


def push_endless_body(d: Path) -> Attack:
    return _push(_endless, "larger than the limit")


def _read_request(conn: socket.socket) -> None:
    """Reads one request, headers and body, so an answer is never cut short by the client still
    sending (a closed socket would make the client's send fail instead of its read)."""
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536) or b"\r\n\r\n"
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk


def _huge_length(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n{")
    time.sleep(5)  # keep the connection open: the client must give up on its own limit


def push_huge_length(d: Path) -> Attack:
    return _push(_huge_length, "the limit is")


ATTACKS: dict[str, Callable[[Path], Attack]] = {
    "deep-flow": deep_flow,
    "deep-block": deep_block,
    "deep-parameters": deep_parameters,
    "deep-rule-yaml": deep_rule_yaml,
    "long-integer": long_integer,
    "long-hex": long_hex,
    "huge-json-number": huge_json_number,
    "lone-surrogate": lone_surrogate,
    "yaml-set": yaml_set,
    "yaml-set-inventory": yaml_set_inventory,
    "yaml-omap": yaml_omap,
    "bad-first-document": bad_first_document,
    "broken-first-document": broken_first_document,
    "symlink-loops": symlink_loops,
    "unreadable-folder": unreadable_folder,
    "many-runtime-patches": many_runtime_patches,
    "many-empty-documents": many_empty_documents,
    "wide-flow-list": wide_flow_list,
    "wide-block-list": wide_block_list,
    "slow-user-rule": slow_user_rule,
    "recursive-user-rule": recursive_user_rule,
    "broken-user-rule": broken_user_rule,
    "push-silent-server": push_silent_server,
    "push-drip-headers": push_drip_headers,
    "push-drip-body": push_drip_body,
    "push-endless-body": push_endless_body,
    "push-huge-length": push_huge_length,
}
