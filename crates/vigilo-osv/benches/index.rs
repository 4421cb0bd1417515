//! Advisory matching at OSV scale (issue 6): index build, fleet re-match, and
//! one new advisory traced to its software versions and devices.
//!
//! # The synthetic world
//!
//! Written once under `target/tmp/osv-world-N/` (N is `VIGILO_OSV_BENCH_RECORDS`,
//! default 500,000), laid out like OSV's bulk export: one `<Ecosystem>/all.zip`
//! per ecosystem, one pretty-printed JSON record per entry. `fleet.txt` beside
//! them holds the SBOMs, one a line, purls separated by spaces, so that
//! `benches/compare/` runs other matchers on the very same files.
//!
//! * The ecosystem mix follows the real exports' proportions ([`MIX`]): npm
//!   the largest and mostly malicious-package reports, then Debian, Alpine,
//!   PyPI, Maven, Go, Packagist, crates.io, NuGet, RubyGems.
//! * Malicious-package records are generated in the shape of OpenSSF's `MAL-`
//!   records: one package of its own, one `SEMVER` range `introduced: "0"`.
//! * Every other record is a copy of a real record from `tests/data/advisories`
//!   of the same ecosystem (or, where those are few, of an ecosystem whose
//!   version strings the target ecosystem parses the same: crates.io and Go
//!   semver for npm, NuGet, RubyGems and Packagist), with its own id and its
//!   packages renamed; ranges, versions and every other field stay as the
//!   real record has them. Copies whose versions the target ecosystem cannot
//!   parse are not used.
//! * Package popularity is heavy-tailed: a copy's package is, half the time,
//!   any of the ecosystem's N package names (N = its non-malicious records)
//!   and, the other half, rank `floor(N^u) - 1`, u uniform, which draws rank k
//!   about 1/(k ln N) of the time: a few packages get thousands of advisories,
//!   most packages that get any get one to three.
//! * 1,000 SBOMs of 400 components, drawn by [`SBOM_MIX`] (an embedded Linux
//!   base plus application packages). 30% of components are packages with
//!   advisories, picked in proportion to their advisory counts (each package
//!   at most once per SBOM, so the most popular are in nearly all), at a version
//!   one of the package's advisories names (introduced, fixed, last affected
//!   or listed: affected and unaffected versions on the edges of ranges); the
//!   rest are packages without advisories.
//!
//! # What is measured
//!
//! `main` prints the targets before divan runs: build rate
//! (`Index::load`: zip inflate, JSON parse and indexing on all cores; and,
//! once, `load` into whole records then `Index::build`), resident memory, the full re-match of the fleet on all cores (with
//! `Index::query_many`, and component by component with `Index::query`), and
//! the time from one new advisory (as JSON) to the owners and devices it
//! affects.
//!
//! `VIGILO_OSV_BENCH_BUILDS=N` builds the index N times (default 3) and, when
//! set, stops there: so that a profiler (`perf record`, `valgrind
//! --tool=callgrind`, whose instruction counts do not move with the host's load)
//! sees the build alone.

/// The allocator the `vigilo` binary runs with, so that build time and
/// resident memory are those the index has in the product.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write as _};
use std::num::NonZero;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vigilo_osv::{Advisory, Index, Inventory, load, parse_json};
use vigilo_purl::Purl;
use vigilo_versions::Ecosystem;

const SBOMS: usize = 1_000;
const COMPONENTS: usize = 400;
/// Owners are software versions; each runs on this many devices at most.
const MAX_DEVICES_PER_OWNER: usize = 500;
const NEW_ADVISORIES: usize = 20_000;

/// Each ecosystem's share of all records and, of its own records, the share
/// that are malicious-package reports: roughly OSV's per-ecosystem export
/// counts of 2025 as remembered (npm ~215k, of them ~195k `MAL-`; Debian and
/// Alpine next), since the exports cannot be fetched here.
const MIX: [(&str, f64, f64); 10] = [
    ("npm", 0.430, 0.907),
    ("Debian", 0.240, 0.0),
    ("Alpine", 0.140, 0.0),
    ("PyPI", 0.060, 0.40),
    ("Maven", 0.040, 0.0),
    ("Go", 0.034, 0.0),
    ("Packagist", 0.022, 0.0),
    ("crates.io", 0.012, 0.0),
    ("NuGet", 0.012, 0.0),
    ("RubyGems", 0.010, 0.0),
];

