"""`kfpolicy push` validates its URL and options before connecting (exit 2, naming the option).
Slow, silent and oversized servers are the push attacks of benchmarks/attacks.py (test_attacks.py);
here, a stand-in OPA over loopback checks what a successful push sends."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from fake_servers import serve
from kfpolicy.cli import cli
from kfpolicy.server_http import parse_server_url


@pytest.mark.parametrize(("url", "words"), [
    ("http://127.0.0.1:99999", "not a valid URL"),
    ("http://[::1", "not a valid URL"),
    ("http://127.0.0.1:abc", "not a valid URL"),
    ("http://127.0.0.1:0", "port 0"),
    ("ftp://127.0.0.1", "expected http(s)://host[:port]"),
    ("http://127.0.0.1/v1?x=1", "server root"),
])
def test_bad_urls_are_usage_errors(url: str, words: str) -> None:
    result = CliRunner().invoke(cli, ["push", "--opa-url", url])
    assert result.exit_code == 2, result.output
    assert f"--opa-url {url!r}" in result.output and words in result.output


@pytest.mark.parametrize("option", ["--timeout", "--deadline"])
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_bad_seconds_are_usage_errors(option: str, value: str) -> None:
    result = CliRunner().invoke(cli, ["push", "--opa-url", "http://127.0.0.1:9", option, value])
    assert result.exit_code == 2, result.output
    assert f"{option} " in result.output and "must be a number of seconds above 0" in result.output
    assert "refused" not in result.output


def test_urls_keep_their_ports_and_ipv6_hosts() -> None:
    assert str(parse_server_url("http://[::1]:8181", "--opa-url")) == "http://[::1]:8181"
    assert str(parse_server_url("https://opa.example", "--opa-url")) == "https://opa.example:443"
    assert str(parse_server_url("http://opa/", "--opa-url")) == "http://opa:80"


def test_an_error_answer_is_summarised_with_its_messages() -> None:
    def opa(method: str, path: str, body: bytes) -> tuple[int, object]:
        if path.endswith("main.rego"):
            return 400, {"code": "invalid_parameter", "message": "error(s) occurred",
                         "errors": [{"code": "rego_parse_error", "message": "unexpected token"}]}
        return 200, {}

    with serve(opa) as (url, seen):
        result = CliRunner().invoke(cli, ["push", "--opa-url", url, "--token", "s3cret"])
    assert result.exit_code == 2
    assert "refused the upload" in result.output and "unexpected token" in result.output
    assert seen and all(path.startswith("/v1/policies/kfpolicy/") for _, path, _ in seen)
