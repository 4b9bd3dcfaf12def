#!/usr/bin/python3
"""Checks a scraped /metrics page with the Prometheus client's own parser.

Usage: check_metrics.py SPEC_JSON SERVER METRICS_FILE [--sample NAME LABELS_JSON MIN]...

SPEC_JSON lists, per server ("common" applies to all), the sslpanel_* families
the server exposes: name, type, help text and label names. The page must parse,
every family that is not "optional" must be there with that type, help and
labels (histograms with the latency buckets, or the entry's "buckets"), and no other sslpanel_* family
may appear. Each --sample asks for one series with exactly LABELS_JSON and a
value of at least MIN. Run with Debian's /usr/bin/python3, which has
python3-prometheus-client.
"""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families

LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
                   math.inf]


def family_name(name, kind):
    # The parser names a counter family without its _total suffix.
    return name[: -len("_total")] if kind == "counter" and name.endswith("_total") else name


def check(spec, server, text, samples):
    errors = []
    families = {f.name: f for f in text_string_to_metric_families(text)}
    expected = spec["common"] + spec[server]
    wanted = {family_name(e["name"], e["type"]) for e in expected}
    for name in families:
        if name.startswith("sslpanel_") and name not in wanted:
            errors.append(f"unexpected family {name}")
    for e in expected:
        found = families.get(family_name(e["name"], e["type"]))
        if found is None:
            if not e.get("optional"):
                errors.append(f"missing family {e['name']}")
            continue
        if found.type != e["type"]:
            errors.append(f"{e['name']}: type {found.type}, want {e['type']}")
        if found.documentation != e["help"]:
            errors.append(f"{e['name']}: help {found.documentation!r}, want {e['help']!r}")
        if not found.samples and not e.get("optional"):
            errors.append(f"{e['name']}: no series")
        buckets = {}
        for s in found.samples:
            labels = dict(s.labels)
            if s.name.endswith("_bucket"):
                le = float(labels.pop("le"))
                buckets.setdefault(tuple(sorted(labels.items())), []).append(le)
            if sorted(labels) != sorted(e["labels"]):
                errors.append(f"{s.name}: labels {sorted(labels)}, want {sorted(e['labels'])}")
        if e["type"] == "histogram":
            for series, les in buckets.items():
                want = e["buckets"] + [math.inf] if "buckets" in e else LATENCY_BUCKETS
                if sorted(les) != want:
                    errors.append(f"{e['name']}{dict(series)}: buckets {sorted(les)}")
    for name, labels, minimum in samples:
        values = [s.value for f in families.values() for s in f.samples
                  if s.name == name and s.labels == labels]
        if not values or values[0] < minimum:
            errors.append(f"{name}{labels}: {values or 'absent'}, want at least {minimum}")
    return errors


def main(argv):
    if len(argv) < 4 or (len(argv) - 4) % 4 != 0:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        spec = json.load(f)
    with open(argv[3]) as f:
        text = f.read()
    samples = [(argv[i + 1], json.loads(argv[i + 2]), float(argv[i + 3]))
               for i in range(4, len(argv), 4) if argv[i] == "--sample"]
    errors = check(spec, argv[2], text, samples)
    for error in errors:
        print(f"{argv[2]}: {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