/// Where each ecosystem's copies come from: its own real records first.
fn template_sources(ecosystem: &str) -> &'static [&'static str] {
    match ecosystem {
        "npm" => &["npm", "crates.io", "Go"],
        "NuGet" => &["NuGet", "crates.io", "Go"],
        "RubyGems" => &["RubyGems", "crates.io"],
        "Packagist" => &["Packagist", "crates.io"],
        "Debian" => &["Debian"],
        "Alpine" => &["Alpine"],
        "PyPI" => &["PyPI"],
        "Maven" => &["Maven"],
        "Go" => &["Go"],
        _ => &["crates.io"],
    }
}

/// An SBOM component's ecosystem, by share.
const SBOM_MIX: [(&str, f64); 10] = [
    ("Debian", 0.40),
    ("npm", 0.25),
    ("PyPI", 0.10),
    ("Maven", 0.08),
    ("Go", 0.05),
    ("Alpine", 0.04),
    ("crates.io", 0.03),
    ("NuGet", 0.02),
    ("Packagist", 0.02),
    ("RubyGems", 0.01),
];
const ADVISORY_PACKAGE_SHARE: f64 = 0.30;

fn records_wanted() -> usize {
    std::env::var("VIGILO_OSV_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500_000)
}

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Deterministic pseudo-random numbers (a 64-bit LCG), so every run builds
/// the same world.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 53) as f64
    }

    /// Rank of a heavy-tailed draw among `n`: half the draws are uniform
    /// (the long tail of packages with one to three advisories), half come
    /// at rank k about 1/(k ln n) of the time (the few with thousands).
    fn popular(&mut self, n: usize) -> usize {
        if self.unit() < 0.5 {
            return self.below(n);
        }
        let rank = (n as f64).powf(self.unit()).floor() as usize;
        rank.clamp(1, n) - 1
    }

    fn pick<'a, T>(&mut self, weighted: &'a [(T, f64)]) -> &'a T {
        let mut u = self.unit();
        for (item, weight) in weighted {
            if u < *weight {
                return item;
            }
            u -= weight;
        }
        &weighted[weighted.len() - 1].0
    }
}

/// The real records as their source JSON (YAML records converted), so that
/// copies keep every field the parser must skip.
fn originals() -> Vec<Value> {
    let mut records = Vec::new();
    let mut pending = vec![data().join("advisories")];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.to_string_lossy().into_owned();
            if path.is_dir() {
                pending.push(path);
            } else if name.ends_with(".json") {
                records.push(serde_json::from_slice(&fs::read(&path).unwrap()).unwrap());
            } else if name.ends_with(".yaml") {
                records.push(serde_norway::from_slice(&fs::read(&path).unwrap()).unwrap());
            }
        }
    }
    let zeppelin = data().join("advisories/osv-scalibr-zeppelin/vulnerabilities.json.zip");
    let mut archive = zip::ZipArchive::new(fs::File::open(zeppelin).unwrap()).unwrap();
    let response: Value = serde_json::from_reader(archive.by_index(0).unwrap()).unwrap();
    records.extend(response["vulns"].as_array().unwrap().iter().cloned());
    records.sort_by_key(|record| record["id"].as_str().unwrap().to_owned());
    records.dedup_by(|a, b| a["id"] == b["id"]);
    records
}

fn base(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or(ecosystem)
}

/// Whether every affected entry of `record` names a package of `source`
/// whose event and listed versions all parse in `target`.
fn fits(record: &Value, source: &str, target: Ecosystem) -> bool {
    if record.get("withdrawn").is_some_and(|w| !w.is_null()) {
        return false;
    }
    let Some(entries) = record["affected"].as_array().filter(|e| !e.is_empty()) else {
        return false;
    };
    entries.iter().all(|entry| {
        let ecosystem = entry["package"]["ecosystem"].as_str().unwrap_or_default();
        // Drupal's records live in a Packagist registry of their own.
        if base(ecosystem) != source || ecosystem.contains("drupal") {
            return false;
        }
        versions_of(entry)
            .iter()
            .all(|v| vigilo_versions::parse(target, v).is_ok())
    })
}

/// The name of package `rank` of an ecosystem, in its usual shape.
fn package_name(ecosystem: &str, rank: usize) -> String {
    match ecosystem {
        "npm" if rank.is_multiple_of(5) => format!("@scope{}/pkg-{rank}", rank % 97),
        "Maven" => format!("org.example{}:artifact-{rank}", rank % 89),
        "Go" => format!("github.com/org{}/mod-{rank}", rank % 89),
        "Packagist" => format!("vendor{}/pkg-{rank}", rank % 89),
        _ => format!("pkg-{rank}"),
    }
}

