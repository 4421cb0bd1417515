// Renovate's offline OSV matcher (@renovatebot/osv-offline-db) on the world
// that benches/index.rs writes: the same all.zip files, the same fleet.txt.
//
// Feeding: Renovate's database is one `<ecosystem>.nedb` file per ecosystem,
// one OSV record per line, which renovatebot/osv-offline's publishing job
// writes from OSV's all.zip exports; this script does the same with adm-zip
// (the zip library @renovatebot/osv-offline uses). OsvOfflineDb then indexes
// a file on the first query of its ecosystem (a scan recording each
// package's line offsets) and answers query(ecosystem, name) by reading and
// parsing every record of the package. Versions are then evaluated the way
// Renovate's vulnerability worker does it, per OSV's event rules, with the
// version libraries Renovate uses (semver, @renovatebot/pep440,
// @renovatebot/ruby-semver); Maven and Packagist, whose Renovate versioning
// is internal to Renovate, use semver's coercion: an approximation.
//
// Usage: node renovate.mjs WORLD_DIR [SBOMS]   (SBOMS: how many of fleet.txt)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import semver from 'semver';
import * as pep440 from '@renovatebot/pep440';
import * as ruby from '@renovatebot/ruby-semver';

const [world, sbomsArg] = process.argv.slice(2);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'osv-offline-'));
// Read when the module loads, so it must be set before the import below.
process.env.OSV_OFFLINE_ROOT_DIR = root;
const { OsvOfflineDb } = await import('@renovatebot/osv-offline-db');

// The ecosystems OsvOfflineDb can answer for: its purl comparison knows no others.
const COVERED = ['npm', 'PyPI', 'Maven', 'Go', 'crates.io', 'NuGet', 'RubyGems', 'Packagist'];

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

let start = process.hrtime.bigint();
let records = 0;
for (const ecosystem of COVERED) {
  const zipPath = path.join(world, ecosystem, 'all.zip');
  if (!fs.existsSync(zipPath)) continue;
  const out = fs.openSync(path.join(root, `${ecosystem.toLowerCase()}.nedb`), 'w');
  let lines = [];
  for (const entry of new AdmZip(zipPath).getEntries()) {
    lines.push(JSON.stringify(JSON.parse(entry.getData().toString('utf8'))));
    records += 1;
    if (lines.length === 1000) {
      fs.writeSync(out, lines.join('\n') + '\n');
      lines = [];
    }
  }
  if (lines.length) fs.writeSync(out, lines.join('\n') + '\n');
  fs.closeSync(out);
}
const feed = seconds(start);

const db = OsvOfflineDb.create();
start = process.hrtime.bigint();
for (const ecosystem of COVERED) await db.query(ecosystem, '');
const index = seconds(start);
console.log(
  `renovate build: ${records} records (${COVERED.join(', ')}): feed (inflate, parse, write .nedb) ${feed.toFixed(2)} s, ` +
    `index ${index.toFixed(2)} s, together ${(records / (feed + index)).toFixed(0)} records/s; ` +
    `rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
);

function coerced(v) {
  return semver.valid(v, { loose: true }) ?? semver.coerce(v, { includePrerelease: true })?.version;
}

function semverCompare(a, b) {
  const [x, y] = [coerced(a), coerced(b)];
  if (!x || !y) return null;
  return semver.compare(x, y, { loose: true });
}

function rubyCompare(a, b) {
  if (!ruby.valid(a) || !ruby.valid(b)) return null;
  return ruby.eq(a, b) ? 0 : ruby.lt(a, b) ? -1 : 1;
}

function pep440Compare(a, b) {
  if (!pep440.valid(a) || !pep440.valid(b)) return null;
  return pep440.compare(a, b);
}

const COMPARE = { PyPI: pep440Compare, RubyGems: rubyCompare };

// OSV's evaluation: events sorted by version ("0" first), introduced opens,
// fixed closes, last_affected closes after itself, below some limit.
function rangeAffects(events, version, cmp) {
  const limits = events.filter((e) => 'limit' in e).map((e) => e.limit);
  if (limits.length && !limits.some((l) => l === '*' || cmp(version, l) < 0)) return false;
  const sorted = events
    .filter((e) => !('limit' in e))
    .map((e) => ({ kind: Object.keys(e)[0], v: Object.values(e)[0] }))
    .sort((a, b) => (a.v === '0' ? -1 : b.v === '0' ? 1 : (cmp(a.v, b.v) ?? 0)));
  let vulnerable = false;
  for (const { kind, v } of sorted) {
    const c = v === '0' ? 1 : cmp(version, v);
    if (c === null) return false;
    if (kind === 'introduced' && c >= 0) vulnerable = true;
    else if (kind === 'fixed' && c >= 0) vulnerable = false;
    else if (kind === 'last_affected' && c > 0) vulnerable = false;
  }
  return vulnerable;
}

function affects(affected, ecosystem, version) {
  const cmp = COMPARE[ecosystem] ?? semverCompare;
  if (affected.versions?.includes(version)) return true;
  return (affected.ranges ?? []).some(
    (r) => (r.type === 'SEMVER' || r.type === 'ECOSYSTEM') && rangeAffects(r.events, version, cmp),
  );
}

const TYPES = {
  npm: ['npm', '/'],
  pypi: ['PyPI', null],
  maven: ['Maven', ':'],
  golang: ['Go', '/'],
  cargo: ['crates.io', null],
  nuget: ['NuGet', null],
  gem: ['RubyGems', null],
  composer: ['Packagist', '/'],
};

function fromPurl(purl) {
  const body = purl.slice(4).split('?')[0];
  const at = body.lastIndexOf('@');
  const version = decodeURIComponent(body.slice(at + 1));
  const parts = body.slice(0, at).split('/').map(decodeURIComponent);
  const [ecosystem, separator] = TYPES[parts[0]] ?? [];
  if (!ecosystem) return null;
  const name = parts.length > 2 ? parts.slice(1, -1).join('/') + separator + parts.at(-1) : parts[1];
  return { ecosystem, name, version };
}

const fleet = fs.readFileSync(path.join(world, 'fleet.txt'), 'utf8').trim().split('\n');
const sboms = Math.min(Number(sbomsArg ?? fleet.length), fleet.length);
start = process.hrtime.bigint();
let matches = 0;
let components = 0;
let covered = 0;
for (const line of fleet.slice(0, sboms)) {
  for (const purl of line.split(' ')) {
    components += 1;
    const component = fromPurl(purl);
    if (!component) continue;
    covered += 1;
    const advisories = await db.query(component.ecosystem, component.name);
    for (const advisory of advisories) {
      const hit = advisory.affected.some(
        (a) =>
          a.package?.name === component.name &&
          a.package.ecosystem === component.ecosystem &&
          affects(a, component.ecosystem, component.version),
      );
      if (hit) matches += 1;
    }
  }
}
const matching = seconds(start);
console.log(
  `renovate match: ${sboms} SBOMs, ${components} components (${covered} in covered ecosystems), ` +
    `${matches} advisory matches, ${matching.toFixed(2)} s = ${(matching / sboms).toFixed(4)} s per SBOM; ` +
    `rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
);
db[Symbol.dispose]();
fs.rmSync(root, { recursive: true, force: true });
