"""kfpolicy: admission policies for Kubeflow training jobs, generated from one rule catalogue."""

__version__ = "0.1.0"