/// The `purl` field OSV.dev writes into a record's package (Renovate's
/// matcher compares it).
fn package_purl(ecosystem: &str, name: &str) -> String {
    match base(ecosystem) {
        "npm" => format!("pkg:npm/{}", name.replace('@', "%40")),
        "Maven" => format!("pkg:maven/{}", name.replacen(':', "/", 1)),
        "Go" => format!("pkg:golang/{name}"),
        "Packagist" => format!("pkg:composer/{name}"),
        "PyPI" => format!("pkg:pypi/{name}"),
        "crates.io" => format!("pkg:cargo/{name}"),
        "RubyGems" => format!("pkg:gem/{name}"),
        "NuGet" => format!("pkg:nuget/{name}"),
        "Debian" => format!("pkg:deb/debian/{name}?arch=source"),
        _ => format!("pkg:apk/alpine/{name}?arch=source"),
    }
}

/// A purl naming `name` of `ecosystem` (as OSV spells both) at `version`,
/// with the `distro` qualifier of the entry's release.
fn component(ecosystem: &str, name: &str, version: &str) -> Purl {
    let (ty, namespace, name) = match base(ecosystem) {
        "npm" => match name.rsplit_once('/') {
            Some((scope, name)) => ("npm", Some(scope), name),
            None => ("npm", None, name),
        },
        "Maven" => {
            let (group, artifact) = name.split_once(':').unwrap();
            ("maven", Some(group), artifact)
        }
        "Go" => {
            let (module, last) = name.rsplit_once('/').unwrap();
            ("golang", Some(module), last)
        }
        "Packagist" => {
            let (vendor, name) = name.split_once('/').unwrap();
            ("composer", Some(vendor), name)
        }
        "PyPI" => ("pypi", None, name),
        "crates.io" => ("cargo", None, name),
        "RubyGems" => ("gem", None, name),
        "NuGet" => ("nuget", None, name),
        "Debian" => ("deb", Some("debian"), name),
        _ => ("apk", Some("alpine"), name),
    };
    let mut qualifiers = BTreeMap::new();
    match ecosystem.split_once(':') {
        Some(("Debian", release)) => {
            qualifiers.insert("distro".to_owned(), format!("debian-{release}"));
        }
        Some(("Alpine", release)) => {
            let release = release.trim_start_matches('v');
            qualifiers.insert("distro".to_owned(), format!("alpine-{release}"));
        }
        _ => {}
    }
    Purl {
        ty: ty.to_owned(),
        namespace: namespace.map(str::to_owned),
        name: name.to_owned(),
        version: Some(version.to_owned()),
        qualifiers,
        subpath: None,
    }
}

fn malicious(ecosystem: &str, n: usize) -> Value {
    let name = format!("mal-{n}");
    json!({
        "modified": "2025-06-01T12:00:00Z",
        "published": "2025-06-01T11:00:00Z",
        "schema_version": "1.5.0",
        "id": format!("MAL-2025-{n}"),
        "summary": format!("Malicious code in {name} ({ecosystem})"),
        "details": "\n---\n_-= Per source details. Do not edit below this line.=-_\n\n\
            ## Source: ossf-package-analysis\nThe package was found to exfiltrate \
            environment variables and credentials on installation.\n",
        "affected": [{
            "package": {"ecosystem": ecosystem, "name": name, "purl": package_purl(ecosystem, &name)},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}],
            "database_specific": {"source": format!("https://github.com/ossf/malicious-packages/blob/main/osv/malicious/{ecosystem}/{name}/MAL-2025-{n}.json")}
        }],
        "database_specific": {"malicious-packages-origins": [{
            "source": "ossf-package-analysis",
            "sha256": format!("{:064x}", n),
            "import_time": "2025-06-01T11:30:00Z",
            "versions": ["1.0.0"]
        }]}
    })
}

/// A package with advisories, as the fleet draws it: one entry per copied
/// record, so popular packages are drawn as often as they have advisories.
struct Vulnerable {
    ecosystem: String,
    name: String,
    versions: Vec<String>,
}

