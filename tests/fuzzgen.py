"""Generated inputs for the cross-engine fuzz tests (tests/test_fuzz.py) and the soak run
(benchmarks/soak.py): valid jobs of every kind in catalogue/kinds.yaml, jobs with one field
broken, and type-confused jobs; plus the checks both use (engine pair, field-path resolver).

Every generator draws its choices from a `Source`, so one generator serves two drivers:
`HypothesisSource` (tests: hypothesis shrinks failures) and `RandomSource` (soak: fast, seeded).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kfpolicy.catalogue.model import Catalogue, Kind
from kfpolicy.engines import UNDEFINED
from kfpolicy.errors import EngineError
from kfpolicy.runner import Evaluator
from kfpolicy.yamlio import MAX_DEPTH

# --- sources of choices --------------------------------------------------------------------------


class Source(Protocol):
    def integer(self, lo: int, hi: int) -> int: ...

    def choice(self, options: Sequence[Any]) -> Any: ...

    def chance(self, percent: int) -> bool: ...

    def text(self, alphabet: str, lo: int, hi: int) -> str: ...


class RandomSource:
    def __init__(self, rng: Any) -> None:
        self.rng = rng

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, options: Sequence[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    def chance(self, percent: int) -> bool:
        return self.rng.randrange(100) < percent

    def text(self, alphabet: str, lo: int, hi: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(lo, hi)))


class HypothesisSource:
    def __init__(self, draw: Callable[[Any], Any]) -> None:
        from hypothesis import strategies as st

        self.draw, self.st = draw, st

    def integer(self, lo: int, hi: int) -> int:
        return int(self.draw(self.st.integers(lo, hi)))

    def choice(self, options: Sequence[Any]) -> Any:
        return options[self.integer(0, len(options) - 1)]

    def chance(self, percent: int) -> bool:
        return self.integer(0, 99) < percent

    def text(self, alphabet: str, lo: int, hi: int) -> str:
        return str(self.draw(self.st.text(alphabet=alphabet, min_size=lo, max_size=hi)))


# --- leaf values ---------------------------------------------------------------------------------

LOWER = "abcdefghijklmnopqrstuvwxyz"
DNS = LOWER + "0123456789-"
UNICODE = "aZ09-._/é名字ü\u200b\u202e🚀\"'\\%{}[]:,\n\t "
HUGE_INTS = [10**30, -(2**63), 2**63, 2**64, -(10**30), 2**53 + 1, 9007199254740993]
FLOATS = [0.5, -0.5, 1.5, -0.0, 1e308, -1e308, 1e-300, 3.0, 2.5e10]
VALID_QUANTITIES = [
    "1",
    "2",
    "500m",
    "1.5",
    "100Mi",
    "2Gi",
    "1G",
    "1e3",
    "0",
    "250m",
    "4",
    "10Ki",
    ".5",
    "1E2",
]
BAD_QUANTITIES = [
    "1Gii",
    "abc",
    "",
    "1.2.3",
    "--1",
    "1 Gi",
    "Gi",
    "1e",
    "0x10",
    "1,5",
    "∞",
    "-1",
    "-500m",
    "1e1000",
]
RESOURCE_NAMES = ["cpu", "memory", "nvidia.com/gpu", "ephemeral-storage", "amd.com/gpu", "example.com/foo"]
RESTART_POLICIES = ["Always", "OnFailure", "Never", "ExitCode", "Sometimes"]
MANAGERS = ["kubeflow.org/training-operator", "kueue.x-k8s.io/multikueue", "kubeflow.org/mpi-operator",
            "trainer.kubeflow.org/trainjob-controller", "acme.io/other"]


def dns_name(src: Source) -> str:
    return src.choice(LOWER) + src.text(DNS, 0, 10).strip("-") + src.choice(["", "x", "1"])


def odd_name(src: Source) -> Any:
    """Names the API server would reject or that stress string handling."""
    return src.choice([
        "", "UPPER", "-lead", "trail-", "a" * 64, "a" * 300, "x" * 10_000, "名前", "a.b", "a_b",
        src.text(UNICODE, 1, 30), "a\x00b", "🚀" * 40,
    ])


def name(src: Source) -> Any:
    return odd_name(src) if src.chance(10) else dns_name(src)


def quantity(src: Source) -> Any:
    r = src.integer(0, 19)
    if r < 14:
        return src.choice(VALID_QUANTITIES)
    if r < 16:
        return src.choice([1, 2, 0.5, 4, 0])
    return src.choice(BAD_QUANTITIES)


def resources(src: Source) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in ("requests", "limits"):
        if src.chance(60):
            out[part] = {r: quantity(src) for r in RESOURCE_NAMES[: src.integer(0, len(RESOURCE_NAMES))]
                         if src.chance(70)}
    return out


def env(src: Source) -> list[dict[str, Any]]:
    names = ["FOO", "PET_NNODES", "PET_MASTER_PORT", "OMPI_MCA_plm_rsh_args", "DMLC_TASK_ID", "LOG_LEVEL"]
    return [
        {"name": src.choice(names), "value": src.choice(["1", "x", ""])} for _ in range(src.integer(0, 3))
    ]


def container(src: Source, cname: str) -> dict[str, Any]:
    c: dict[str, Any] = {"name": cname}
    if src.chance(92):
        c["image"] = src.choice(["docker.io/kubeflow/pytorch:2.1", "busybox", "python:3.11", ""])
    if src.chance(30):
        c["command"] = src.choice([["python", "train.py"], ["tune", "run"], ["mpirun"]])
    if src.chance(30):
        c["args"] = src.choice([["--epochs=1"], ["output_dir=/tmp"], []])
    if src.chance(30):
        c["env"] = env(src)
    if src.chance(70):
        c["resources"] = resources(src)
    if src.chance(20):
        c["ports"] = [
            {
                "containerPort": src.choice([23456, 0, 70000]),
                "name": src.choice(["pytorchjob-port", "tfjob-port", "x"]),
            }
        ]
    if src.chance(20):
        c["volumeMounts"] = [{"name": src.choice(["initializer", "data"]), "mountPath": "/workspace"}]
    if src.chance(15):
        c["securityContext"] = {"privileged": src.chance(50), "runAsNonRoot": src.chance(50),
                                "allowPrivilegeEscalation": src.chance(50)}
    return c


def pod_spec(src: Source, main: str | None, extra_names: Sequence[str] = ()) -> dict[str, Any]:
    names = [main or dns_name(src), *list(extra_names)]
    if src.chance(20):
        names.append(dns_name(src))
    if src.chance(5):
        names = [dns_name(src)]  # the framework container is missing
    spec: dict[str, Any] = {"containers": [container(src, n) for n in names]}
    if src.chance(15):
        spec["initContainers"] = [
            container(src, src.choice(["init", "flux-installer", "dataset-initializer"]))
        ]
    if src.chance(15):
        spec["restartPolicy"] = src.choice(RESTART_POLICIES)
    if src.chance(10):
        spec["priorityClassName"] = src.choice(["high", "system-node-critical", ""])
    if src.chance(10):
        spec["hostNetwork"] = src.chance(50)
    if src.chance(10):
        spec["securityContext"] = {"runAsUser": src.choice([0, 1000]), "runAsNonRoot": src.chance(50)}
    if src.chance(10):
        spec["nodeSelector"] = {"gpu": "true"}
    return spec


def pod_template(src: Source, main: str | None) -> dict[str, Any]:
    t: dict[str, Any] = {"spec": pod_spec(src, main)}
    if src.chance(20):
        t["metadata"] = {
            "labels": {"app": dns_name(src)},
            "annotations": {"sidecar.istio.io/inject": "false"},
        }
    return t


def run_policy(src: Source) -> dict[str, Any]:
    rp: dict[str, Any] = {}
    if src.chance(40):
        rp["cleanPodPolicy"] = src.choice(["None", "All", "Running", "Sometimes"])
    for key in ("ttlSecondsAfterFinished", "activeDeadlineSeconds", "backoffLimit"):
        if src.chance(20):
            rp[key] = src.choice([0, 1, 60, 3600, -1])
    if src.chance(20):
        rp["managedBy"] = src.choice(MANAGERS)
    if src.chance(10):
        rp["suspend"] = src.chance(50)
    if src.chance(10):
        rp["schedulingPolicy"] = {"minAvailable": src.choice([1, 2, 0]), "queue": "default"}
    return rp


def metadata(src: Source, namespaced: bool = True) -> dict[str, Any]:
    m: dict[str, Any] = {"name": name(src)}
    if namespaced and src.chance(80):
        m["namespace"] = src.choice(["default", "team-a", dns_name(src)])
    if src.chance(5):
        del m["name"]
        m["generateName"] = dns_name(src) + "-"
    if src.chance(20):
        m["labels"] = {"team": dns_name(src)}
    return m


# --- whole objects per kind ----------------------------------------------------------------------


def v1_job(src: Source, kind: Kind) -> dict[str, Any]:
    types = list(kind.replica_types) or ["Worker"]
    chosen = [t for t in types if src.chance(60)] or [src.choice(types)]
    if src.chance(5):
        chosen.append(src.choice(["Launcher", "worker", "Foo", "Master"]))
    specs: dict[str, Any] = {}
    for t in chosen:
        r: dict[str, Any] = {"template": pod_template(src, kind.container)}
        if src.chance(85):
            single = t in ("Master", "Chief", "Launcher", "Scheduler")
            r["replicas"] = 1 if single and src.chance(80) else src.choice([1, 2, 3, 0, 8, -1])
        if src.chance(40):
            r["restartPolicy"] = src.choice(RESTART_POLICIES)
        specs[t] = r
    spec: dict[str, Any] = {kind.replica_specs or "replicaSpecs": specs}
    if kind.kind == "MPIJob" and "v2beta1" in kind.versions:
        if src.chance(80):
            spec["slotsPerWorker"] = src.choice([1, 2, 8, 0, -1])
        if src.chance(40):
            spec["mpiImplementation"] = src.choice(["OpenMPI", "Intel", "MPICH", "Other"])
        if src.chance(30):
            spec["sshAuthMountPath"] = src.choice(["/root/.ssh", "/home/mpiuser/.ssh", ""])
        if src.chance(30):
            spec["launcherCreationPolicy"] = src.choice(["AtStartup", "WaitForWorkersReady"])
    if kind.kind == "PyTorchJob":
        if src.chance(20):
            spec["elasticPolicy"] = {k: v for k, v in {
                "minReplicas": src.choice([1, 2, 4]), "maxReplicas": src.choice([1, 4, 8]),
                "nProcPerNode": src.choice([1, 2, None]), "rdzvBackend": "c10d"}.items() if v is not None}
        if src.chance(20):
            spec["nprocPerNode"] = src.choice(["auto", "cpu", "gpu", "2", "0"])
    if kind.kind == "TFJob" and src.chance(20):
        spec["enableDynamicWorker"] = src.chance(50)
    if src.chance(50):
        spec["runPolicy"] = run_policy(src)
    return {"apiVersion": f"{kind.group}/{src.choice(kind.versions)}", "kind": kind.kind,
            "metadata": metadata(src), "spec": spec}


RUNTIME_NAMES = ["torch-distributed", "mpi-distributed", "deepspeed-distributed", "torchtune-llama3.2-1b",
                 "xgboost-distributed", "flux-runtime", "missing-runtime"]
# A fixed runtime (not generated): Volcano with a system priority class on its first job.
VOLCANO_RUNTIME = {
    "apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "ClusterTrainingRuntime",
    "metadata": {"name": "volcano-runtime"},
    "spec": {"podGroupPolicy": {"volcano": {}}, "template": {"spec": {"replicatedJobs": [
        {"name": "node", "template": {"spec": {"template": {"spec": {
            "priorityClassName": "system-node-critical", "containers": [{"name": "node", "image": "x"}]}}}}},
        {"name": "extra", "template": {"spec": {"template": {"spec": {
            "priorityClassName": "missing-class", "containers": [{"name": "node", "image": "x"}]}}}}},
    ]}}},
}
ANCESTORS = {
    "dataset-initializer": "dataset-initializer",
    "model-initializer": "model-initializer",
    "trainer": "node",
}


def replicated_job(src: Source, job_name: str) -> dict[str, Any]:
    ancestor = {"dataset-initializer": "dataset-initializer", "model-initializer": "model-initializer",
                "node": "trainer", "launcher": "trainer"}.get(job_name)
    main = ANCESTORS.get(ancestor or "") if src.chance(90) else dns_name(src)
    tmpl: dict[str, Any] = {"spec": {"template": {"spec": pod_spec(src, main)}}}
    if ancestor and src.chance(80):
        tmpl["metadata"] = {"labels": {"trainer.kubeflow.org/trainjob-ancestor-step": ancestor}}
    job: dict[str, Any] = {"name": job_name, "template": tmpl}
    if src.chance(60):
        job["replicas"] = src.choice([1, 1, 1, 2, 0])
    return job


def runtime(src: Source, kind: Kind) -> dict[str, Any]:
    jobs = [
        j for j in ("dataset-initializer", "model-initializer", "launcher", "node") if src.chance(50)
    ] or ["node"]
    spec: dict[str, Any] = {"template": {"spec": {"replicatedJobs": [replicated_job(src, j) for j in jobs]}}}
    ml = src.choice(["torch", "mpi", "xgboost", "flux", "jax", None])
    policy: dict[str, Any] = {"numNodes": src.choice([1, 2, 4, 0])} if src.chance(70) else {}
    if ml == "torch":
        policy["torch"] = {"numProcPerNode": src.choice(["auto", 1, 2, "gpu"])}
    elif ml == "mpi":
        policy["mpi"] = {
            "numProcPerNode": src.choice([1, 2]),
            "mpiImplementation": src.choice(["OpenMPI", "Intel"]),
            "sshAuthMountPath": "/root/.ssh",
            "runLauncherAsNode": src.chance(50),
        }
    elif ml is not None:
        policy[ml] = {}
    if policy:
        spec["mlPolicy"] = policy
    if src.chance(20):
        spec["podGroupPolicy"] = src.choice(
            [{"coscheduling": {"scheduleTimeoutSeconds": 60}}, {"volcano": {}}]
        )
    if src.chance(15):
        spec["template"]["metadata"] = {
            "annotations": {"scheduling.volcano.sh/queue-name": src.choice(["", "q"])}
        }
    meta = metadata(src, namespaced=kind.scope != "Cluster")
    if src.chance(15):
        meta["labels"] = {"trainer.kubeflow.org/support": "deprecated"}
    return {
        "apiVersion": f"{kind.group}/{src.choice(kind.versions)}",
        "kind": kind.kind,
        "metadata": meta,
        "spec": spec,
    }


def trainjob(src: Source, kind: Kind) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if src.chance(90):
        ref: dict[str, Any] = {"name": src.choice([*RUNTIME_NAMES, "volcano-runtime"])}
        if src.chance(60):
            ref["kind"] = src.choice(["ClusterTrainingRuntime", "TrainingRuntime", "Foo"])
        if src.chance(50):
            ref["apiGroup"] = src.choice(["trainer.kubeflow.org", "example.com"])
        spec["runtimeRef"] = ref
    if src.chance(70):
        trainer: dict[str, Any] = {}
        if src.chance(60):
            trainer["image"] = src.choice(["pytorch/pytorch:2.1", ""])
        if src.chance(30):
            trainer["command"] = src.choice([["tune", "run"], ["torchrun", "train.py"]])
        if src.chance(30):
            trainer["args"] = src.choice([["output_dir=/x"], ["model.lora_attn_modules=[q]"], ["epochs=1"]])
        if src.chance(40):
            trainer["numNodes"] = src.choice([1, 2, 4, 0, -1])
        if src.chance(30):
            trainer["numProcPerNode"] = src.choice(["auto", 1, 2, "gpu", 0])
        if src.chance(40):
            trainer["resourcesPerNode"] = resources(src)
        if src.chance(30):
            trainer["env"] = env(src)
        spec["trainer"] = trainer
    if src.chance(20):
        spec["initializer"] = {k: {"storageUri": "hf://x"} for k in ("dataset", "model") if src.chance(60)}
    if src.chance(15):
        spec["suspend"] = src.chance(50)
    if src.chance(15):
        spec["managedBy"] = src.choice(MANAGERS)
    if src.chance(15):
        spec["labels"] = {"a": "b"}
    if src.chance(15):
        spec["runtimePatches"] = [{
            "manager": src.choice(["acme.io/tool", "bad", "", "a/b/c"]),
            "trainingRuntimeSpec": {"template": {"spec": {"replicatedJobs": [
                {"name": src.choice(["node", "nope", "dataset-initializer"]),
                 "template": {"spec": {"template": {"spec": {"containers": [
                     {"name": src.choice(["node", "other"]), "env": env(src)}]}}}}}]}}}}]
    return {"apiVersion": f"{kind.group}/{src.choice(kind.versions)}", "kind": kind.kind,
            "metadata": metadata(src), "spec": spec}


def valid_object(src: Source, kind: Kind) -> dict[str, Any]:
    if kind.replica_specs:
        return v1_job(src, kind)
    if kind.kind == "TrainJob":
        return trainjob(src, kind)
    return runtime(src, kind)


# A fixed inventory for the engines (loaded once): runtimes the generated TrainJobs may refer to.
def inventory(cat: Catalogue) -> list[dict[str, Any]]:
    from random import Random

    out = []
    for i, rname in enumerate(RUNTIME_NAMES[:-1]):
        for kid in ("clustertrainingruntime", "trainingruntime"):
            if kid not in cat.kinds:
                continue
            src = RandomSource(Random(f"{rname}/{kid}"))
            obj = runtime(src, cat.kinds[kid])
            obj["metadata"] = {"name": rname}
            if kid == "trainingruntime":
                obj["metadata"]["namespace"] = "default"
            if i == 3:
                obj["metadata"]["labels"] = {"trainer.kubeflow.org/support": "deprecated"}
            out.append(obj)
    return [*out, VOLCANO_RUNTIME]


# --- breaking and confusing objects --------------------------------------------------------------


def locations(value: Any, depth: int = 1) -> list[tuple[Any, Any, int]]:
    """Every (container, key-or-index, depth-of-the-value) in the object."""
    out: list[tuple[Any, Any, int]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.append((value, k, depth + 1))
            out.extend(locations(v, depth + 1))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.append((value, i, depth + 1))
            out.extend(locations(v, depth + 1))
    return out


def broken_value(src: Source, old: Any) -> Any:
    """A plausible mistake for a field: wrong sign, wrong type, empty, invalid quantity."""
    if isinstance(old, bool):
        return src.choice([not old, "true", 1, None])
    if isinstance(old, int):
        return src.choice([-1, -old - 1, 0, str(old), None, old + 1000])
    if isinstance(old, str):
        return src.choice(["", src.choice(BAD_QUANTITIES), old.upper() + "_", None, 3, odd_name(src)])
    if isinstance(old, list):
        return src.choice([[], None, {}, old + old])
    if isinstance(old, dict):
        return src.choice([{}, None, [], "x"])
    return src.choice(["", 0, None])


def nested(depth: int, leaf: Any, as_list: bool) -> Any:
    out = leaf
    for _ in range(depth):
        out = [out] if as_list else {"a": out}
    return out


def confused_value(src: Source, old: Any, depth: int, max_containers: int) -> Any:
    r = src.integer(0, 11)
    if r == 0:  # numbers as strings
        return (
            str(old)
            if isinstance(old, (int, float)) and not isinstance(old, bool)
            else src.choice(["3", "-1", "1e3", "0x1f", " 2 "])
        )
    if r == 1:  # lists where maps belong, maps where lists belong
        return [old] if not isinstance(old, list) else {str(i): v for i, v in enumerate(old)}
    if r == 2:
        return None
    if r == 3:
        return src.text(UNICODE, 0, 40)
    if r == 4:
        return src.choice(["a" * 253, "b" * 5000, "名" * 1000])
    if r == 5:
        return src.choice(HUGE_INTS)
    if r == 6:
        return src.choice(FLOATS)
    if r == 7:  # deep nesting, staying inside the reader's depth limit
        room = max(0, MAX_DEPTH - depth - 1)
        return nested(src.integer(0, room), src.choice([1, "x", None, {}]), src.chance(50))
    if r == 8:
        return src.choice([True, False])
    if r == 9:
        return src.choice([{}, [], ""])
    if r == 10 and isinstance(old, list) and max_containers:
        template = old[0] if old and isinstance(old[0], dict) else {"name": "c", "image": "i"}
        n = src.integer(1, max_containers)
        return [dict(template, name=f"c{i}") for i in range(n)]
    return src.choice([-1, 0, 2**31, -(2**31) - 1, 1.0])


def break_one(src: Source, obj: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    locs = locations(out)
    if not locs:
        return out
    parent, key, _ = src.choice(locs)
    if isinstance(parent, dict) and src.chance(25):
        del parent[key]
    else:
        parent[key] = broken_value(src, parent[key])
    return out


def confuse(src: Source, obj: dict[str, Any], max_containers: int) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    for _ in range(src.integer(1, 4)):
        locs = locations(out)
        if not locs:
            break
        parent, key, depth = src.choice(locs)
        parent[key] = confused_value(src, parent[key], depth, max_containers)
    if src.chance(5):  # a replica spec / job list with many containers
        for parent, key, _ in locations(out):
            if key == "containers" and isinstance(parent[key], list) and max_containers:
                parent[key] = confused_value(_Fixed(10), parent[key], 0, max_containers)
                break
    return out


class _Fixed:
    """A Source that always picks option `pick` (used to force one branch)."""

    def __init__(self, pick: int) -> None:
        self.pick = pick

    def integer(self, lo: int, hi: int) -> int:
        return max(lo, min(hi, self.pick if hi < 50 else hi))

    def choice(self, options: Sequence[Any]) -> Any:
        return options[0]

    def chance(self, percent: int) -> bool:
        return True

    def text(self, alphabet: str, lo: int, hi: int) -> str:
        return alphabet[:lo]


MODES = ("valid", "broken", "confused")


def wrap(src: Source, obj: Any, old: Any) -> Any:
    """The object as a manifest, an AdmissionReview or a Gatekeeper review (with an old object on UPDATE)."""
    form = src.integer(0, 5)
    if form <= 2:
        return obj
    operation = src.choice(["CREATE", "UPDATE", "UPDATE"])
    request: dict[str, Any] = {"uid": "u", "operation": operation, "object": obj}
    if operation == "UPDATE":
        request["oldObject"] = old
    if form <= 4:
        return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}
    return {"review": request, "parameters": {}}


def generate(src: Source, cat: Catalogue, *, mode: str | None = None, kind_id: str | None = None,
             max_containers: int = 200) -> Any:
    """One rego input: a manifest or review of a valid, broken or type-confused object of some kind."""
    kinds = sorted(cat.kinds)
    kind = cat.kinds[kind_id or src.choice(kinds)]
    mode = mode or src.choice(MODES)
    obj = valid_object(src, kind)
    old = copy.deepcopy(obj) if src.chance(50) else valid_object(src, kind)
    if mode == "broken":
        obj = break_one(src, obj)
    elif mode == "confused":
        obj = confuse(src, obj, max_containers)
        if src.chance(20):
            old = confuse(src, old, 0)
    return wrap(src, obj, old)


def strategy(
    cat: Catalogue, *, mode: str | None = None, kind_id: str | None = None, max_containers: int = 200
) -> Any:
    """A hypothesis strategy for `generate`."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw: Any) -> Any:
        return generate(
            HypothesisSource(draw), cat, mode=mode, kind_id=kind_id, max_containers=max_containers
        )

    return build()


