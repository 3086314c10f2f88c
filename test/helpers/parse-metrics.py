"""Reads a Prometheus text (0.0.4) or OpenMetrics document on stdin with the official Python
client's parsers (Debian's python3-prometheus-client) and prints its families as JSON.

Usage: parse-metrics.py prometheus|openmetrics < document

Input that is not UTF-8, or that the parser refuses, exits 1 with the reason on stderr. Values
are printed as repr(float) strings ('0.5', 'nan', 'inf'), which JSON has no numbers for."""
import json
import sys


def main() -> int:
    fmt = sys.argv[1]
    try:
        text = sys.stdin.buffer.read().decode('utf-8')
        if fmt == 'openmetrics':
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
        else:
            from prometheus_client.parser import text_string_to_metric_families
        families = []
        for family in text_string_to_metric_families(text):
            families.append({
                'name': family.name,
                'type': family.type,
                'unit': family.unit,
                'help': family.documentation,
                'samples': [
                    {'name': sample.name, 'labels': sample.labels, 'value': repr(float(sample.value)), 'timestamp': sample.timestamp is not None}
                    for sample in family.samples
                ],
            })
    except Exception as error:  # the parser's own exception types differ between versions
        print(f'{type(error).__name__}: {error}', file=sys.stderr)
        return 1
    json.dump(families, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == '__main__':
    sys.exit(main())