/// A copy of `template` for `target`, its packages renamed to popular draws.
fn copy(template: &Value, target: &str, id: String, names: &mut dyn FnMut() -> String) -> Value {
    let mut record = template.clone();
    record["id"] = id.into();
    let mut renamed: HashMap<String, String> = HashMap::new();
    for entry in record["affected"].as_array_mut().unwrap() {
        let ecosystem = entry["package"]["ecosystem"].as_str().unwrap().to_owned();
        let ecosystem = match ecosystem.split_once(':') {
            Some((_, release)) if base(&ecosystem) == target => format!("{target}:{release}"),
            _ => target.to_owned(),
        };
        let original = entry["package"]["name"].as_str().unwrap().to_owned();
        let name = renamed.entry(original).or_insert_with(&mut *names).clone();
        entry["package"]["purl"] = package_purl(&ecosystem, &name).into();
        entry["package"]["name"] = name.into();
        entry["package"]["ecosystem"] = ecosystem.into();
    }
    record
}

/// The versions an affected entry names (events and list), but `0` and `*`.
fn versions_of(entry: &Value) -> Vec<String> {
    let ranges = entry["ranges"].as_array().into_iter().flatten();
    let events = ranges
        .flat_map(|range| range["events"].as_array().into_iter().flatten())
        .filter_map(|event| event.as_object()?.values().next()?.as_str());
    let listed = entry["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    events
        .chain(listed)
        .filter(|v| *v != "0" && !v.contains('*'))
        .map(str::to_owned)
        .collect()
}

/// `target/tmp/osv-world-N/`, written on first use.
fn world() -> &'static Path {
    static WORLD: OnceLock<PathBuf> = OnceLock::new();
    WORLD.get_or_init(|| {
        let wanted = records_wanted();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("osv-world-{wanted}"));
        if dir.join("fleet.txt").exists() {
            return dir;
        }
        let started = Instant::now();
        let originals = originals();
        let mut random = Lcg(42);
        let mut vulnerable: HashMap<&str, Vec<Vulnerable>> = HashMap::new();
        let mut serial = 0;
        for (ecosystem, share, malicious_share) in MIX {
            let records = (wanted as f64 * share).round() as usize;
            let malicious_records = (records as f64 * malicious_share).round() as usize;
            let target: Ecosystem = ecosystem.parse().unwrap();
            let templates: Vec<&Value> = template_sources(ecosystem)
                .iter()
                .flat_map(|source| originals.iter().filter(|r| fits(r, source, target)))
                .collect();
            assert!(!templates.is_empty(), "no template fits {ecosystem}");
            fs::create_dir_all(dir.join(ecosystem)).unwrap();
            let path = dir.join(ecosystem).join("all.zip");
            let mut zip = zip::ZipWriter::new(BufWriter::new(fs::File::create(&path).unwrap()));
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .compression_level(Some(6));
            let packages = (records - malicious_records).max(1);
            let drawn = vulnerable.entry(ecosystem).or_default();
            for n in 0..records {
                serial += 1;
                let record = if n < malicious_records {
                    malicious(ecosystem, serial)
                } else {
                    let template = templates[random.below(templates.len())];
                    let id = format!("{}-{serial}", template["id"].as_str().unwrap());
                    let mut names = || package_name(ecosystem, random.popular(packages));
                    let record = copy(template, ecosystem, id, &mut names);
                    for entry in record["affected"].as_array().unwrap() {
                        drawn.push(Vulnerable {
                            ecosystem: entry["package"]["ecosystem"].as_str().unwrap().to_owned(),
                            name: entry["package"]["name"].as_str().unwrap().to_owned(),
                            versions: versions_of(entry),
                        });
                    }
                    record
                };
                let id = record["id"].as_str().unwrap();
                zip.start_file(format!("{id}.json"), options).unwrap();
                zip.write_all(&serde_json::to_vec_pretty(&record).unwrap())
                    .unwrap();
            }
            zip.finish().unwrap();
        }
        let mut fleet = String::new();
        for _ in 0..SBOMS {
            let mut listed = HashSet::new();
            for c in 0..COMPONENTS {
                let ecosystem = *random.pick(&SBOM_MIX);
                let drawn = &vulnerable[ecosystem];
                let package = (random.unit() < ADVISORY_PACKAGE_SHARE)
                    .then(|| {
                        // Redraws keep the share close when popular packages are taken.
                        (0..20)
                            .map(|_| &drawn[random.below(drawn.len())])
                            .find(|package| listed.insert(package.name.as_str()))
                    })
                    .flatten();
                let purl = if let Some(package) = package {
                    let version = match package.versions.len() {
                        0 => "1.0.0",
                        n => &package.versions[random.below(n)],
                    };
                    component(&package.ecosystem, &package.name, version)
                } else {
                    let name = package_name(ecosystem, 10_000_000 + random.below(20_000));
                    let version = match ecosystem {
                        "Debian" => "1.2.3-1",
                        "Alpine" => "1.2.3-r0",
                        _ => "1.2.3",
                    };
                    component(ecosystem, &name, version)
                };
                let separator = if c == 0 { "" } else { " " };
                write!(fleet, "{separator}{purl}").unwrap();
            }
            fleet.push('\n');
        }
        fs::write(dir.join("fleet.txt"), fleet).unwrap();
        println!(
            "wrote {wanted} records and {SBOMS} SBOMs to {} in {:.1} s",
            dir.display(),
            started.elapsed().as_secs_f64()
        );
        dir
    })
}