# --- the object under review, and field paths ----------------------------------------------------


def object_of(rego_input: Any) -> Any:
    """What the library treats as the object under review (mirrors lib.kubeflow.core.obj)."""
    if isinstance(rego_input, dict):
        for outer in ("review", "request"):
            inner = rego_input.get(outer)
            if isinstance(inner, dict) and isinstance(inner.get("object"), dict):
                return inner["object"]
        return rego_input
    return {}


def resolve(value: Any, path: str) -> bool:
    """Whether a field path (`a.b[Key].c[0]`, keys may hold dots or brackets) names a value in `value`.

    Tries every key that fits, so map keys such as `nvidia.com/gpu` or `a]b` resolve.
    """
    return _longest(value, path, first=True) == len(path)


def existing_prefix(value: Any, path: str) -> str:
    """The longest prefix of `path` that names a value in `value`."""
    return path[: _longest(value, path, first=True)]


def _longest(value: Any, path: str, first: bool, pos: int = 0) -> int:
    best = pos
    if pos == len(path):
        return pos
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                continue
            for piece in ((k,) if first else ()) + ("." + k, "[" + k + "]"):
                if piece and path.startswith(piece, pos):
                    best = max(best, _longest(v, path, False, pos + len(piece)))
                    if best == len(path):
                        return best
    elif isinstance(value, list):
        m = re.compile(r"\[(\d+)\]").match(path, pos)
        if m and int(m.group(1)) < len(value):
            best = max(best, _longest(value[int(m.group(1))], path, False, m.end()))
    return best


