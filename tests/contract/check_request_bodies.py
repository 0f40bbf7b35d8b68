"""Checks what the client sent (tests/tests/request_bodies.rs writes it, one JSON line per
request) against the requestBody schemas of core/api/portale.yaml. Schemathesis checks the
sandbox's answers; this checks the app's questions, with the spec as the only judge.

    python check_request_bodies.py SPEC BODIES.jsonl
Exits 1 listing every body that does not match its schema, or a route/content type the spec does
not document. It first proves on itself that a wrong body is caught.
"""

import json
import re
import sys
from urllib.parse import parse_qsl

import jsonschema_rs
import yaml


def resolve(node, spec):
    """The schema with every local $ref replaced by what it points to."""
    if isinstance(node, dict):
        if "$ref" in node and len(node) == 1:
            target = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return resolve(target, spec)
        return {key: resolve(value, spec) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(value, spec) for value in node]
    return node


def schema_for(spec, method, route, content_type):
    operation = spec["paths"].get(route, {}).get(method.lower())
    if operation is None or "requestBody" not in operation:
        return None
    media = operation["requestBody"]["content"].get(content_type.split(";")[0].strip())
    return None if media is None else resolve(media["schema"], spec)


def decode(content_type, body):
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(body, keep_blank_values=True, strict_parsing=False))
    return json.loads(body)


def problems(spec, requests):
    found = []
    for request in requests:
        content_type = request.get("content_type") or ""
        schema = schema_for(spec, request["method"], request["route"], content_type)
        where = f'{request["method"]} {request["route"]} ({content_type})'
        if schema is None:
            found.append(f"{where}: no requestBody of this type in the spec")
            continue
        try:
            value = decode(content_type, request["body"])
        except ValueError as error:
            found.append(f"{where}: not decodable: {error}")
            continue
        validator = jsonschema_rs.Draft202012Validator(schema)
        for error in validator.iter_errors(value):
            path = "/".join(str(p) for p in error.instance_path) or "(body)"
            found.append(f"{where}: {path}: {error.message}")
    return found


def main():
    spec_path, bodies_path = sys.argv[1], sys.argv[2]
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    with open(bodies_path, encoding="utf-8") as f:
        requests = [json.loads(line) for line in f if line.strip()]
    if not requests:
        sys.exit("request bodies: none recorded")
    # The check must be able to fail: a create without its items is not a valid body.
    wrong = {
        "method": "POST",
        "route": "/api/v1/ricariche",
        "content_type": "application/json",
        "body": json.dumps({"mode": "online", "payer_email": "a@b.it"}),
    }
    if not problems(spec, [wrong]):
        sys.exit("request bodies: the checker accepted a body without items")
    found = problems(spec, requests)
    for problem in found:
        print(f"request bodies: {problem}")
    routes = sorted({f'{r["method"]} {r["route"]}' for r in requests})
    print(f"request bodies: {len(requests)} checked ({', '.join(routes)}), {len(found)} not matching")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
