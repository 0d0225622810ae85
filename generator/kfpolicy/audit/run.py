"""What `kfpolicy audit` does behind its command line: list, evaluate, summarise, record."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from kfpolicy.audit.client import Budget, KubeClient, load_configuration
from kfpolicy.audit.listing import list_objects
from kfpolicy.audit.progress import ProgressLine, wanted
from kfpolicy.audit.summary import audit_summary, record_configmap, record_file, summary_text
from kfpolicy.batch import run_batch
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.inputs import Document
from kfpolicy.report import Report, eval_document, render
from kfpolicy.runner import Evaluator, inventory_objects


@dataclass(frozen=True)
class AuditOptions:
    profile: str | None = None
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    output: str = "text"
    verbose: bool = False
    page_size: int = 500
    summary_limit: int = 20
    record_path: Path | None = None
    record_configmap: str | None = None
    timeout: float = 30.0
    deadline: float = 600.0
    progress: bool | None = None


def run_audit(cat: Catalogue, options: AuditOptions) -> tuple[str, Report]:
    """The rendered report (text and json carry the summary) and the report itself."""
    evaluator = Evaluator(cat, profile=options.profile)  # checks the profile before any request
    budget = Budget(connect=min(options.timeout, 10.0), read=options.timeout, total=options.deadline)
    client = KubeClient(load_configuration(options.kubeconfig, options.context), budget)
    show = wanted(sys.stderr) if options.progress is None else options.progress
    progress = ProgressLine(sys.stderr) if show else None
    try:
        items = list(
            list_objects(
                cat, client, namespace=options.namespace, page_size=options.page_size, progress=progress
            )
        )
    finally:
        if progress is not None:
            progress.close()
    inventory = inventory_objects(cat, (i.obj for i in items if isinstance(i, Document)))
    if inventory:
        evaluator = Evaluator(cat, profile=options.profile, inventory=inventory)
    report = run_batch(evaluator, items)
    summary = audit_summary(
        report, profile=evaluator.profile, cluster=client.host, first=options.summary_limit
    )
    if options.record_path is not None:
        record_file(summary, options.record_path)
    if options.record_configmap:
        record_configmap(summary, client, options.record_configmap)
    if options.output == "json":
        return json.dumps(eval_document(report) | {"audit": summary}, indent=2), report
    text = render(report, options.output, cat, verbose=options.verbose)
    if options.output == "text":
        text += "\n" + summary_text(summary)
    return text, report