fn build() -> Index {
    Index::load(world()).unwrap()
}

fn fleet() -> &'static Vec<Vec<Purl>> {
    static FLEET: OnceLock<Vec<Vec<Purl>>> = OnceLock::new();
    FLEET.get_or_init(|| {
        fs::read_to_string(world().join("fleet.txt"))
            .unwrap()
            .lines()
            .map(|sbom| sbom.split(' ').map(|purl| purl.parse().unwrap()).collect())
            .collect()
    })
}

/// A full re-match of the fleet, returning the number of matches.
type Pass = fn(&Index, &[Vec<Purl>]) -> usize;

/// Matches the whole fleet with `Index::query_many`; returns the number of
/// matches, counted per SBOM component.
fn rematch_many(index: &Index, fleet: &[Vec<Purl>]) -> usize {
    let reports = index.query_many(fleet.iter().flatten());
    reports.iter().map(|report| report.matches.len()).sum()
}

/// Matches every SBOM component by component on all cores; returns the
/// number of matches.
fn rematch(index: &Index, fleet: &[Vec<Purl>]) -> usize {
    let next = AtomicUsize::new(0);
    let workers = thread::available_parallelism().map_or(1, NonZero::get);
    let work = || {
        let mut matches = 0;
        while let Some(sbom) = fleet.get(next.fetch_add(1, Relaxed)) {
            matches += sbom
                .iter()
                .map(|component| index.query(component).len())
                .sum::<usize>();
        }
        matches
    };
    thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        work()
            + helpers
                .into_iter()
                .map(|h| h.join().unwrap())
                .sum::<usize>()
    })
}

/// The fleet's components, each owned by its SBOM (a software version), and
/// each software version's devices.
struct Installed {
    inventory: Inventory<u32>,
    devices: Vec<Vec<u32>>,
}

fn installed() -> &'static Installed {
    static INSTALLED: OnceLock<Installed> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let mut inventory = Inventory::new();
        for (owner, sbom) in fleet().iter().enumerate() {
            for purl in sbom {
                inventory.insert(purl, owner as u32).unwrap();
            }
        }
        let mut random = Lcg(7);
        let mut next_device = 0;
        let devices = (0..SBOMS)
            .map(|_| {
                let count = random.popular(MAX_DEVICES_PER_OWNER) + 1;
                let ids = (next_device..next_device + count as u32).collect();
                next_device += count as u32;
                ids
            })
            .collect();
        Installed { inventory, devices }
    })
}

/// A new advisory as it arrives (OSV JSON) to the software versions and
/// devices it affects.
fn trace(installed: &Installed, json: &[u8]) -> (usize, Vec<u32>) {
    let advisory = parse_json(json).unwrap();
    let owners = installed.inventory.affected_by(&advisory);
    let mut devices = Vec::new();
    for owner in &owners {
        devices.extend_from_slice(&installed.devices[**owner as usize]);
    }
    (owners.len(), devices)
}

/// Advisories of the world, re-encoded as they would arrive one by one.
fn arrivals(advisories: &[Advisory]) -> Vec<Vec<u8>> {
    let mut random = Lcg(11);
    (0..NEW_ADVISORIES)
        .map(|_| serde_json::to_vec(&advisories[random.below(advisories.len())]).unwrap())
        .collect()
}

/// The arrivals main prints timings for, kept for divan.
static ARRIVALS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();

