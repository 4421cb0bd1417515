//! Reading OSV records from files, directory trees and zip archives.

use std::fs;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::Deserialize;
use zip::ZipArchive;
use zip::read::ZipFileEntry;

use crate::error::Format;
use crate::{Advisory, OsvError, par};

/// Parses one OSV record in JSON.
///
/// # Errors
///
/// [`OsvError::Record`] with the line and column of the first problem.
pub fn parse_json(bytes: &[u8]) -> Result<Advisory, OsvError> {
    parse(Format::Json, bytes)
}

/// Parses one OSV record in YAML, as some databases keep them (e.g. PyPA's).
/// Unquoted scalars such as `versions: [1.0]` keep their text.
///
/// # Errors
///
/// [`OsvError::Record`] with the line and column of the first problem; the
/// message also gives the field path when the problem is in a value.
pub fn parse_yaml(bytes: &[u8]) -> Result<Advisory, OsvError> {
    parse(Format::Yaml, bytes)
}

/// Parses one record into `T`: an [`Advisory`], or what the index reads of
/// one.
pub(crate) fn parse<'a, T: Deserialize<'a>>(
    format: Format,
    bytes: &'a [u8],
) -> Result<T, OsvError> {
    // serde reads a struct from a list of its fields in declaration order too; an OSV record
    // is an object, and `["X-1", "2024-01-01T00:00:00Z"]` must not pass for one.
    if let Some((line, column)) = top_level_list(format, bytes) {
        return Err(record_error(
            format,
            line,
            column,
            &"expected an OSV record (an object of fields), found a list",
        ));
    }
    match format {
        Format::Json => match simdutf8::basic::from_utf8(bytes) {
            Ok(text) => serde_json::from_str(text),
            // serde_json names the line and column of the first bad byte.
            Err(_) => serde_json::from_slice(bytes),
        }
        .map_err(|error| record_error(format, error.line(), error.column(), &error)),
        Format::Yaml => serde_norway::from_slice(bytes).map_err(|error| {
            let (line, column) = error
                .location()
                .map_or((0, 0), |at| (at.line(), at.column()));
            record_error(format, line, column, &error)
        }),
    }
}

/// The 1-based line and column where the document's top level opens a list, if it does.
///
/// Reads bytes, not text: this runs on every record of a half-million-record build, and only
/// ASCII decides it (whitespace, `[`, `-`, `#`, `%`); the column counts bytes, which equal
/// characters in the leading whitespace before it.
fn top_level_list(format: Format, bytes: &[u8]) -> Option<(usize, usize)> {
    for (n, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let body = match format {
            Format::Json => line,
            // Comments, directives and the document marker come before the content.
            Format::Yaml if line.starts_with(b"#") || line.starts_with(b"%") => continue,
            Format::Yaml => line.strip_prefix(b"---").unwrap_or(line),
        };
        let content = body.trim_ascii_start();
        if content.is_empty() {
            continue;
        }
        let column = line.len() - content.len() + 1;
        let list = match format {
            Format::Json => content.starts_with(b"["),
            Format::Yaml => {
                content.starts_with(b"[")
                    || content.trim_ascii_end() == b"-"
                    || content.starts_with(b"- ")
            }
        };
        return list.then_some((n + 1, column));
    }
    None
}

fn record_error(
    format: Format,
    line: usize,
    column: usize,
    error: &dyn std::fmt::Display,
) -> OsvError {
    let message = error.to_string();
    // Both parsers append the position the error variant already carries.
    let message = match message.rsplit_once(" at line ") {
        Some((text, position)) if position.starts_with(|c: char| c.is_ascii_digit()) => {
            text.to_owned()
        }
        _ => message,
    };
    OsvError::Record {
        origin: None,
        format,
        line,
        column,
        message,
    }
}

/// What a file is, judged by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Record(Format),
    Zip,
}

