"""Options several commands share, so that each says the same thing everywhere."""

from __future__ import annotations

from pathlib import Path

import click

from kfpolicy.report import FORMATS

catalogue_option = click.option(
    "--catalogue",
    "catalogues",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder of your own rules (rules/<id>/, optional kinds.yaml, profiles.yaml, lib/); repeatable.",
)
repo_option = click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The kfpolicy repository to work on (default: found from the current folder upwards).",
)
output_option = click.option(
    "--output",
    "-o",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format: text, json, junit (CI test reports), sarif (code scanning), github (workflow "
    "annotations), tap or table. Every format gives the file and line of each finding.",
)
test_output_option = click.option(
    "--output",
    "-o",
    type=click.Choice(["text", "json", "junit"]),
    default="text",
    show_default=True,
    help="Report format for the checks: text, json or junit.",
)
fail_on_warn_option = click.option(
    "--fail-on-warn", is_flag=True, help="Exit 1 on warnings too, not only on denials."
)
profile_option = click.option(
    "--profile",
    "-p",
    default=None,
    help="Profile to apply: upstream, baseline or restricted, or one of your "
    "catalogue's (default: the catalogue's default profile).",
)
