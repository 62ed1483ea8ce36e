"""Reading template.yaml for the local stack.

The local stack never keeps a second list of tables, queues or functions: it reads them from
the same ``template.yaml`` that ``sam deploy`` uses. This module loads the template with
cfn-lint's decoder (which understands ``!Ref``, ``!Sub`` and the other short forms) and resolves
the intrinsic functions the local stack needs:

- parameter defaults, overridable (the local stack points the Xero URLs at the emulator);
- pseudo parameters (``AWS::Region``, ``AWS::AccountId``, ``AWS::StackName`` …);
- ``Ref`` / ``Fn::GetAtt`` of the resources the bootstrap created (their physical names, URLs
  and ARNs are registered with :meth:`Resolver.register`);
- ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If`` with the template's
  ``Conditions``, ``Fn::FindInMap``, ``Fn::ToJsonString`` and ``Fn::Base64``.

Anything it cannot resolve raises :class:`UnresolvedReference` naming what is missing: a quiet
``None`` in an environment variable would surface much later as a confusing error.

SAM's ``Globals.Function`` section is merged into every function the way SAM does it: maps are
merged key by key, lists are concatenated (globals first), and a scalar on the function wins.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# moto's default account; ARNs built locally use it so that they match what moto returns.
LOCAL_ACCOUNT_ID = "123456789012"
LOCAL_REGION = "us-east-1"
LOCAL_STACK_NAME = "xero-sync-local"

# The repository root: the directory that holds the ``local`` package. Handler modules under
# it get dotted names relative to it (functions/api/app.py -> functions.api.app).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATE = PROJECT_ROOT / "template.yaml"


class TemplateError(Exception):
    """The template cannot be read, or uses something the local stack does not support."""


class UnresolvedReference(TemplateError):
    """A ``Ref``/``GetAtt``/``Sub`` names something the local stack has no value for."""


class _NoValue:
    """``AWS::NoValue``: the property or list item disappears."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


@dataclass(frozen=True)
class PhysicalResource:
    """What a resource became locally: the value of ``Ref`` and of each ``Fn::GetAtt``."""

    ref: str
    attributes: Mapping[str, str] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    """cfn-lint's nodes (str/dict subclasses that carry line numbers) as plain Python values."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def _merge_globals(global_value: Any, own_value: Any) -> Any:
    """SAM's Globals rule: maps merge, lists concatenate (globals first), scalars: own wins."""
    if isinstance(global_value, dict) and isinstance(own_value, dict):
        merged = dict(global_value)
        for key, item in own_value.items():
            merged[key] = _merge_globals(global_value[key], item) if key in global_value else item
        return merged
    if isinstance(global_value, list) and isinstance(own_value, list):
        return [*global_value, *own_value]
    return own_value


@dataclass(frozen=True)
class FunctionSpec:
    """One ``AWS::Serverless::Function`` with the Globals merged in (values still unresolved)."""

    logical_id: str
    properties: Mapping[str, Any]
    template_dir: Path

    @property
    def code_dir(self) -> Path:
        code_uri = self.properties.get("CodeUri")
        if not isinstance(code_uri, str):
            raise TemplateError(f"{self.logical_id}: CodeUri must be a local folder (a string)")
        return (self.template_dir / code_uri).resolve()

    @property
    def handler(self) -> str:
        handler = self.properties.get("Handler")
        if not isinstance(handler, str) or "." not in handler:
            raise TemplateError(f"{self.logical_id}: Handler must look like 'app.lambda_handler'")
        return handler

    @property
    def handler_file(self) -> Path:
        module_path, _ = self.handler.rsplit(".", 1)
        return self.code_dir / (module_path.replace(".", "/") + ".py")

    @property
    def handler_function(self) -> str:
        return self.handler.rsplit(".", 1)[1]

    @property
    def runtime(self) -> str:
        return str(self.properties.get("Runtime", ""))

    @property
    def timeout_seconds(self) -> float:
        return float(self.properties.get("Timeout", 3))  # Lambda's default is 3 seconds

    @property
    def memory_mb(self) -> int:
        return int(self.properties.get("MemorySize", 128))  # Lambda's default is 128 MB

    @property
    def environment(self) -> Mapping[str, Any]:
        return (self.properties.get("Environment") or {}).get("Variables") or {}

    @property
    def events(self) -> Mapping[str, Mapping[str, Any]]:
        return self.properties.get("Events") or {}

    @property
    def layers(self) -> list[Any]:
        return list(self.properties.get("Layers") or [])

    @property
    def policies(self) -> list[Any]:
        policies = self.properties.get("Policies") or []
        return policies if isinstance(policies, list) else [policies]