fn kind_of(name: &str) -> Option<Kind> {
    let (_, extension) = name.rsplit_once('.')?;
    match extension.to_ascii_lowercase().as_str() {
        "json" => Some(Kind::Record(Format::Json)),
        "yaml" | "yml" => Some(Kind::Record(Format::Yaml)),
        "zip" => Some(Kind::Zip),
        _ => None,
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Reads every OSV record under `path`, each with the name of its source.
///
/// * A file holds one record, JSON or YAML by its extension (`.json`,
///   `.yaml`, `.yml`) or, failing that, by its content; a `.zip` file (or one
///   that starts like a zip archive) is read as an archive.
/// * An archive, such as OSV's per-ecosystem `all.zip`, contributes its
///   `.json`, `.yaml` and `.yml` entries, named `archive.zip:ENTRY`.
/// * A directory contributes, recursively, its record files (in path order)
///   and then its archives (in path order). Other files, such as licences and
///   READMEs, and entries whose names start with `.` are not records and are
///   passed over.
///
/// Records are read and parsed on all cores.
///
/// # Errors
///
/// The first bad record (in the order above) fails the whole load, naming its
/// source and position; so does an unreadable file, directory or archive.
pub fn load(path: &Path) -> Result<Vec<(String, Advisory)>, OsvError> {
    read(path, |format, bytes, source| {
        Ok((source.to_string(), parse(format, bytes)?))
    })
}

/// Reads the records under `path` as [`load`] does, making each into what
/// `record` makes of its bytes and source.
pub(crate) fn read<T: Send>(path: &Path, record: impl Record<T>) -> Result<Vec<T>, OsvError> {
    let metadata = fs::metadata(path).map_err(|error| OsvError::read(path.display(), error))?;
    if metadata.is_dir() {
        return load_tree(path, record);
    }
    let name = path.display().to_string();
    let named = path
        .file_name()
        .and_then(|file| kind_of(&file.to_string_lossy()));
    if named == Some(Kind::Zip) {
        return load_zip(path, &name, &record);
    }
    let bytes = fs::read(path).map_err(|error| OsvError::read(&name, error))?;
    match named.unwrap_or_else(|| sniff(&bytes)) {
        Kind::Zip => load_zip(path, &name, &record),
        Kind::Record(format) => Ok(vec![made(&record, format, &bytes, Source::File(&name))?]),
    }
}

/// Makes one record's bytes into a `T`.
pub(crate) trait Record<T>:
    Fn(Format, &[u8], Source<'_>) -> Result<T, OsvError> + Sync
{
}

impl<T, F: Fn(Format, &[u8], Source<'_>) -> Result<T, OsvError> + Sync> Record<T> for F {}

/// Where a record was read from, spelled only when wanted: the index reads half a million
/// archive entries and keeps none of their names.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source<'a> {
    File(&'a str),
    Entry { archive: &'a str, entry: &'a str },
}

impl std::fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(name) => f.write_str(name),
            Source::Entry { archive, entry } => write!(f, "{archive}:{entry}"),
        }
    }
}

/// `record` applied to one record, its error naming the source.
fn made<T>(
    record: &impl Record<T>,
    format: Format,
    bytes: &[u8],
    source: Source<'_>,
) -> Result<T, OsvError> {
    record(format, bytes, source).map_err(|error| error.in_record(&source.to_string()))
}

fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(ZIP_MAGIC) {
        Kind::Zip
    } else if bytes.trim_ascii_start().starts_with(b"{") {
        Kind::Record(Format::Json)
    } else {
        Kind::Record(Format::Yaml)
    }
}

