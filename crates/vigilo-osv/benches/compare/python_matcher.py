"""A straightforward OSV matcher in Python, on the world benches/index.rs writes.

Loads every <Ecosystem>/all.zip (zipfile inflate, json parse) into a dict from
(ecosystem, folded package name) to affected entries, then matches each
fleet.txt component by walking its package's entries per OSV's evaluation
rules. Versions: PyPI with `packaging` (PEP 440); the other ecosystems with
`univers` (npm, crates.io: semver; Go; NuGet; RubyGems; Packagist: composer;
Maven; Debian; Alpine), each version string parsed once and cached.

Usage: python python_matcher.py WORLD_DIR [SBOMS]
"""

import functools
import json
import re
import resource
import sys
import time
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import unquote

from packaging.version import InvalidVersion, Version
from univers import versions as uv

ECOSYSTEMS = {
    "npm": uv.SemverVersion,
    "crates.io": uv.SemverVersion,
    "Go": uv.GolangVersion,
    "NuGet": uv.NugetVersion,
    "RubyGems": uv.RubygemsVersion,
    "Packagist": uv.ComposerVersion,
    "Maven": uv.MavenVersion,
    "Debian": uv.DebianVersion,
    "Alpine": uv.AlpineLinuxVersion,
    "PyPI": Version,
}
FOLDED = {"PyPI", "crates.io", "NuGet", "Packagist", "Debian", "Alpine"}


def fold(ecosystem, name):
    if ecosystem == "PyPI":
        return re.sub(r"[-_.]+", "-", name).lower()
    if ecosystem == "crates.io":
        return name.replace("_", "-").lower()
    return name.lower() if ecosystem in FOLDED else name


@functools.lru_cache(maxsize=None)
def parse(ecosystem, text):
    try:
        return ECOSYSTEMS[ecosystem](text)
    except (InvalidVersion, ValueError, TypeError, AttributeError):
        return None


def range_affects(ecosystem, events, v):
    limits = [e["limit"] for e in events if "limit" in e]
    if limits and not any(
        limit == "*" or (parse(ecosystem, limit) is not None and v < parse(ecosystem, limit))
        for limit in limits
    ):
        return False
    bounds = []
    for event in events:
        ((kind, text),) = event.items()
        if kind == "limit":
            continue
        if kind == "introduced" and text == "0":
            bounds.append((0, None, kind))
            continue
        parsed = parse(ecosystem, text)
        if parsed is None:
            return False
        bounds.append((1, parsed, kind))
    bounds.sort(key=functools.cmp_to_key(lambda a, b: compare(a, b)))
    vulnerable = False
    for _, bound, kind in bounds:
        if kind == "introduced" and (bound is None or v >= bound):
            vulnerable = True
        elif kind == "fixed" and v >= bound:
            vulnerable = False
        elif kind == "last_affected" and v > bound:
            vulnerable = False
    return vulnerable


def compare(a, b):
    if a[0] != b[0]:
        return a[0] - b[0]
    if a[1] is None or b[1] is None:
        return 0
    return -1 if a[1] < b[1] else (1 if a[1] > b[1] else 0)


def affects(ecosystem, affected, v):
    for listed in affected.get("versions") or []:
        other = parse(ecosystem, listed)
        if other is not None and other == v:
            return True
    return any(
        r.get("type") in ("SEMVER", "ECOSYSTEM") and range_affects(ecosystem, r.get("events", []), v)
        for r in affected.get("ranges") or []
    )


def load(world):
    index = defaultdict(list)
    records = 0
    for path in sorted(Path(world).glob("*/all.zip")):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                record = json.loads(archive.read(name))
                records += 1
                if record.get("withdrawn"):
                    continue
                for affected in record.get("affected") or []:
                    package = affected.get("package") or {}
                    ecosystem, _, release = package.get("ecosystem", "").partition(":")
                    if ecosystem in ECOSYSTEMS:
                        key = (ecosystem, fold(ecosystem, package.get("name", "")))
                        index[key].append((record["id"], release or None, affected))
    return index, records


TYPES = {
    "npm": ("npm", "/"),
    "pypi": ("PyPI", None),
    "maven": ("Maven", ":"),
    "golang": ("Go", "/"),
    "cargo": ("crates.io", None),
    "nuget": ("NuGet", None),
    "gem": ("RubyGems", None),
    "composer": ("Packagist", "/"),
    "deb": ("Debian", None),
    "apk": ("Alpine", None),
}


def component(purl):
    body, _, qualifiers = purl[4:].partition("?")
    at = body.rfind("@")
    version = unquote(body[at + 1 :])
    parts = [unquote(p) for p in body[:at].split("/")]
    ecosystem, separator = TYPES[parts[0]]
    if ecosystem in ("Debian", "Alpine"):
        name = parts[-1]
    elif len(parts) > 2:
        name = "/".join(parts[1:-1]) + separator + parts[-1]
    else:
        name = parts[1]
    release = None
    for qualifier in qualifiers.split("&") if qualifiers else []:
        key, _, value = qualifier.partition("=")
        if key == "distro":
            value = unquote(value)
            if value.startswith("debian-"):
                release = value[len("debian-") :]
            elif value.startswith("alpine-"):
                release = "v" + ".".join(value[len("alpine-") :].split(".")[:2])
    return ecosystem, fold(ecosystem, name), version, release


def main():
    world = sys.argv[1]
    start = time.perf_counter()
    index, records = load(world)
    built = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
    print(
        f"python build: {records} records in {built:.2f} s = {records / built:.0f} records/s; peak rss {rss} MiB"
    )
    fleet = Path(world, "fleet.txt").read_text().split("\n")[:-1]
    sboms = min(int(sys.argv[2]) if len(sys.argv) > 2 else len(fleet), len(fleet))
    start = time.perf_counter()
    matches = Counter()
    for line in fleet[:sboms]:
        for purl in line.split(" "):
            ecosystem, name, version, release = component(purl)
            entries = index.get((ecosystem, name))
            if not entries:
                continue
            v = parse(ecosystem, version)
            if v is None:
                continue
            hit = {
                advisory
                for advisory, entry_release, affected in entries
                if (release is None or entry_release is None or release == entry_release)
                and affects(ecosystem, affected, v)
            }
            matches[ecosystem] += len(hit)
    matched = time.perf_counter() - start
    print(
        f"python match: {sboms} SBOMs, {sum(matches.values())} advisory matches "
        f"{dict(sorted(matches.items()))}, {matched:.2f} s = {matched / sboms:.4f} s per SBOM"
    )


if __name__ == "__main__":
    main()
