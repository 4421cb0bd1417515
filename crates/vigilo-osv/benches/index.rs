//! Index build and fleet matching at OSV scale.
//!
//! The copied real advisories (999 distinct records of every shape: GHSA, PYSEC,
//! GO, RUSTSEC, OSV.dev API answers with `versions` lists, Debian, Alpine)
//! are replicated into an `all.zip` of `VIGILO_OSV_BENCH_RECORDS` records
//! (default 200,000), each copy with its own id and package names, so that
//! every package carries as many advisories as in the real data (dozens for
//! the likes of jackson-databind). The archive is written once under
//! `target/tmp`.
//!
//! * `build_index`: `load` (inflate and parse on all cores) and
//!   `Index::build`; items are records.
//! * `query_fleet`: 1,000 SBOMs of 400 components each against the index;
//!   a quarter of the components are packages with advisories, at the
//!   versions their advisories' events name, the rest packages without any.
//!
//! Before the benchmarks, one build is measured for wall time and resident
//! memory, which divan does not report.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use serde_json::Value;
use vigilo_osv::{Advisory, Index, load};
use vigilo_purl::Purl;

const SBOMS: usize = 1_000;
const COMPONENTS: usize = 400;

fn records_wanted() -> usize {
    std::env::var("VIGILO_OSV_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000)
}

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
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
    // The same record can sit in two source folders; an archive holds it once.
    records.dedup_by(|a, b| a["id"] == b["id"]);
    records
}

/// `target/tmp/osv-bench-N.zip`, written on first use.
fn archive() -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        let wanted = records_wanted();
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("osv-bench-{wanted}.zip"));
        if path.exists() {
            return path;
        }
        let originals = originals();
        let partial = path.with_extension("partial");
        let mut zip = zip::ZipWriter::new(fs::File::create(&partial).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(6));
        for n in 0..wanted {
            let copy = n / originals.len();
            let mut record = originals[n % originals.len()].clone();
            let id = format!("{}-{copy}", record["id"].as_str().unwrap());
            record["id"] = id.clone().into();
            if let Some(entries) = record["affected"].as_array_mut() {
                for entry in entries {
                    if let Some(name) = entry["package"]["name"].as_str() {
                        entry["package"]["name"] = format!("{name}{copy}").into();
                    }
                }
            }
            zip.start_file(format!("{id}.json"), options).unwrap();
            zip.write_all(&serde_json::to_vec_pretty(&record).unwrap())
                .unwrap();
        }
        zip.finish().unwrap();
        fs::rename(&partial, &path).unwrap();
        path
    })
}

fn build() -> Index {
    let records = load(archive()).unwrap();
    Index::build(records.into_iter().map(|(_, advisory)| advisory).collect())
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build)
}

/// A purl naming `name` of `ecosystem` (as OSV spells both) at `version`.
fn purl(ecosystem: &str, name: &str, version: &str) -> Option<Purl> {
    let (ty, namespace, name) = match ecosystem.split(':').next().unwrap() {
        "npm" => match name.rsplit_once('/') {
            Some((scope, name)) => ("npm", Some(scope), name),
            None => ("npm", None, name),
        },
        "Maven" => {
            let (group, artifact) = name.split_once(':')?;
            ("maven", Some(group), artifact)
        }
        "Go" => {
            let (module, last) = name.rsplit_once('/')?;
            ("golang", Some(module), last)
        }
        "Packagist" => {
            let (vendor, name) = name.split_once('/')?;
            ("composer", Some(vendor), name)
        }
        "PyPI" => ("pypi", None, name),
        "crates.io" => ("cargo", None, name),
        "RubyGems" => ("gem", None, name),
        "NuGet" => ("nuget", None, name),
        "Debian" => ("deb", Some("debian"), name),
        "Alpine" => ("apk", Some("alpine"), name),
        _ => return None,
    };
    Some(Purl {
        ty: ty.to_owned(),
        namespace: namespace.map(str::to_owned),
        name: name.to_owned(),
        version: Some(version.to_owned()),
        qualifiers: BTreeMap::new(),
        subpath: None,
    })
}

/// Deterministic pseudo-random numbers (a 64-bit LCG), so every run
/// queries the same fleet.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Components with advisories: every (package, version) that an advisory's
/// events name, so that queries land on the edges of ranges, where old
/// versions match many advisories of their package and fixed ones fewer.
fn candidates(advisories: &[Advisory]) -> Vec<Purl> {
    let mut found = Vec::new();
    for advisory in advisories {
        for affected in &advisory.affected {
            let Some(package) = &affected.package else {
                continue;
            };
            let events = affected
                .ranges
                .iter()
                .filter(|r| r.kind.is_ordered())
                .flat_map(|r| &r.events);
            let versions = events
                .map(|event| event.version())
                .filter(|v| *v != "0" && !v.contains('*'));
            found.extend(versions.filter_map(|v| purl(&package.ecosystem, &package.name, v)));
        }
    }
    found
}

fn fleet() -> &'static Vec<Vec<Purl>> {
    static FLEET: OnceLock<Vec<Vec<Purl>>> = OnceLock::new();
    FLEET.get_or_init(|| {
        let affected = candidates(index().advisories());
        let mut random = Lcg(42);
        (0..SBOMS)
            .map(|_| {
                (0..COMPONENTS)
                    .map(|c| {
                        if c % 4 == 0 {
                            affected[random.below(affected.len())].clone()
                        } else {
                            let n = random.below(50_000);
                            purl("npm", &format!("no-advisories-{n}"), "1.2.3").unwrap()
                        }
                    })
                    .collect()
            })
            .collect()
    })
}

fn resident_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let archive = archive();
    let before = resident_kib().unwrap_or(0);
    let started = Instant::now();
    let index = index();
    let elapsed = started.elapsed();
    let after = resident_kib().unwrap_or(0);
    println!(
        "one build: {} records from {} ({} MiB zip) in {:.2} s = {:.0} records/s; \
         resident memory grew by {} MiB",
        index.len(),
        archive.display(),
        fs::metadata(archive).unwrap().len() >> 20,
        elapsed.as_secs_f64(),
        index.len() as f64 / elapsed.as_secs_f64(),
        (after.saturating_sub(before)) >> 10,
    );
    let fleet = fleet();
    let started = Instant::now();
    let matches: usize = fleet
        .iter()
        .flatten()
        .map(|component| index.query(component).len())
        .sum();
    println!(
        "one fleet pass: {} SBOMs x {COMPONENTS} components, {matches} matches ({:.1} per SBOM), {:.2} s",
        fleet.len(),
        matches as f64 / fleet.len() as f64,
        started.elapsed().as_secs_f64(),
    );
    divan::main();
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn build_index(bencher: divan::Bencher) {
    let records = index().len();
    bencher
        .counter(divan::counter::ItemsCount::new(records))
        .bench(build);
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn query_fleet(bencher: divan::Bencher) {
    let index = index();
    let fleet = fleet();
    bencher
        .counter(divan::counter::ItemsCount::new(SBOMS * COMPONENTS))
        .bench(|| {
            let mut matches = 0;
            for sbom in fleet {
                for component in sbom {
                    matches += index.query(component).len();
                }
            }
            divan::black_box(matches)
        });
}