class Template:
    """A decoded template.yaml and the views of it that the local stack uses."""

    def __init__(self, path: Path, data: Mapping[str, Any]):
        self.path = path.resolve()
        self.dir = self.path.parent
        self.data = data

    @classmethod
    def load(cls, path: str | Path = DEFAULT_TEMPLATE) -> Template:
        from cfnlint.decode import decode

        path = Path(path)
        data, problems = decode(str(path))
        if problems or data is None:
            details = "; ".join(str(problem) for problem in problems) or "empty template"
            raise TemplateError(f"cannot read {path}: {details}")
        return cls(path, _plain(data))

    # --- sections ------------------------------------------------------------------------------

    @property
    def parameters(self) -> Mapping[str, Mapping[str, Any]]:
        return self.data.get("Parameters") or {}

    @property
    def conditions(self) -> Mapping[str, Any]:
        return self.data.get("Conditions") or {}

    @property
    def mappings(self) -> Mapping[str, Any]:
        return self.data.get("Mappings") or {}

    @property
    def resources(self) -> Mapping[str, Mapping[str, Any]]:
        return self.data.get("Resources") or {}

    @property
    def function_globals(self) -> Mapping[str, Any]:
        return (self.data.get("Globals") or {}).get("Function") or {}

    def resources_of_type(self, *types: str) -> dict[str, Mapping[str, Any]]:
        """``{logical_id: resource}`` for the resources of these types, in template order."""
        return {
            logical_id: resource for logical_id, resource in self.resources.items() if resource.get("Type") in types
        }

    def functions(self) -> dict[str, FunctionSpec]:
        """Every ``AWS::Serverless::Function``, Globals merged in, in template order."""
        specs: dict[str, FunctionSpec] = {}
        for logical_id, resource in self.resources_of_type("AWS::Serverless::Function").items():
            properties = _merge_globals(dict(self.function_globals), dict(resource.get("Properties") or {}))
            specs[logical_id] = FunctionSpec(logical_id, properties, self.dir)
        return specs


