"""Reduce one OpenAPI operation (by operationId) to flat, comparable "facts".

A fact is a dotted name and a plain value, e.g. ``request.ids.items.maxLength -> 64``.
Names: ``operation.*``, ``param.<in>.<name>.*``, ``request.*`` (body schema),
``response.<status>`` (media types) and ``response.<2xx>.*`` (body schema), ``error.*``
(body schemas of every other status, merged), ``security`` and ``security.<scheme>.*``.

Normalisation, so that equal meanings give equal facts:
- ``$ref`` is followed and ``allOf`` merged, later parts overriding earlier ones (which is
  how Cloudflare's envelopes are meant to be read); a schema that refers back to one of its
  ancestors gives a single ``.recursive`` fact;
- OpenAPI 3.0 and 3.1 agree: ``nullable: true`` and ``type: [x, 'null']`` both give
  ``nullable -> true``; ``const: x`` and ``enum: [x]`` both give ``enum -> [x]`` (with the type
  inferred when absent); ``enum: [null]`` gives ``type -> null``; 3.0's boolean
  ``exclusiveMinimum`` becomes 3.1's number;
- defaults and no-ops are dropped: ``additionalProperties: true``, ``readOnly: false``, and
  keywords that do not apply to the schema's type (``minLength`` on an array);
- descriptions, examples, tags and ``x-`` extensions are not facts.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

# get_by_ids: the default where one operation is meant.
OPERATION_ID = "vectorize-get-vectors-by-id"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

Facts = dict[str, Any]
# A value parsed from JSON or YAML: its shape is checked where it is used.
Json = Any

# Keywords kept as facts, in report order; the others only guide the walk or are prose.
KEYWORDS = (
    "type", "nullable", "enum", "format", "pattern", "minLength", "maxLength",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
    "additionalProperties", "readOnly", "writeOnly", "default",
)  # fmt: skip
# Keywords that only mean something for one type: validators ignore them elsewhere.
APPLIES_TO = {
    "string": {"minLength", "maxLength", "pattern", "format"},
    "array": {"minItems", "maxItems", "uniqueItems"},
    "object": {"minProperties", "maxProperties", "additionalProperties"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"},
}
APPLIES_TO["integer"] = APPLIES_TO["number"] | {"format"}
APPLIES_TO["number"] = APPLIES_TO["number"] | {"format"}
SCHEME_FIELDS = ("type", "scheme", "bearerFormat", "in", "name", "openIdConnectUrl")


class SpecError(Exception):
    """The document cannot be read, or the operation is not in it."""


def load_document(path: Path) -> dict[str, Any]:
    """Read an OpenAPI document: JSON or YAML, gzipped or not (detected from the bytes)."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: {exc}") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        # The C loader reads a several-MB document in seconds rather than a minute.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            doc = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader either way
        except yaml.YAMLError as exc:
            raise SpecError(f"{path}: neither JSON nor YAML: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise SpecError(f"{path}: not an OpenAPI document (no `paths`)")
    return doc


def same(a: object, b: object) -> bool:
    """Equal as JSON values (so that `true` and `1` differ)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


class _Document:
    """One OpenAPI document, with ``$ref`` resolution and ``allOf`` merging."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def pointer(self, ref: str) -> Json:
        if not ref.startswith("#/"):
            raise SpecError(f"only local $ref are supported, not {ref!r}")
        node: Any = self.data
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or key not in node:
                raise SpecError(f"dangling $ref {ref!r}")
            node = node[key]
        return node

    def resolve(self, node: Json) -> Json:
        """Follow a chain of ``$ref`` (for objects that are not schemas)."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and "$ref" in node:
            if node["$ref"] in seen:
                raise SpecError(f"$ref loop at {node['$ref']!r}")
            seen.add(node["$ref"])
            node = self.pointer(node["$ref"])
        return node

    def flatten(
        self, schema: Json, stack: frozenset[str] = frozenset()
    ) -> tuple[dict[str, Any], frozenset[str]]:
        """Return the schema with top-level ``$ref``/``allOf`` merged, and the refs used."""
        if not isinstance(schema, Mapping):
            return {}, frozenset()
        parts: list[Any] = []
        used: frozenset[str] = frozenset()
        if "$ref" in schema:
            ref = schema["$ref"]
            if ref in stack:
                raise SpecError(f"schema {ref!r} is its own allOf part")
            target, inner = self.flatten(self.pointer(ref), stack | {ref})
            parts.append(target)
            used |= inner | {ref}
        for part in schema.get("allOf", ()):
            flat, inner = self.flatten(part, stack)
            parts.append(flat)
            used |= inner
        own = {k: v for k, v in schema.items() if k not in {"$ref", "allOf", "const"}}
        if "const" in schema:  # 3.1's const is 3.0's one-value enum; a later part overrides it
            own["enum"] = [schema["const"]]
        parts.append(own)
        merged: dict[str, Any] = {}
        for part in parts:
            merged = _merge(merged, part)
        return merged, used


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Merge two flattened schemas, ``over`` winning; nested schemas merge lazily via allOf."""
    out = dict(base)
    for key, value in over.items():
        if key == "required":
            out[key] = list(dict.fromkeys([*out.get(key, []), *value]))
        elif key == "properties" and key in out:
            props = dict(out[key])
            for name, sub in value.items():
                props[name] = {"allOf": [props[name], sub]} if name in props else sub
            out[key] = props
        elif key == "items" and key in out:
            out[key] = {"allOf": [out[key], value]}
        else:
            out[key] = value
    return out


def _normalise(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the fact keywords of a flattened schema, spelled one way for 3.0 and 3.1."""
    out = {k: flat[k] for k in KEYWORDS if k in flat}
    kind = out.get("type")
    if isinstance(kind, list):
        if "null" in kind and len(kind) > 1:
            out["nullable"] = True
        kinds = [k for k in kind if k != "null"] or ["null"]
        out["type"] = kinds[0] if len(kinds) == 1 else " | ".join(sorted(kinds))
    if out.get("enum") == [None]:
        out["type"] = "null"
        del out["enum"]
        out.pop("nullable", None)
    elif "enum" in out and "type" not in out:
        out["type"] = _json_type(out["enum"])
    for flag in ("nullable", "readOnly", "writeOnly", "uniqueItems"):
        if out.get(flag) is False:
            del out[flag]
    if out.get("additionalProperties") is True or isinstance(
        out.get("additionalProperties"), Mapping
    ):
        del out["additionalProperties"]  # true is the default; a schema is walked instead
    return _drop_inapplicable(_exclusive_bounds_as_numbers(out))


def _exclusive_bounds_as_numbers(out: dict[str, Any]) -> dict[str, Any]:
    """3.0's ``minimum: 5, exclusiveMinimum: true`` is 3.1's ``exclusiveMinimum: 5``."""
    for bound in ("Minimum", "Maximum"):
        if out.get(f"exclusive{bound}") is True and bound.lower() in out:
            out[f"exclusive{bound}"] = out.pop(bound.lower())
        elif out.get(f"exclusive{bound}") is False:
            del out[f"exclusive{bound}"]
    return out


def _drop_inapplicable(out: dict[str, Any]) -> dict[str, Any]:
    """Drop keywords that validators ignore for the schema's type (``minLength`` on arrays)."""
    applicable = APPLIES_TO.get(out.get("type", ""))
    if applicable is not None:
        for keys in APPLIES_TO.values():
            for key in keys - applicable:
                out.pop(key, None)
    return out


def _json_type(values: Iterable[Any]) -> str:
    names = {
        "boolean" if isinstance(v, bool) else
        "integer" if isinstance(v, int) else
        "number" if isinstance(v, float) else
        "string" if isinstance(v, str) else
        "null" if v is None else "object"
        for v in values
    }  # fmt: skip
    return " | ".join(sorted(names))


class _FactWalker:
    def __init__(self, doc: _Document) -> None:
        self.doc = doc
        self.facts: Facts = {}

    def schema(self, schema: Json, prefix: str, ancestors: frozenset[str] = frozenset()) -> None:
        flat, refs = self.doc.flatten(schema)
        if refs & ancestors:
            self.facts[f"{prefix}.recursive"] = True
            return
        ancestors |= refs
        for key, value in _normalise(flat).items():
            self.facts[f"{prefix}.{key}"] = value
        for name in flat.get("required", ()):
            self.facts[f"{prefix}.{name}.required"] = True
        for name, sub in flat.get("properties", {}).items():
            self.schema(sub, f"{prefix}.{name}", ancestors)
        if "items" in flat:
            self.schema(flat["items"], f"{prefix}.items", ancestors)
        if isinstance(flat.get("additionalProperties"), Mapping):
            self.schema(flat["additionalProperties"], f"{prefix}.additionalProperties", ancestors)
        for key in ("anyOf", "oneOf"):
            choices = [self.doc.flatten(choice)[0] for choice in flat.get(key, ())]
            if not choices:
                continue
            kinds = [str(_normalise(c).get("type", "any")) for c in choices]
            self.facts[f"{prefix}.{key}"] = " | ".join(kinds)
            for i, choice in enumerate(flat[key]):
                if {"properties", "items", "anyOf", "oneOf"} & choices[i].keys():
                    self.schema(choice, f"{prefix}.{key}.{i}", ancestors)


def _operations(data: Mapping[str, Any]) -> Iterator[tuple[str, str, Json, Mapping[str, Any]]]:
    """Yield path, method, path item and operation of each operation, in document order."""
    doc = _Document(dict(data))
    for path, path_item in data["paths"].items():
        item = doc.resolve(path_item)
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, Mapping):
                yield path, method, item, op


def operation_ids(data: Mapping[str, Any]) -> list[str]:
    """Return the operationIds of a document, in document order."""
    ids = (op.get("operationId") for _, _, _, op in _operations(data))
    return [operation_id for operation_id in ids if isinstance(operation_id, str)]


def find_operation(
    data: Mapping[str, Any], operation_id: str = OPERATION_ID
) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """Return path, method, path item and operation of ``operation_id``."""
    for path, method, item, op in _operations(data):
        if op.get("operationId") == operation_id:
            return path, method, item, dict(op)
    raise SpecError(f"no operation with operationId {operation_id!r}")


def operation_facts(data: dict[str, Any], operation_id: str = OPERATION_ID) -> Facts:
    """Every fact of ``operation_id`` that matters to a client, from a whole document."""
    doc = _Document(data)
    path, method, item, op = find_operation(data, operation_id)
    walker = _FactWalker(doc)
    facts = walker.facts
    facts["operation.path"] = path
    facts["operation.method"] = method

    params = {}
    for declared in [*item.get("parameters", ()), *op.get("parameters", ())]:
        param = doc.resolve(declared)
        params[(param["in"], param["name"])] = param  # the operation's override the item's
    for (where, name), param in params.items():
        prefix = f"param.{where}.{name}"
        facts[f"{prefix}.required"] = bool(param.get("required", False))
        walker.schema(param.get("schema", {}), prefix)

    body = doc.resolve(op.get("requestBody"))
    if body:
        facts["request.required"] = bool(body.get("required", False))
        facts["request.content"] = sorted(body.get("content", {}))
        walker.schema(_json_schema(body), "request")

    error_facts: dict[str, dict[str, Any]] = {}
    for code, declared in op.get("responses", {}).items():
        status = str(code)  # YAML reads an unquoted 200 as a number
        response = doc.resolve(declared)
        facts[f"response.{status}"] = sorted(response.get("content", {})) or "no content"
        if status.startswith("2"):
            walker.schema(_json_schema(response), f"response.{status}")
        else:
            errors = _FactWalker(doc)
            errors.schema(_json_schema(response), "error")
            for key, value in errors.facts.items():
                error_facts.setdefault(key, {})[status] = value
    for key, by_status in error_facts.items():
        values = list(by_status.values())
        agree = all(same(v, values[0]) for v in values)
        facts[key] = values[0] if agree else by_status  # disagreeing error bodies: say where

    facts.update(_security_facts(doc, op))
    return dict(sorted(facts.items()))


def _json_schema(holder: Mapping[str, Any]) -> Json:
    content = holder.get("content", {})
    media: Mapping[str, Any] = content.get("application/json") or next(iter(content.values()), {})
    return media.get("schema", {})


def _security_facts(doc: _Document, op: Mapping[str, Any]) -> Facts:
    requirements = op.get("security", doc.data.get("security", []))
    facts: Facts = {"security": sorted("+".join(sorted(req)) or "none" for req in requirements)}
    schemes = doc.data.get("components", {}).get("securitySchemes", {})
    for name in sorted({name for req in requirements for name in req}):
        scheme = doc.resolve(schemes.get(name, {}))
        if not scheme:
            facts[f"security.{name}.type"] = "undefined"
        for field in SCHEME_FIELDS:
            if field in scheme:
                value = scheme[field]
                # HTTP auth scheme names are case-insensitive.
                facts[f"security.{name}.{field}"] = value.lower() if field == "scheme" else value
    return facts