fn status_kib(field: &str) -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// What no index build can avoid, on one thread: inflating every entry of the
/// world's zips, and then also reading each inflated record as JSON while keeping
/// nothing (`serde::de::IgnoredAny`). Their CPU per record bounds the build rate
/// two cores can reach, whatever the index does with the records.
fn floor() {
    let mut entries = 0usize;
    let (mut inflating, mut parsing) = (Duration::ZERO, Duration::ZERO);
    let mut decompressor = libdeflater::Decompressor::new();
    let (mut raw, mut out) = (Vec::new(), Vec::new());
    for (ecosystem, _, _) in MIX {
        let bytes = fs::read(world().join(ecosystem).join("all.zip")).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).unwrap();
        for index in 0..archive.len() {
            let started = Instant::now();
            let mut file = archive.by_index_raw(index).unwrap();
            raw.clear();
            std::io::Read::read_to_end(&mut file, &mut raw).unwrap();
            out.resize(usize::try_from(file.size()).unwrap(), 0);
            decompressor.deflate_decompress(&raw, &mut out).unwrap();
            let inflated = started.elapsed();
            serde_json::from_slice::<serde::de::IgnoredAny>(&out).unwrap();
            parsing += started.elapsed() - inflated;
            inflating += inflated;
            entries += 1;
        }
    }
    let per_record = |d: Duration| d.as_secs_f64() * 1e6 / entries as f64;
    println!(
        "floor on one thread: inflating {entries} entries {:.1} us each, reading them as JSON \
         (IgnoredAny) {:.1} us more: at most {:.0} records/s on two cores for these two alone",
        per_record(inflating),
        per_record(parsing),
        2e6 / (per_record(inflating) + per_record(parsing)),
    );
}

/// The process's CPU time (user and system, all threads) in seconds: with
/// other work on the machine, wall time alone says little.
fn cpu_seconds() -> f64 {
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: Vec<f64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse().ok())
        .collect();
    // Linux reports these in USER_HZ, 100 on every architecture Rust targets here.
    ticks.iter().sum::<f64>() / 100.0
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let at = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[at].as_secs_f64() * 1e6
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build)
}