# --- the resolver --------------------------------------------------------------------------------

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Resolver:
    """Resolves intrinsic functions against parameters, pseudo parameters, conditions and the
    physical resources registered so far."""

    def __init__(
        self,
        template: Template,
        *,
        parameter_overrides: Mapping[str, Any] | None = None,
        stack_name: str = LOCAL_STACK_NAME,
        region: str = LOCAL_REGION,
        account_id: str = LOCAL_ACCOUNT_ID,
    ):
        self.template = template
        self.stack_name = stack_name
        self.region = region
        self.account_id = account_id
        self._physical: dict[str, PhysicalResource] = {}
        self._parameters = self._parameter_values(parameter_overrides or {})
        self._condition_cache: dict[str, bool] = {}
        # Functions resolve to their local names, so that !Ref/!GetAtt of a function (log
        # group names, schedule targets) work without anything to create.
        for logical_id in template.functions():
            name = self.physical_name(logical_id)
            self.register(
                logical_id,
                PhysicalResource(
                    ref=name,
                    attributes={
                        "Arn": f"arn:aws:lambda:{region}:{account_id}:function:{name}",
                    },
                ),
            )

    # --- parameters and names -----------------------------------------------------------------

    def _parameter_values(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(overrides) - set(self.template.parameters))
        if unknown:
            raise TemplateError(f"parameter overrides name no template parameter: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, declaration in self.template.parameters.items():
            if name in overrides:
                value = overrides[name]
            elif "Default" in declaration:
                value = declaration["Default"]
            else:
                raise UnresolvedReference(f"parameter {name} has no Default; pass it as an override")
            if str(declaration.get("Type", "String")).startswith("CommaDelimitedList") or str(
                declaration.get("Type", "")
            ).startswith("List<"):
                values[name] = value if isinstance(value, list) else [item.strip() for item in str(value).split(",")]
            else:
                # CloudFormation hands every parameter over as a string, numbers included.
                values[name] = _as_string(value)
        return values

    def parameter(self, name: str) -> Any:
        if name not in self._parameters:
            raise UnresolvedReference(f"no parameter {name}")
        return self._parameters[name]

    @property
    def parameters(self) -> Mapping[str, Any]:
        return dict(self._parameters)

    def physical_name(self, logical_id: str) -> str:
        """The local name of a resource that the template leaves unnamed (as CloudFormation
        would generate one): ``<stack>-<LogicalId>``."""
        return f"{self.stack_name}-{logical_id}"

    def register(self, logical_id: str, physical: PhysicalResource) -> None:
        self._physical[logical_id] = physical

    def physical(self, logical_id: str) -> PhysicalResource:
        if logical_id not in self._physical:
            resource_type = self.template.resources.get(logical_id, {}).get("Type", "unknown type")
            raise UnresolvedReference(
                f"{logical_id} ({resource_type}) has no local value: the local stack does not "
                "create it (see local/stack/bootstrap.py for the resource types it creates)"
            )
        return self._physical[logical_id]

    @property
    def registry(self) -> Mapping[str, PhysicalResource]:
        return dict(self._physical)

    def find_by_attribute(self, attribute: str, value: str) -> str | None:
        """The logical id whose ``attribute`` (``Ref`` for the reference) equals ``value``."""
        for logical_id, physical in self._physical.items():
            candidate = physical.ref if attribute == "Ref" else physical.attributes.get(attribute)
            if candidate == value:
                return logical_id
        return None

    def _pseudo(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/local"),
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        if name not in pseudo:
            raise UnresolvedReference(f"unknown pseudo parameter {name}")
        return pseudo[name]

    # --- conditions ---------------------------------------------------------------------------

    def condition(self, name: str) -> bool:
        if name not in self._condition_cache:
            if name not in self.template.conditions:
                raise UnresolvedReference(f"no condition {name}")
            self._condition_cache[name] = bool(self.resolve(self.template.conditions[name]))
        return self._condition_cache[name]

    # --- resolution ---------------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic function replaced by its local value. ``AWS::NoValue``
        removes a map entry or list item; at the top level it comes back as ``NO_VALUE``."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(argument)
            if key == "Condition" and isinstance(argument, str):
                return self.condition(argument)
            if key.startswith("Fn::"):
                return self._function(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def _ref(self, name: str) -> Any:
        if name.startswith("AWS::"):
            return self._pseudo(name)
        if name in self._parameters:
            return self._parameters[name]
        return self.physical(name).ref

    def _get_att(self, logical_id: str, attribute: str) -> str:
        physical = self.physical(logical_id)
        if attribute not in physical.attributes:
            raise UnresolvedReference(f"{logical_id} has no local value for attribute {attribute}")
        return physical.attributes[attribute]

    def _function(self, name: str, argument: Any) -> Any:
        if name == "Fn::GetAtt":
            logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
            return self._get_att(str(logical_id), str(self.resolve(attribute)))
        if name == "Fn::Sub":
            return self._sub(argument)
        if name == "Fn::Join":
            delimiter, items = argument
            return str(delimiter).join(_as_string(item) for item in self.resolve(items))
        if name == "Fn::Select":
            index, items = argument
            return self.resolve(items)[int(self.resolve(index))]
        if name == "Fn::Split":
            delimiter, text = argument
            return str(self.resolve(text)).split(str(delimiter))
        if name == "Fn::If":
            condition_name, if_true, if_false = argument
            return self.resolve(if_true if self.condition(condition_name) else if_false)
        if name == "Fn::Equals":
            left, right = (self.resolve(item) for item in argument)
            return _as_string(left) == _as_string(right)
        if name == "Fn::Not":
            return not self.resolve(argument[0])
        if name == "Fn::And":
            return all(self.resolve(item) for item in argument)
        if name == "Fn::Or":
            return any(self.resolve(item) for item in argument)
        if name == "Fn::FindInMap":
            map_name, first, second = (self.resolve(item) for item in argument[:3])
            try:
                return self.template.mappings[map_name][first][second]
            except KeyError:
                raise UnresolvedReference(f"Fn::FindInMap {map_name}/{first}/{second} not found") from None
        if name == "Fn::ToJsonString":
            return json.dumps(self.resolve(argument), separators=(",", ":"))
        if name == "Fn::Base64":
            return base64.b64encode(str(self.resolve(argument)).encode()).decode()
        if name == "Fn::GetAZs":
            return [f"{self.region}{zone}" for zone in "abc"]
        raise TemplateError(f"the local stack does not support {name}")

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            text, variables = argument[0], {key: self.resolve(item) for key, item in argument[1].items()}
        else:
            text, variables = argument, {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} stands for the text ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                return _as_string(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self._get_att(logical_id, attribute)
            return _as_string(self._ref(name))

        return _SUB_VARIABLE.sub(replace, str(text))


def _as_string(value: Any) -> str:
    """How CloudFormation turns a value into a string (environment variables, Sub, Join)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(_as_string(item) for item in value)
    return str(value)


def as_environment_value(value: Any) -> str:
    """An environment variable's value as Lambda receives it (always a string)."""
    return _as_string(value)


def logical_id_of(reference: Any) -> str | None:
    """The logical id named by an unresolved ``!Ref X`` / ``!GetAtt X.Attr``, else None."""
    if isinstance(reference, dict) and len(reference) == 1:
        ((key, argument),) = reference.items()
        if key == "Ref" and isinstance(argument, str):
            return argument
        if key == "Fn::GetAtt":
            return argument.split(".", 1)[0] if isinstance(argument, str) else str(argument[0])
    return None


def iter_statements(policies: Iterable[Any]) -> Iterable[Mapping[str, Any]]:
    """The IAM statements written out in a function's ``Policies`` (inline documents)."""
    for policy in policies:
        if isinstance(policy, dict) and "Statement" in policy:
            statements = policy["Statement"]
            yield from (statements if isinstance(statements, list) else [statements])