def field_problem(obj: Any, field: str, vtype: str, quirks: frozenset[str] = frozenset(),
                  value: Any = "") -> str:
    """'' when a violation's field names a path in the object. A Required error, or any error whose
    bad value is null (upstream reports e.g. `[Master].replicas: Forbidden` and RT-2's `containers:
    Invalid` for absent fields; Go's zero values "", [] and {} likewise), may name a missing field:
    then its nearest existing parent must be
    reached so that only named fields are missing, i.e. every map key and index in it is real."""
    if not field or pattern_of(field) in quirks:
        return ""
    if resolve(obj, field):
        return ""
    if vtype == "FieldValueRequired" or value in (None, "", [], {}):
        rest = field[len(existing_prefix(obj, field)):]
        # What is missing may only be named fields (`.a.b`), or a map key the rule requires (`[Worker]`)
        # as the last step.
        rest_wo_last_key = re.sub(r"\[[^\[\]]*\]$", "", rest)
        if "[" not in rest_wo_last_key:
            return ""
    prefix = existing_prefix(obj, field)
    return f"field {field!r} ({vtype}) is not in the object (longest existing prefix {prefix!r})"


def pattern_of(field: str) -> str:
    """A field with its indices and map keys replaced by `[*]`, to compare fields across objects."""
    return re.sub(r"\[[^\[\]]*\]", "[*]", field)


