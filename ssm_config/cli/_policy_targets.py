"""Which settings classes a function loads: from ``module:Class``, a module, or a template.

Modules are imported with loading disabled (:func:`ssm_config._offline.offline`), so a
handler that builds its config at import time makes no AWS call and starts no thread.
Handlers of a template are imported one function at a time, each from its own code
folder, and forgotten afterwards: two functions whose handlers are both ``app.py`` (the
SAM default) must not see each other's module.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from .._errors import DeclarationError, SSMConfigError
from .._offline import offline
from .._settings import SSMSettings

_MISSING = object()
_FUNCTION_TYPES = frozenset({"AWS::Serverless::Function", "AWS::Lambda::Function"})


@dataclass(frozen=True, slots=True)
class Function:
    """One function of a template and the settings classes its handler module declares."""

    logical_id: str
    handler: str
    classes: tuple[type[SSMSettings], ...]


@dataclass(frozen=True, slots=True)
class TemplateFunctions:
    """The Python functions of a template, and the functions left out with the reason."""

    functions: tuple[Function, ...]
    skipped: tuple[tuple[str, str], ...]


def classes_of_target(target: str) -> tuple[type[SSMSettings], ...]:
    """``module:Class`` -> that class; ``module`` -> the classes it holds (see classes_in).

    The module may also be given as the path of its file (``src/handler.py``,
    ``handler.py:Config``): it is imported from that file's folder.
    """
    module_name, sep, attr = target.partition(":")
    if not module_name or (sep and not attr):
        raise DeclarationError(
            f"target {target!r}: expected 'module', 'module:Class' or a path to a .py file"
        )
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_file():
            raise DeclarationError(f"{module_name}: no such file")
        with _isolated_import(path.resolve().parent):
            module = _import(path.stem, f"cannot import {module_name!r}")
        return _classes_of_module(module, path.stem, attr, target)
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    module = _import(module_name, f"cannot import {module_name!r}")
    return _classes_of_module(module, module_name, attr, target)


def _classes_of_module(
    module: ModuleType, module_name: str, attr: str, target: str
) -> tuple[type[SSMSettings], ...]:
    if not attr:
        classes = classes_in(module)
        if not classes:
            raise DeclarationError(f"{module_name}: no SSMSettings instance or subclass in it")
        return classes
    obj: Any = module
    for part in attr.split("."):
        obj = getattr(obj, part, _MISSING)
        if obj is _MISSING:
            raise DeclarationError(f"{module_name} has no attribute {attr!r}")
    if not (isinstance(obj, type) and issubclass(obj, SSMSettings)):
        raise DeclarationError(f"{target}: not an SSMSettings class")
    return (obj,)


def classes_in(module: ModuleType) -> tuple[type[SSMSettings], ...]:
    """The classes of the SSMSettings instances ``module`` holds, else the ones it defines."""
    values = list(vars(module).values())
    held = [type(v) for v in values if isinstance(v, SSMSettings)]
    if held:
        return tuple(dict.fromkeys(held))
    defined = [
        v
        for v in values
        if isinstance(v, type)
        and issubclass(v, SSMSettings)
        and v is not SSMSettings
        and v.__module__ == module.__name__
    ]
    return tuple(dict.fromkeys(defined))


def functions_of_template(path: Path) -> TemplateFunctions:
    """Every Python function of a SAM/CloudFormation template with the classes it loads.

    Raises:
        DeclarationError: the template cannot be read or is malformed (a section that is
            not a mapping, a logical ID that is not a string), or a function's handler
            cannot be imported or declares nothing; the message names the template or the
            function.
    """
    template = load_template(path)
    resources = _section(template, "Resources", path, "")
    if not resources:
        raise DeclarationError(f"{path}: no Resources")
    globals_ = _section(template, "Globals", path, "")
    defaults = _section(globals_, "Function", path, "Globals: ")
    base = path.resolve().parent
    functions: list[Function] = []
    skipped: list[tuple[str, str]] = []
    for logical_id, resource in sorted(resources.items(), key=_logical_id(path)):
        where = f"resource {logical_id}: "
        if not isinstance(resource, Mapping):
            raise DeclarationError(
                f"{path}: resource {logical_id} is {_kind(resource)}, not a mapping"
            )
        kind = resource.get("Type")
        if kind is not None and not isinstance(kind, str):
            raise DeclarationError(f"{path}: {where}Type is {_kind(kind)}, not a string")
        if kind not in _FUNCTION_TYPES:
            continue
        props = _section(resource, "Properties", path, where)
        sam = kind == "AWS::Serverless::Function"
        merged = {**defaults, **props} if sam else dict(props)
        why_not = _not_python(merged)
        if why_not:
            skipped.append((logical_id, why_not))
            continue
        handler = merged.get("Handler")
        if not isinstance(handler, str) or "." not in handler:
            raise DeclarationError(
                f"function {logical_id}: Handler {handler!r} is not 'module.function'"
            )
        folder = _code_folder(logical_id, merged.get("CodeUri" if sam else "Code"), base)
        module_name = handler.rpartition(".")[0].replace("/", ".")
        with _isolated_import(folder):
            module = _import(
                module_name,
                f"function {logical_id}: cannot import {module_name!r} from {folder}",
            )
        classes = classes_in(module)
        if not classes:
            raise DeclarationError(
                f"function {logical_id}: handler module {module_name!r} declares nothing "
                "(no SSMSettings instance or subclass at module level)"
            )
        functions.append(Function(logical_id, handler, classes))
    if not functions and not skipped:
        raise DeclarationError(f"{path}: no AWS::Serverless::Function or AWS::Lambda::Function")
    return TemplateFunctions(tuple(functions), tuple(skipped))


def _section(parent: Mapping[Any, Any], key: str, path: Path, where: str) -> Mapping[Any, Any]:
    """``parent[key]``, which must be a mapping; absent or empty (``key:``) reads as ``{}``.

    Raises:
        DeclarationError: it is a list, a scalar or an intrinsic function; the message
            names the template and ``where`` (the resource or section) it is in.
    """
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise DeclarationError(f"{path}: {where}{key} is {_kind(value)}, not a mapping")
    return value


def _logical_id(path: Path) -> Callable[[tuple[Any, Any]], str]:
    """The sort key of a ``Resources`` item, refusing a logical ID that is not a string.

    YAML reads an unquoted ``123:`` as a number, which cannot be compared with the others.
    """

    def key(item: tuple[Any, Any]) -> str:
        logical_id = item[0]
        if not isinstance(logical_id, str):
            raise DeclarationError(
                f"{path}: Resources: logical ID {logical_id!r} is {_kind(logical_id)}, not a string"
            )
        return logical_id

    return key


def _kind(value: Any) -> str:
    """What ``value`` is, for a message: 'a list', 'a number', '!Ref'..."""
    if isinstance(value, _Tagged):
        return f"!{value.tag}"
    if value is None:
        return "empty"
    return next(
        (name for types, name in _KINDS if isinstance(value, types)),
        f"a {type(value).__name__}",  # a date, bytes (!!binary)...
    )


_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "a boolean"),  # before int: a bool is an int
    ((int, float), "a number"),
    (str, "a string"),
    (list, "a list"),
    (Mapping, "a mapping"),
)


def load_template(path: Path) -> dict[str, Any]:
    """A CloudFormation template (YAML or JSON), its tags (``!Ref``...) kept as _Tagged."""
    import yaml  # noqa: PLC0415 - the CLI's optional dependency; runtime never needs it

    class _Loader(yaml.SafeLoader):
        pass

    def tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tagged:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return _Tagged(suffix, value)

    _Loader.add_multi_constructor("!", tagged)
    try:
        text = path.read_text(encoding="utf-8")
        template = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except OSError as exc:
        raise DeclarationError(f"cannot read template {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise DeclarationError(
            f"{path}: not a YAML or JSON template: not UTF-8 text (byte {exc.start})"
        ) from exc
    except yaml.YAMLError as exc:
        raise DeclarationError(f"{path}: not a YAML or JSON template: {exc}") from exc
    if not isinstance(template, dict):
        raise DeclarationError(f"{path}: not a CloudFormation template")
    return template


@dataclass(frozen=True, slots=True)
class _Tagged:
    """An intrinsic function (``!Sub``, ``!Ref``...) as written; never a usable path."""

    tag: str
    value: Any


def _not_python(props: Mapping[str, Any]) -> str | None:
    if props.get("PackageType") == "Image":
        return "container image"
    runtime = props.get("Runtime")
    if isinstance(runtime, str) and not runtime.startswith("python"):
        return f"runtime {runtime}"
    return None


def _code_folder(logical_id: str, code: Any, base: Path) -> Path:
    if code is None:
        return base
    if not isinstance(code, str) or "://" in code:
        raise DeclarationError(f"function {logical_id}: its code is not a local folder ({code!r})")
    folder = (base / code).resolve()
    if not folder.is_dir():
        raise DeclarationError(f"function {logical_id}: code folder {folder} does not exist")
    return folder


def _import(module_name: str, failure: str) -> ModuleType:
    """Import a user module with loading disabled; any failure names what was imported."""
    importlib.invalidate_caches()
    try:
        with offline():
            return importlib.import_module(module_name)
    except SSMConfigError as exc:
        raise DeclarationError(f"{failure}: {exc}") from exc
    except SystemExit as exc:  # a script's sys.exit() must not end the command silently
        called = "sys.exit()" if exc.code is None else f"sys.exit({exc.code!r})"
        raise DeclarationError(f"{failure}: it called {called} at import") from exc
    except Exception as exc:  # user code runs here: whatever it raises is reported
        raise DeclarationError(f"{failure}: {type(exc).__name__}: {exc}") from exc


@contextlib.contextmanager
def _isolated_import(folder: Path) -> Iterator[None]:
    """Import from ``folder`` first, hiding same-named modules; forget what it imported.

    Only modules first imported here are forgotten: ssm_config itself, and anything the
    caller had already imported, stay as they are.
    """
    local = _top_level_names(folder)
    hidden = {
        name: module
        for name, module in sys.modules.items()
        if name.partition(".")[0] in local and not _defined_under(module, folder)
    }
    for name in hidden:
        del sys.modules[name]
    before = set(sys.modules)
    saved_path = list(sys.path)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path[:] = saved_path
        for name, module in list(sys.modules.items()):
            if name not in before and _defined_under(module, folder):
                del sys.modules[name]
        sys.modules.update(hidden)


def _top_level_names(folder: Path) -> set[str]:
    names = set()
    for entry in os.scandir(folder):
        if entry.name.endswith(".py"):
            names.add(entry.name[:-3])
        elif entry.is_dir() and entry.name.isidentifier():
            names.add(entry.name)
    names.discard("ssm_config")  # a vendored copy must not replace the running one
    return names


def _defined_under(module: ModuleType | None, folder: Path) -> bool:
    file = getattr(module, "__file__", None)
    if not file:
        return False
    try:
        Path(file).resolve().relative_to(folder)
    except ValueError:
        return False
    return True