fn load_tree<T: Send>(root: &Path, record: impl Record<T>) -> Result<Vec<T>, OsvError> {
    let mut records = Vec::new();
    let mut archives = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let listing = fs::read_dir(&dir).map_err(|error| OsvError::read(dir.display(), error))?;
        for entry in listing {
            let path = entry
                .map_err(|error| OsvError::read(dir.display(), error))?
                .path();
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned());
            let Some(name) = name.filter(|name| !name.starts_with('.')) else {
                continue;
            };
            if path.is_dir() {
                pending.push(path);
            } else {
                match kind_of(&name) {
                    Some(Kind::Record(format)) => records.push((path, format)),
                    Some(Kind::Zip) => archives.push(path),
                    None => {}
                }
            }
        }
    }
    records.sort_by(|(a, _), (b, _)| a.cmp(b));
    archives.sort();
    let files = par::map_ordered(
        &records,
        || (),
        |(), (path, format)| {
            let name = path.display().to_string();
            let bytes = fs::read(path).map_err(|error| OsvError::read(&name, error))?;
            made(&record, *format, &bytes, Source::File(&name))
        },
    )?;
    let mut parts = vec![files];
    for archive in &archives {
        parts.push(load_zip(archive, &archive.display().to_string(), &record)?);
    }
    Ok(par::concat(parts))
}

/// The largest record an archive entry may declare: far above any real OSV
/// record, far below what a corrupt size field could make us allocate.
const MAX_RECORD: u64 = 256 << 20;

/// How much of an archive a worker reads at once: some sixty entries of OSV's size, so that
/// the entries a worker claims in a row, which lie one after the other in the archive, cost one
/// read between them.
const WINDOW: u64 = 64 << 10;

/// Reads the archive's records on all cores, each worker reading the entries it claims from
/// the file into a window of its own: holding the whole archive in memory instead (npm's
/// `all.zip` is 150 MiB) was a quarter of an index build's freshly touched memory, and its
/// read kept every other core idle.
fn load_zip<T: Send>(path: &Path, name: &str, record: &impl Record<T>) -> Result<Vec<T>, OsvError> {
    let zip_error = |origin: &dyn std::fmt::Display, error: zip::result::ZipError| OsvError::Zip {
        origin: origin.to_string(),
        message: error.to_string(),
    };
    let file = fs::File::open(path).map_err(|error| OsvError::read(name, error))?;
    let archive = ZipArchive::new(BufReader::new(file)).map_err(|error| zip_error(&name, error))?;
    let mut entries = Vec::new();
    let mut starts = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let entry = archive
            .by_index_data(index)
            .map_err(|error| zip_error(&name, error))?;
        starts.push(entry.header_start());
        let entry = entry.name().map_err(|error| zip_error(&name, error))?;
        if let Some(Kind::Record(format)) = kind_of(&entry) {
            entries.push((index, format));
        }
    }
    starts.sort_unstable();
    let directory = archive.central_directory_start();
    // An entry's bytes end, at the latest, where the next entry or the central directory begins.
    let end_of = |start: u64| {
        starts
            .get(starts.partition_point(|s| *s <= start))
            .copied()
            .unwrap_or(directory)
    };
    par::map_ordered(
        &entries,
        || (Window::default(), Inflater::default()),
        |(window, inflater), &(index, format)| {
            let file = archive
                .by_index_data(index)
                .map_err(|error| zip_error(&name, error))?;
            let entry = file.name().map_err(|error| zip_error(&name, error))?;
            let source = Source::Entry {
                archive: name,
                entry: &entry,
            };
            let start = file.header_start();
            let span = window
                .read(path, start, end_of(start), directory)
                .map_err(|error| OsvError::read(source, error))?;
            let inflated = local_data(span, file.compressed_size())
                .and_then(|raw| inflater.inflate(&file, raw))
                .map_err(|message| OsvError::Zip {
                    origin: source.to_string(),
                    message,
                })?;
            made(record, format, inflated, source)
        },
    )
}

/// A worker's view of an archive: its own file handle and the bytes it last read.
#[derive(Default)]
struct Window {
    file: Option<fs::File>,
    bytes: Vec<u8>,
    at: u64,
}

