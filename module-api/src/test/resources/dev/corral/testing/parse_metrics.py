"""Parses Prometheus text format 0.0.4 from stdin with the prometheus_client parser (Debian's
python3-prometheus-client) and prints one line per sample: name, labels (sorted k=v pairs joined by
','), value. Exits 1 with the parser's error if the text does not parse."""
import sys

from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
try:
    for family in text_string_to_metric_families(text):
        print("# %s %s" % (family.name, family.type))
        for sample in family.samples:
            labels = ",".join("%s=%s" % (k, v) for k, v in sorted(sample.labels.items()))
            print("%s\t%s\t%r" % (sample.name, labels, sample.value))
except Exception as e:  # the parser raises ValueError and others for bad input
    print("parse error: %s" % e, file=sys.stderr)
    sys.exit(1)