def quirk_fields(cat: Catalogue) -> frozenset[str]:
    """Field patterns that the catalogue's own examples report without the path existing in the
    object: upstream's deliberate oddities (e.g. `spec.RuntimeRef`, sic), copied on purpose."""
    out = set()
    for rule in cat.rules.values():
        for ex in rule.examples:
            for v in ex.violations:
                if v.field and field_problem(ex.object, v.field, "", value="strict"):
                    out.add(pattern_of(v.field))
    return frozenset(out)


# --- two engines side by side --------------------------------------------------------------------

QUERIES = (
    "data.kubeflow.violation",
    "data.kubeflow.deny",
    "data.kubeflow.warn",
    "data.kubeflow.admission.response",
)


def canonical(value: Any) -> str:
    """A comparable text for a query result: sets come back as lists in engine order, so sort them."""
    if value is UNDEFINED:
        return "<undefined>"
    return json.dumps(_sorted(value), sort_keys=True, ensure_ascii=False)


def _sorted(value: Any) -> Any:
    """Sort lists (sets) recursively; compare numbers beyond 2^53 at float64 precision (the
    embedded engine returns them as float64, OPA exactly: the same number, written differently)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return float(value)
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)  # -0.0 and 3.0 come back as 0 and 3 from one engine, as written from the other
    if isinstance(value, list):
        items = [_sorted(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items()}
    return value


@dataclass
class Outcome:
    query: str
    embedded: str  # the embedded engine as kfpolicy runs it: compiled where it can be
    opa: str
    error: str = ""
    interpreter: str = ""  # the embedded engine's interpreter, when it was asked too

    @property
    def agree(self) -> bool:
        return not self.error and self.embedded == self.opa and self.interpreter in ("", self.opa)


class EnginePair:
    """The embedded engine (compiled mode, and its interpreter) and real OPA, each loaded once for
    one profile. Entry points go to the compiled mode one rule path at a time, as kfpolicy sends
    them; the interpreter and OPA answer them together as one array query."""

    def __init__(
        self,
        cat: Catalogue,
        profile: str,
        inventory: Sequence[dict[str, Any]] = (),
        parameters: dict[str, dict[str, Any]] | None = None,
        modules: dict[str, str] | None = None,
    ) -> None:
        from kfpolicy.render.rego import render_rego

        modules = modules if modules is not None else render_rego(cat)
        self.profile = profile
        self.engines = {
            name: Evaluator(
                cat, profile=profile, engine=name, inventory=inventory, parameters=parameters, modules=modules
            )
            for name in ("embedded", "embedded-interpreter", "opa")
        }
        self.embedded, self.opa = self.engines["embedded"], self.engines["opa"]
        self.interpreter = self.engines["embedded-interpreter"]
        self.embedded.engine.compile_after = 0  # type: ignore[attr-defined]  # every input through the compiled mode

    def compiled_fallbacks(self) -> dict[str, int]:
        """Inputs the compiled mode handed to the interpreter for a reason other than its fixed
        instruction limit (see kfpolicy.engines.regorus_engine): each one is a finding."""
        counts = self.embedded.engine.fallbacks  # type: ignore[attr-defined]
        return {reason: n for reason, n in counts.items() if reason != "instruction-limit"}

    def _answer(self, name: str, query: str, rego_input: Any) -> tuple[str, str]:
        try:
            return canonical(self.engines[name].query(query, rego_input)), ""
        except EngineError as exc:
            return "<error>", f"{name}: {exc}"

    def run(self, query: str, rego_input: Any) -> Outcome:
        (embedded, e1), (interp, e2), (opa, e3) = (self._answer(n, query, rego_input) for n in self.engines)
        return Outcome(query, embedded, opa, "; ".join(e for e in (e1, e2, e3) if e), interp)

    def check(self, rego_input: Any, queries: Sequence[str] = QUERIES) -> Iterator[Outcome]:
        """One Outcome per query. The interpreter and OPA get the queries as one array query (one
        evaluation each), compared element by element; on an error each query runs alone."""
        if len(queries) == 1:
            yield self.run(queries[0], rego_input)
            return
        query = "[" + ", ".join(queries) + "]"
        raws: dict[str, Any] = {}
        for name in ("embedded-interpreter", "opa"):
            try:
                raws[name] = self.engines[name].query(query, rego_input)
            except EngineError:
                break
        if len(raws) < 2 or any(r is UNDEFINED for r in raws.values()):
            for q in queries:  # say which query fails
                yield self.run(q, rego_input)
            return
        for i, q in enumerate(queries):
            compiled, error = self._answer("embedded", q, rego_input)
            yield Outcome(
                q, compiled, canonical(raws["opa"][i]), error, canonical(raws["embedded-interpreter"][i])
            )


def engine_versions() -> dict[str, str]:
    """The engines cross-checked: the embedded engine's wheel version, and the OPA module version
    compiled into opa-golib-python-bindings (read from the Go build information in its library)."""
    import importlib.metadata
    import importlib.util
    from pathlib import Path

    out = {"gordon-to-regorus": importlib.metadata.version("gordon-to-regorus")}
    try:
        out["opa-golib-python-bindings"] = importlib.metadata.version("opa-golib-python-bindings")
    except importlib.metadata.PackageNotFoundError:
        return out
    spec = importlib.util.find_spec("opa_bindings")
    if spec and spec.origin:
        lib = Path(spec.origin).parent / "libopabridge.so"
        if lib.is_file():
            m = re.search(rb"dep\tgithub\.com/open-policy-agent/opa\t(v[0-9][^\t\n]*)", lib.read_bytes())
            if m:
                out["opa"] = m.group(1).decode()
    return out