fn main() {
    let world = world();
    let zipped: u64 = MIX
        .iter()
        .filter_map(|(ecosystem, _, _)| fs::metadata(world.join(ecosystem).join("all.zip")).ok())
        .map(|m| m.len())
        .sum();
    let rss_before = status_kib("VmRSS:");
    let builds = std::env::var("VIGILO_OSV_BENCH_BUILDS")
        .ok()
        .map(|n| n.parse().expect("VIGILO_OSV_BENCH_BUILDS is a number"));
    for run in 1..=builds.unwrap_or(3) {
        let started = Instant::now();
        let cpu = cpu_seconds();
        let index = build();
        let elapsed = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu;
        println!(
            "build {run}: {} records from {} ({} MiB of zips) in {elapsed:.2} s = {:.0} records/s \
             ({cpu:.1} CPU s, {:.0} records per CPU s); resident {} MiB (+{} MiB), peak {} MiB",
            index.len(),
            world.display(),
            zipped >> 20,
            index.len() as f64 / elapsed,
            index.len() as f64 / cpu,
            status_kib("VmRSS:") >> 10,
            status_kib("VmRSS:").saturating_sub(rss_before) >> 10,
            status_kib("VmHWM:") >> 10,
        );
    }
    floor();
    if builds.is_some() {
        return;
    }
    let index = index();
    let fleet = fleet();
    // The whole records, as the store imports them: for the world's shape,
    // the new advisories, and the full-record build path.
    let started = Instant::now();
    let cpu = cpu_seconds();
    let records: Vec<Advisory> = load(world).unwrap().into_iter().map(|(_, a)| a).collect();
    let loaded = started.elapsed().as_secs_f64();
    let load_cpu = cpu_seconds() - cpu;
    let vulnerable_packages = {
        let mut per_package: HashMap<(&str, &str), usize> = HashMap::new();
        for advisory in &records {
            let named: HashSet<_> = advisory
                .affected
                .iter()
                .filter_map(|affected| affected.package.as_ref())
                .map(|p| (base(&p.ecosystem), p.name.as_str()))
                .collect();
            for package in named {
                *per_package.entry(package).or_default() += 1;
            }
        }
        let mut counts: Vec<usize> = per_package.into_values().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        counts
    };
    let arrivals = ARRIVALS.get_or_init(|| arrivals(&records));
    let started = Instant::now();
    let cpu = cpu_seconds();
    let count = records.len();
    drop(Index::build(records));
    let built = started.elapsed().as_secs_f64();
    let cpu = load_cpu + cpu_seconds() - cpu;
    println!(
        "load into whole records then Index::build: {count} records in {loaded:.2} s + {built:.2} s \
         = {:.0} records/s ({cpu:.1} CPU s, {:.0} records per CPU s)",
        count as f64 / (loaded + built),
        count as f64 / cpu,
    );
    println!(
        "packages with advisories: {}; most advisories per package: {:?}; \
         packages with 1-3: {:.0}%; over 1,000: {}",
        vulnerable_packages.len(),
        &vulnerable_packages[..5.min(vulnerable_packages.len())],
        100.0 * vulnerable_packages.iter().filter(|c| **c <= 3).count() as f64
            / vulnerable_packages.len() as f64,
        vulnerable_packages.iter().filter(|c| **c > 1_000).count(),
    );
    // The same count as benches/compare/ prints for its first SBOMs: advisories
    // (not affected entries) per component, by ecosystem.
    let checked = std::env::var("VIGILO_OSV_BENCH_CHECK_SBOMS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let mut per_ecosystem: BTreeMap<String, usize> = BTreeMap::new();
    for purl in fleet.iter().take(checked).flatten() {
        let found = index.query_report(purl).per_advisory().len();
        if let Some((ecosystem, _)) = vigilo_osv::osv_package(purl) {
            *per_ecosystem.entry(ecosystem.to_string()).or_default() += found;
        }
    }
    println!(
        "first {checked} SBOMs: {} advisory matches {per_ecosystem:?}",
        per_ecosystem.values().sum::<usize>()
    );
    let passes: [(&str, Pass); 2] = [
        ("query_many", rematch_many),
        ("query per component", rematch),
    ];
    for (how, pass) in passes {
        for run in 1..=3 {
            let started = Instant::now();
            let matches = pass(index, fleet);
            println!(
                "re-match with {how} {run}: {} SBOMs x {COMPONENTS} components, {matches} matches \
                 ({:.1} per SBOM), {:.3} s",
                fleet.len(),
                matches as f64 / fleet.len() as f64,
                started.elapsed().as_secs_f64(),
            );
        }
    }
    let started = Instant::now();
    let installed = installed();
    println!(
        "inventory: {} components of {} software versions on {} devices, built in {:.2} s",
        installed.inventory.len(),
        installed.devices.len(),
        installed.devices.iter().map(Vec::len).sum::<usize>(),
        started.elapsed().as_secs_f64(),
    );
    for run in 1..=2 {
        let mut all = Vec::with_capacity(arrivals.len());
        let mut affecting = Vec::new();
        let mut devices = 0;
        for json in arrivals {
            let started = Instant::now();
            let (owners, found) = trace(installed, json);
            let elapsed = started.elapsed();
            all.push(elapsed);
            if owners > 0 {
                affecting.push(elapsed);
                devices += found.len();
            }
        }
        all.sort_unstable();
        affecting.sort_unstable();
        println!(
            "new advisory {run}: {} advisories (JSON parse, owners, devices): p50 {:.1} us, \
             p99 {:.1} us, max {:.1} us; the {} affecting someone ({:.0} devices each): \
             p50 {:.1} us, p99 {:.1} us, max {:.1} us",
            all.len(),
            percentile(&all, 0.5),
            percentile(&all, 0.99),
            percentile(&all, 1.0),
            affecting.len(),
            devices as f64 / affecting.len().max(1) as f64,
            percentile(&affecting, 0.5),
            percentile(&affecting, 0.99),
            percentile(&affecting, 1.0),
        );
    }
    divan::main();
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn rematch_fleet(bencher: divan::Bencher) {
    let index = index();
    let fleet = fleet();
    bencher
        .counter(divan::counter::ItemsCount::new(SBOMS * COMPONENTS))
        .bench(|| rematch_many(index, fleet));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn new_advisories(bencher: divan::Bencher) {
    let installed = installed();
    let arrivals = ARRIVALS.get().expect("main reads the arrivals first");
    bencher
        .counter(divan::counter::ItemsCount::new(arrivals.len()))
        .bench(|| {
            arrivals
                .iter()
                .map(|json| trace(installed, json).1.len())
                .sum::<usize>()
        });
}
