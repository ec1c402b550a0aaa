#!/usr/bin/env python3
"""Writes fields-8.11.json, what reader/tests/ecs_schema_test.cc checks the
ECS format against, from Elastic Common Schema's generated/ecs/ecs_flat.yml
at tag v8.11.0 (https://github.com/elastic/ecs, Apache License 2.0, see
LICENSE.txt here):

    git -C ecs show v8.11.0:generated/ecs/ecs_flat.yml >ecs_flat.yml
    tests/data/ecs/extract.py ecs_flat.yml >tests/data/ecs/fields-8.11.json

Kept: every field of the field sets the reader writes into, with its type,
whether it is an array, and the allowed values (and, for event.category,
the event.type values each one expects)."""
import json
import sys

import yaml

FIELD_SETS = ("@timestamp", "ecs.", "event.", "source.", "destination.",
              "network.", "process.", "user.", "host.", "log.", "container.")


def main():
    flat = yaml.safe_load(open(sys.argv[1]))
    out = {}
    for name, field in sorted(flat.items()):
        if not name.startswith(FIELD_SETS):
            continue
        entry = {"type": field["type"]}
        if "array" in (field.get("normalize") or []):
            entry["array"] = True
        allowed = field.get("allowed_values")
        if allowed:
            entry["allowed"] = {
                a["name"]: a.get("expected_event_types", []) for a in allowed}
        out[name] = entry
    json.dump({"ecs_version": "8.11.0", "fields": out}, sys.stdout,
              indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
