"""``ssm-config policy``: targets, templates, output formats, errors, and no AWS calls."""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from ssm_config.cli import build_parser, main
from ssm_config.iam import policy_for

from ..iam_fixtures.configs import KEY_ID, CustomerKey, ThreeNames
from ..iam_fixtures.evaluate import allows
from ..iam_fixtures.lint import findings

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "iam_fixtures"
SAM = FIXTURES / "sam" / "template.yaml"
ACCOUNT = "123456789012"
PSEUDO_ARN = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run from the repository root; forget sys.path entries and fixture modules imported."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if str(getattr(sys.modules[name], "__file__", "")).startswith(str(FIXTURES)):
            del sys.modules[name]


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail any botocore request, recording its operation name."""
    attempted: list[str] = []

    def refuse(self: Any, operation_name: str, api_params: Any) -> Any:
        attempted.append(operation_name)
        raise AssertionError(f"AWS was called: {operation_name}")

    monkeypatch.setattr("botocore.client.BaseClient._make_api_call", refuse)
    return attempted


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["policy", *argv])
    out, err = capsys.readouterr()
    return code, out, err


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation YAML: ``!Sub 'x'`` becomes ``{"Fn::Sub": "x"}``."""


_CfnLoader.add_constructor("!Sub", lambda loader, node: {"Fn::Sub": loader.construct_scalar(node)})


