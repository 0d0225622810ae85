"""The Jinja2 environment for generated Rego: templates live in kfpolicy/templates, Python passes data.

StrictUndefined makes a misspelt variable fail generation instead of rendering an empty string;
the `rego` filter turns a JSON value into a Rego literal, `rego_line` into one on a single line, and
`packed` sets list items several to a line.
"""

from __future__ import annotations

from typing import Any

import jinja2

from kfpolicy.render.common import packed, rego_line, rego_literal

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("kfpolicy", "templates"),
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["rego"] = rego_literal
_ENV.filters["rego_line"] = rego_line
_ENV.filters["packed"] = packed


def render_template(name: str, **values: Any) -> str:
    """Fill the template kfpolicy/templates/<name> with values."""
    return _ENV.get_template(name).render(**values)
