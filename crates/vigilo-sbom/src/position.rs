use crate::{Position, Sbom, SbomError};

/// Turns byte offsets into the line and character column a person sees.
pub(crate) struct Lines<'a> {
    text: &'a str,
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self { text, starts }
    }

    /// The position of the character at byte `offset` (clamped to the text).
    pub(crate) fn position(&self, offset: usize, path: impl Into<String>) -> Position {
        let offset = self.text.floor_char_boundary(offset);
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        Position {
            line,
            column: self.text[start..offset].chars().count() + 1,
            path: path.into(),
        }
    }

    /// The positions of many offsets, in one pass over the text however
    /// long its lines are (minified SBOMs are a single line).
    fn positions(&self, offsets: &[usize]) -> Vec<(usize, usize)> {
        let mut order: Vec<usize> = (0..offsets.len()).collect();
        order.sort_by_key(|&index| offsets[index]);
        let mut found = vec![(0, 0); offsets.len()];
        let (mut at, mut line, mut column) = (0, 1, 1);
        for index in order {
            let offset = self.text.floor_char_boundary(offsets[index]);
            for character in self.text[at..offset].chars() {
                if character == '\n' {
                    line += 1;
                    column = 1;
                } else {
                    column += 1;
                }
            }
            at = offset;
            found[index] = (line, column);
        }
        found
    }

    /// The byte offset of a 1-based line and a byte count into it, the way
    /// serde_json reports positions.
    pub(crate) fn offset(&self, line: usize, bytes_into_line: usize) -> usize {
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        (start + bytes_into_line).min(self.text.len())
    }
}

/// Gives positions that the mapping knows only by path (line 0) their line
/// and column. `find` returns, for each path, the byte offset at which its
/// value starts, if the document has it; it is called once, so that a reader
/// can look all paths up in one pass.
pub(crate) fn place(
    text: &str,
    result: Result<Sbom, SbomError>,
    find: impl FnOnce(&[&str]) -> Vec<Option<usize>>,
) -> Result<Sbom, SbomError> {
    let lines = Lines::new(text);
    match result {
        Ok(mut sbom) => {
            let positions = sbom
                .warnings
                .iter_mut()
                .map(|warning| &mut warning.position);
            settle(&lines, positions.collect(), find);
            Ok(sbom)
        }
        Err(mut error) => {
            settle(&lines, vec![&mut error.position], find);
            Err(error)
        }
    }
}

fn settle(
    lines: &Lines<'_>,
    positions: Vec<&mut Position>,
    find: impl FnOnce(&[&str]) -> Vec<Option<usize>>,
) {
    let pending: Vec<&mut Position> = positions.into_iter().filter(|at| at.line == 0).collect();
    // A value that is missing is reported where its nearest enclosing value
    // is, so every path is asked for together with its ancestors.
    let chains: Vec<Vec<String>> = pending
        .iter()
        .map(|at| {
            std::iter::successors(Some(at.path.clone()), |path| {
                (!path.is_empty()).then(|| parent(path).to_owned())
            })
            .collect()
        })
        .collect();
    let paths: Vec<&str> = chains.iter().flatten().map(String::as_str).collect();
    let mut offsets = find(&paths).into_iter();
    let placed: Vec<(&mut Position, usize)> = pending
        .into_iter()
        .zip(&chains)
        .filter_map(|(at, chain)| {
            let offsets: Vec<Option<usize>> = offsets.by_ref().take(chain.len()).collect();
            Some((at, offsets.into_iter().flatten().next()?))
        })
        .collect();
    let offsets: Vec<usize> = placed.iter().map(|(_, offset)| *offset).collect();
    for ((at, _), (line, column)) in placed.into_iter().zip(lines.positions(&offsets)) {
        at.line = line;
        at.column = column;
    }
}

/// The path of the value that holds the one at `path`.
fn parent(path: &str) -> &str {
    path.rfind(['.', '[']).map_or("", |end| &path[..end])
}

/// The character at `offset`, described for a message.
pub(crate) fn character_at(text: &str, offset: usize) -> String {
    match text
        .get(text.floor_char_boundary(offset)..)
        .and_then(|rest| rest.chars().next())
    {
        None => "the end of the file".to_owned(),
        Some(c) if c.is_control() || c.is_whitespace() => format!("U+{:04X}", u32::from(c)),
        Some(c) => format!("`{c}`"),
    }
}