def test_module_class_target_prints_the_policy_for_that_class(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``module:Class`` prints exactly policy_for(Class) as JSON."""
    code, out, err = _run(capsys, "tests.iam_fixtures.configs:ThreeNames")
    assert (code, err) == (0, "")
    assert json.loads(out) == policy_for(ThreeNames)


def test_module_from_the_current_folder_with_import_time_config_calls_no_aws(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, no_aws: list[str]
) -> None:
    """A module that builds its config at import is read offline, from the current folder."""
    monkeypatch.chdir(FIXTURES)
    threads = threading.active_count()
    code, out, err = _run(capsys, "eager_handler", "--region", "us-east-1", "--account", ACCOUNT)
    assert (code, err, no_aws) == (0, "", [])
    assert threading.active_count() == threads
    document = json.loads(out)
    # The module holds an EagerConfig instance: UnusedConfig, merely defined, is left out.
    assert [s["Resource"] for s in document["Statement"]] == [
        [f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/eager/url"]
    ]


def test_module_without_instances_uses_the_classes_it_defines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With no instance, every SSMSettings subclass defined in the module counts; imports don't."""
    code, out, _ = _run(capsys, "tests.iam_fixtures.classes_only")
    assert code == 0
    (statement,) = json.loads(out)["Statement"]
    assert statement["Resource"] == [
        "arn:aws:ssm:*:*:parameter/first/a",
        "arn:aws:ssm:*:*:parameter/second/b",
    ]


def test_template_gives_one_policy_per_function_covering_only_its_own(
    capsys: pytest.CaptureFixture[str], no_aws: list[str]
) -> None:
    """Two handlers both named app.py yield two policies, each for its own parameters only."""
    code, out, err = _run(capsys, "--template", str(SAM), "--account", ACCOUNT)
    assert code == 0
    assert no_aws == []
    assert err == "ssm-config: skipped function NodeFunction: runtime nodejs20.x\n"
    policies = json.loads(out)
    assert sorted(policies) == ["BillingFunction", "OrdersFunction"]

    def arn(name: str) -> str:
        return f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter{name}"

    orders, billing = policies["OrdersFunction"], policies["BillingFunction"]
    for name in ("/orders/prod/db-url", "/orders/prod/page-size"):
        assert allows(orders, "ssm:GetParameters", arn(name))
        assert not allows(billing, "ssm:GetParameters", arn(name))
    assert allows(billing, "ssm:GetParameters", arn("/billing/prod/stripe-key"))
    assert allows(billing, "ssm:GetParametersByPath", arn("/billing/prod/currencies"))
    assert not allows(orders, "ssm:GetParameters", arn("/billing/prod/stripe-key"))
    assert not allows(orders, "ssm:GetParametersByPath", arn("/billing/prod/currencies"))
    assert findings(orders) == findings(billing) == []


def test_template_in_cloudformation_format_uses_pseudo_parameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without region/account, ARNs are !Sub strings with AWS:: pseudo parameters."""
    code, out, _ = _run(capsys, "--template", str(SAM), "--format", "cloudformation")
    assert code == 0
    snippets = yaml.load(out, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    (document,) = snippets["OrdersFunction"]
    assert document["Statement"][0]["Resource"] == [
        {"Fn::Sub": f"{PSEUDO_ARN}:parameter/orders/prod/{n}"} for n in ("db-url", "page-size")
    ]


def test_cloudformation_with_everything_given_has_no_sub(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Given region, account and partition, the snippet is plain strings, ready for Policies."""
    code, out, _ = _run(
        capsys,
        "tests.iam_fixtures.configs:CustomerKey",
        "--format=cloudformation",
        "--region=us-east-1",
        f"--account={ACCOUNT}",
        "--partition=aws",
    )
    assert code == 0
    assert "!Sub" not in out
    snippet = yaml.safe_load(out)
    assert snippet == [policy_for(CustomerKey, region="us-east-1", account=ACCOUNT)]


def test_terraform_document(capsys: pytest.CaptureFixture[str]) -> None:
    """The terraform format is an aws_iam_policy_document data source in ``terraform fmt``
    layout, with sorted lists."""
    code, out, _ = _run(
        capsys,
        "tests.iam_fixtures.configs:ThreeNames",
        "--format",
        "terraform",
        "--region",
        "us-east-1",
        "--account",
        ACCOUNT,
        "--partition",
        "aws",
    )
    assert code == 0
    arn = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/db"
    assert out == (  # terraform fmt's layout: a multi-line list ends the aligned run
        'data "aws_iam_policy_document" "three_names" {\n'
        "  statement {\n"
        '    sid    = "SsmGetParameters"\n'
        '    effect = "Allow"\n'
        "    actions = [\n"
        '      "ssm:GetParameter",\n'
        '      "ssm:GetParameters",\n'
        "    ]\n"
        "    resources = [\n"
        f'      "{arn}/host",\n'
        f'      "{arn}/port",\n'
        f'      "{arn}/user",\n'
        "    ]\n"
        "  }\n"
        "}\n"
    )


def test_terraform_leaves_unknowns_to_data_sources(capsys: pytest.CaptureFixture[str]) -> None:
    """Without region/account/partition, Terraform interpolates the data sources it declares."""
    code, out, _ = _run(capsys, "tests.iam_fixtures.configs:CustomerKey", "--format", "terraform")
    assert code == 0
    assert out.startswith(
        'data "aws_caller_identity" "current" {}\n'
        'data "aws_partition" "current" {}\n'
        'data "aws_region" "current" {}\n\n'
        'data "aws_iam_policy_document" "customer_key" {\n'
    )
    assert '"ssm.${data.aws_region.current.name}.${data.aws_partition.current.dns_suffix}"' in out


def test_policy_region_does_not_clobber_the_global_region() -> None:
    """The subcommand's --region has its own dest; the global --region keeps its value."""
    args = build_parser().parse_args(
        ["--region", "eu-west-1", "policy", "m:C", "--region", "us-east-1"]
    )
    assert (args.region, args.policy_region) == ("eu-west-1", "us-east-1")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--template", str(FIXTURES / "sam_broken" / "template.yaml")],
            "function BrokenFunction: cannot import 'handler'",
        ),
        (
            ["--template", str(FIXTURES / "sam_empty" / "template.yaml")],
            "function PlainFunction: handler module 'handler' declares nothing",
        ),
        (["--template", str(FIXTURES / "nowhere.yaml")], "cannot read template"),
        (
            ["tests.iam_fixtures.no_such_module"],
            "cannot import 'tests.iam_fixtures.no_such_module'",
        ),
        (["tests.iam_fixtures.configs:Nope"], "has no attribute 'Nope'"),
        (["tests.iam_fixtures.configs:KEY_ID"], "not an SSMSettings class"),
        (["tests.iam_fixtures.configs:ThreeNames", "--account", "42"], "account '42'"),
    ],
)
def test_failures_are_one_line_naming_the_culprit(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Import failures, empty handlers and bad targets exit 1 with one clear line."""
    code, out, err = _run(capsys, *argv)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith("ssm-config: error: ")
    assert re.search(message, err), err


@pytest.mark.parametrize("argv", [[], ["m:C", "--template", "t.yaml"], ["m:C", "--format", "xml"]])
def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """No target, both a target and a template, or an unknown format is bad usage."""
    assert _run(capsys, *argv)[0] == 2


def test_resolve_keys_asks_kms_for_the_alias(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--resolve-keys turns a declared alias into its key ARN through kms:DescribeKey."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        key = kms.create_key()["KeyMetadata"]
        kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
        code, out, err = _run(
            capsys, "tests.iam_fixtures.configs:AliasKey", "--resolve-keys", "--region", "us-east-1"
        )
    assert (code, err) == (0, "")
    statement = json.loads(out)["Statement"][0]
    assert statement["Resource"] == [key["Arn"]]


def test_resolve_keys_reports_an_unknown_alias(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An alias KMS does not know is one error line naming the alias."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        code, _, err = _run(capsys, "tests.iam_fixtures.configs:AliasKey", "--resolve-keys")
    assert code == 1
    assert err.startswith(
        "ssm-config: error: alias/orders: kms:DescribeKey failed: NotFoundException"
    )


def test_key_id_needs_no_resolving(capsys: pytest.CaptureFixture[str], no_aws: list[str]) -> None:
    """A key declared by id becomes an ARN without asking KMS, even with --resolve-keys."""
    code, out, _ = _run(capsys, "tests.iam_fixtures.configs:CustomerKey", "--resolve-keys")
    assert (code, no_aws) == (0, [])
    assert json.loads(out)["Statement"][0]["Resource"] == [f"arn:aws:kms:*:*:key/{KEY_ID}"]


def test_missing_pyyaml_is_one_line_naming_the_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without PyYAML, YAML output says which pip install to run instead of a traceback."""
    monkeypatch.setitem(sys.modules, "yaml", None)
    code, _, err = _run(
        capsys, "tests.iam_fixtures.configs:ThreeNames", "--format", "cloudformation"
    )
    assert code == 1
    assert err == (
        "ssm-config: error: templates and --format cloudformation need PyYAML: "
        "pip install 'ssm-config[cli]'\n"
    )


def test_module_reading_parameters_at_import_is_refused_without_aws(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler calling get_parameter at import fails clearly; no request is sent."""
    (tmp_path / "eager_adhoc.py").write_text(
        "import ssm_config\nTOKEN = ssm_config.get_parameter('/it/token')\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:9")  # would fail loudly
    code, out, err = _run(capsys, "eager_adhoc")
    assert (code, out) == (1, "")
    assert "get_parameter('/it/token') under offline()" in err
    assert "unreachable" not in err
    sys.modules.pop("eager_adhoc", None)


_FUNCTION = "    Type: AWS::Serverless::Function\n    Properties: {Handler: app.handler}\n"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: [1, 2]\n",
            "resource Fn: Properties is a list, not a mapping",
        ),
        (
            f"Globals: {{Function: 5}}\nResources:\n  Fn:\n{_FUNCTION}",
            "Globals: Function is a number, not a mapping",
        ),
        (f"Globals: [a]\nResources:\n  Fn:\n{_FUNCTION}", "Globals is a list, not a mapping"),
        ("Resources: [a, b]\n", "Resources is a list, not a mapping"),
        (
            f"Resources:\n  Fn:\n{_FUNCTION}  123:\n{_FUNCTION}",
            "Resources: logical ID 123 is a number, not a string",
        ),
        ("Resources:\n  Fn: [1]\n", "resource Fn is a list, not a mapping"),
        ("Resources:\n  Fn: {Type: [a]}\n", "resource Fn: Type is a list, not a string"),
        (
            "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: !Ref X\n",
            "resource Fn: Properties is !Ref, not a mapping",
        ),
    ],
    ids=[
        "properties-list",
        "globals-function-number",
        "globals-list",
        "resources-list",
        "numeric-logical-id",
        "resource-list",
        "type-list",
        "properties-tag",
    ],
)
def test_malformed_template_structures_are_one_line_naming_where(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, template: str, message: str
) -> None:
    """A section of the wrong shape is one line naming the template and where it is."""
    path = tmp_path / "template.yaml"
    path.write_text(template, encoding="utf-8")

    code, out, err = _run(capsys, "--template", str(path))

    assert (code, out) == (1, "")
    assert err == f"ssm-config: error: {path}: {message}\n"


def test_a_template_that_is_not_utf8_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A template file in another encoding is one line naming it, not a UnicodeDecodeError."""
    path = tmp_path / "template.yaml"
    path.write_bytes("Description: caf\u00e9\nResources: {}\n".encode("latin-1"))

    code, out, err = _run(capsys, "--template", str(path))

    assert (code, out) == (1, "")
    assert err == (
        f"ssm-config: error: {path}: not a YAML or JSON template: not UTF-8 text (byte 16)\n"
    )


def test_a_module_calling_sys_exit_at_import_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sys.exit(3) in a target module, or in a template's handler, does not end the command."""
    (tmp_path / "exits_at_import.py").write_text("import sys\nsys.exit(3)\n")
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {Handler: exits_at_import.handler, Runtime: python3.12}\n"
    )
    monkeypatch.chdir(tmp_path)

    code, out, err = _run(capsys, "exits_at_import")
    assert (code, out) == (1, "")
    assert err == (
        "ssm-config: error: cannot import 'exits_at_import': it called sys.exit(3) at import\n"
    )

    code, out, err = _run(capsys, "--template", str(template))
    assert (code, out) == (1, "")
    folder = tmp_path.resolve()
    assert err == (
        f"ssm-config: error: function Fn: cannot import 'exits_at_import' from {folder}: "
        "it called sys.exit(3) at import\n"
    )


def test_ctrl_c_during_a_module_import_is_not_reported_as_an_import_failure(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KeyboardInterrupt raised at import still means the user pressed Ctrl-C: exit 130."""
    (tmp_path / "interrupted_at_import.py").write_text("raise KeyboardInterrupt\n")
    monkeypatch.chdir(tmp_path)

    code, out, err = _run(capsys, "interrupted_at_import")

    assert (code, out, err) == (130, "", "")


def test_terraform_alignment_follows_terraform_fmt() -> None:
    """Runs of one-line attributes align their '='; a multi-line list breaks the run."""
    from ssm_config.cli._policy_render import _tf_attributes

    pairs = [("sid", "S"), ("effect", "Allow"), ("actions", ["a", "b"]), ("resources", ["r"])]
    pairs += [("test", "StringLike")]
    assert _tf_attributes("  ", pairs) == [
        '  sid    = "S"',
        '  effect = "Allow"',
        "  actions = [",
        '    "a",',
        '    "b",',
        "  ]",
        '  resources = ["r"]',
        '  test      = "StringLike"',
    ]