impl Window {
    /// The archive's bytes `start..end`, read (with what follows them, up to the central
    /// directory at `stop`) unless the window holds them already.
    fn read(&mut self, path: &Path, start: u64, end: u64, stop: u64) -> io::Result<&[u8]> {
        let length = end.saturating_sub(start);
        let held = start >= self.at && start + length <= self.at + self.bytes.len() as u64;
        if !held {
            let file = match &mut self.file {
                Some(file) => file,
                None => self.file.insert(fs::File::open(path)?),
            };
            file.seek(SeekFrom::Start(start))?;
            self.bytes.clear();
            let wanted = length.max(WINDOW.min(stop.saturating_sub(start)));
            file.take(wanted).read_to_end(&mut self.bytes)?;
            self.at = start;
            if (self.bytes.len() as u64) < length {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the archive ends inside the entry at byte {start}"),
                ));
            }
        }
        let from = usize::try_from(start - self.at).unwrap_or(usize::MAX);
        let to = usize::try_from(length).map_or(usize::MAX, |length| from.saturating_add(length));
        self.bytes
            .get(from..to)
            .ok_or_else(|| io::Error::other("an entry larger than memory"))
    }
}

/// The compressed bytes of the entry whose local header opens `span`. Read here rather than
/// through `zip`, whose reader would seek to and read every entry's header from the file: the
/// header is 30 fixed bytes, then the name and the extra field whose lengths it gives at
/// offsets 26 and 28 (APPNOTE.TXT 4.3.7).
fn local_data(span: &[u8], compressed: u64) -> Result<&[u8], String> {
    let header = span
        .get(..30)
        .filter(|header| header.starts_with(ZIP_MAGIC))
        .ok_or("no local file header where the central directory points")?;
    let name = usize::from(u16::from_le_bytes([header[26], header[27]]));
    let extra = usize::from(u16::from_le_bytes([header[28], header[29]]));
    let start = 30 + name + extra;
    usize::try_from(compressed)
        .ok()
        .and_then(|length| span.get(start..start.checked_add(length)?))
        .ok_or_else(|| format!("the entry's {compressed} compressed bytes run into the next entry"))
}

/// Inflates archive entries with one decompressor and one buffer reused per
/// thread. Reading entries through `zip`'s own reader allocates and zeroes some 70 KiB
/// of decompressor state per entry; interleaved with the parsed records' small
/// allocations, that fragments the heap so badly that the process holds several
/// times the records' size. libdeflate rather than zlib: OSV's entries are small
/// streams with tables of their own, which it builds faster, and the declared
/// size lets it inflate in one call.
#[derive(Default)]
struct Inflater {
    state: Option<libdeflater::Decompressor>,
    out: Vec<u8>,
}

impl Inflater {
    fn inflate<'a>(
        &'a mut self,
        file: &ZipFileEntry<'_>,
        raw: &'a [u8],
    ) -> Result<&'a [u8], String> {
        if file.encrypted() {
            return Err("encrypted entries are not supported".to_owned());
        }
        let size = file.size();
        if size > MAX_RECORD {
            return Err(format!(
                "entry declares {size} bytes, more than any OSV record"
            ));
        }
        let crc = file.crc32();
        let inflated = match file.compression() {
            zip::CompressionMethod::Stored => raw,
            zip::CompressionMethod::Deflated => {
                let state = self
                    .state
                    .get_or_insert_with(libdeflater::Decompressor::new);
                // `size` is at most MAX_RECORD, so this fits in usize.
                self.out.resize(usize::try_from(size).unwrap_or(0), 0);
                let short =
                    || format!("deflate data does not inflate to the declared {size} bytes");
                let inflated = match state.deflate_decompress(raw, &mut self.out) {
                    Ok(inflated) => inflated,
                    Err(libdeflater::DecompressionError::InsufficientSpace) => return Err(short()),
                    Err(error) => return Err(format!("corrupt deflate data: {error}")),
                };
                if inflated as u64 != size {
                    return Err(short());
                }
                &self.out
            }
            other => return Err(format!("unsupported compression method {other}")),
        };
        if crc32fast::hash(inflated) != crc {
            return Err("CRC-32 mismatch: the entry is corrupt".to_owned());
        }
        Ok(inflated)
    }
}
