//! The third-party files the tests read.

use std::fs;
use std::path::{Path, PathBuf};

pub fn data_directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Every copied SBOM file, sorted: all files under `tests/data` but the
/// license texts and `SOURCES.md`.
pub fn data_files() -> Vec<PathBuf> {
    fn collect(directory: &Path, files: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(directory).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy();
            if path.is_dir() {
                collect(&path, files);
            } else if !name.starts_with("LICENSE") && name != "SOURCES.md" {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    collect(&data_directory(), &mut files);
    files.sort();
    files
}
