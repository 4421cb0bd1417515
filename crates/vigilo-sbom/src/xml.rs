//! CycloneDX XML, read event by event so that every error and every value
//! has a position. The elements read fill the same model as JSON, and the
//! paths given to values are the JSON ones, so both encodings share the
//! mapping and their warnings read alike.
//!
//! Elements outside the CycloneDX namespace (extensions, signatures) and
//! CycloneDX elements that do not affect the component list are skipped,
//! though they must be well-formed.

use std::collections::HashMap;

use quick_xml::XmlVersion;
use quick_xml::errors::IllFormedError;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

use crate::cyclonedx::{self, Bom, Metadata, RawComponent, Supplier};
use crate::position::{Lines, character_at, place};
use crate::{Encoding, ErrorKind, SUPPORTED, Sbom, SbomError};

const NAMESPACE_PREFIX: &str = "http://cyclonedx.org/schema/bom/";

/// How deeply components may nest. JSON gets a similar bound from
/// serde_json's recursion limit; this one keeps the reader's recursion, and
/// so its stack, bounded.
const MAX_DEPTH: usize = 64;

pub(crate) fn parse(text: &str) -> Result<Sbom, SbomError> {
    let mut reader = Reader {
        text,
        xml: NsReader::from_str(text),
        lines: Lines::new(text),
        namespace: String::new(),
        offsets: HashMap::new(),
        event: 0,
    };
    let result = reader.document();
    let offsets = reader.offsets;
    place(text, result, |paths| {
        paths
            .iter()
            .map(|path| offsets.get(*path).copied())
            .collect()
    })
}

/// What the reader meets next.
enum Node<'a> {
    Element(Element<'a>),
    Text(String),
    Close,
    End,
}

struct Element<'a> {
    start: BytesStart<'a>,
    /// Written as `<name/>`.
    empty: bool,
    namespace: Option<String>,
    /// Byte offset of its `<`.
    at: usize,
}

struct Reader<'a> {
    text: &'a str,
    xml: NsReader<&'a [u8]>,
    lines: Lines<'a>,
    /// The CycloneDX namespace the root element is in.
    namespace: String,
    /// Where the value at each path starts, for placing warnings.
    offsets: HashMap<String, usize>,
    /// Byte offset at which the last event read starts.
    event: usize,
}

impl<'a> Reader<'a> {
    fn document(&mut self) -> Result<Sbom, SbomError> {
        let root = loop {
            match self.next("")? {
                Node::Element(element) => break element,
                Node::Text(text) if text.trim().is_empty() => {}
                Node::Text(_) => {
                    let at = self.content_start();
                    return Err(self.malformed(at, "", "an element", "text"));
                }
                Node::Close | Node::End => {
                    let at = self.text.len();
                    return Err(self.malformed(at, "", "a root element", "none"));
                }
            }
        };
        let spec_version = self.spec_version(&root)?;
        self.namespace = root.namespace.clone().unwrap_or_default();
        self.offsets.insert(String::new(), root.at);
        let mut bom = Bom::default();
        for (name, value) in self.attributes(&root, "")? {
            if name == "serialNumber" {
                self.offsets.insert("serialNumber".to_owned(), root.at);
                bom.serial_number = Some(value);
            }
        }
        let mut metadata = None;
        let mut components = None;
        self.children(&root, "", |reader, child| {
            match child.start.local_name().as_ref() {
                "metadata" => {
                    let read = reader.metadata(&child)?;
                    reader.once(&mut metadata, read, &child, "metadata")
                }
                "components" => {
                    let read = reader.components(&child, "components", 0)?;
                    reader.once(&mut components, read, &child, "components")
                }
                _ => reader.skip(&child, ""),
            }
        })?;
        bom.metadata = metadata;
        bom.components = components;
        self.rest()?;
        cyclonedx::build(spec_version, Encoding::Xml, bom)
    }

    /// The CycloneDX version the root element's namespace names.
    fn spec_version(&self, root: &Element<'a>) -> Result<&'static str, SbomError> {
        let name = root.start.local_name();
        let found = match (root.namespace.as_deref(), name.as_ref()) {
            (Some(namespace), "bom") if namespace.starts_with(NAMESPACE_PREFIX) => {
                let version = &namespace[NAMESPACE_PREFIX.len()..];
                if let Some(known) = cyclonedx::VERSIONS.iter().find(|known| **known == version) {
                    return Ok(*known);
                }
                return Err(SbomError::new(
                    ErrorKind::Unsupported,
                    self.lines.position(root.at, ""),
                    "the namespace of CycloneDX 1.4, 1.5 or 1.6 \
                     (http://cyclonedx.org/schema/bom/1.6)",
                    namespace,
                ));
            }
            (Some("http://www.w3.org/1999/02/22-rdf-syntax-ns#"), "RDF") => {
                "an RDF/XML document, such as SPDX RDF".to_owned()
            }
            (None, "Document") => "a <Document> element, as in SPDX XML".to_owned(),
            (Some(namespace), name) => format!("a <{name}> element in namespace {namespace}"),
            (None, name) => format!("a <{name}> element without a namespace"),
        };
        Err(SbomError::new(
            ErrorKind::Unsupported,
            self.lines.position(root.at, ""),
            SUPPORTED,
            found,
        ))
    }

    fn metadata(&mut self, element: &Element<'a>) -> Result<Metadata, SbomError> {
        let mut component = None;
        self.children(element, "metadata", |reader, child| {
            if child.start.local_name().as_ref() != "component" {
                return reader.skip(&child, "metadata");
            }
            let path = "metadata.component";
            let read = reader.component(&child, path.to_owned(), 0)?;
            reader.once(&mut component, read, &child, path)
        })?;
        Ok(Metadata { component })
    }

    fn components(
        &mut self,
        element: &Element<'a>,
        path: &str,
        depth: usize,
    ) -> Result<Vec<RawComponent>, SbomError> {
        if depth > MAX_DEPTH {
            return Err(SbomError::new(
                ErrorKind::Invalid,
                self.lines.position(element.at, path),
                format!("components nested at most {MAX_DEPTH} deep"),
                "deeper nesting",
            ));
        }
        self.offsets.insert(path.to_owned(), element.at);
        let mut components = Vec::new();
        self.children(element, path, |reader, child| {
            if child.start.local_name().as_ref() != "component" {
                return reader.skip(&child, path);
            }
            let index = components.len();
            components.push(reader.component(&child, format!("{path}[{index}]"), depth)?);
            Ok(())
        })?;
        Ok(components)
    }

    fn component(
        &mut self,
        element: &Element<'a>,
        path: String,
        depth: usize,
    ) -> Result<RawComponent, SbomError> {
        self.offsets.insert(path.clone(), element.at);
        let mut raw = RawComponent::default();
        for (name, value) in self.attributes(element, &path)? {
            let slot = match name.as_str() {
                "bom-ref" => &mut raw.bom_ref,
                "type" => &mut raw.kind,
                _ => continue,
            };
            self.offsets.insert(format!("{path}.{name}"), element.at);
            *slot = Some(value);
        }
        let mut supplier = None;
        let mut components = None;
        self.children(element, &path, |reader, child| {
            let name = child.start.local_name();
            let slot = match name.as_ref() {
                "group" => &mut raw.group,
                "name" => &mut raw.name,
                "version" => &mut raw.version,
                "purl" => &mut raw.purl,
                "cpe" => &mut raw.cpe,
                "supplier" => {
                    let at = format!("{path}.supplier");
                    let read = reader.supplier(&child, &at)?;
                    return reader.once(&mut supplier, read, &child, &at);
                }
                "components" => {
                    let at = format!("{path}.components");
                    let read = reader.components(&child, &at, depth + 1)?;
                    return reader.once(&mut components, read, &child, &at);
                }
                _ => return reader.skip(&child, &path),
            };
            let at = format!("{path}.{}", name.as_ref());
            let text = reader.text(&child, &at)?;
            reader.once(slot, text, &child, &at)
        })?;
        raw.supplier = supplier;
        raw.components = components;
        Ok(raw)
    }

    fn supplier(&mut self, element: &Element<'a>, path: &str) -> Result<Supplier, SbomError> {
        self.offsets.insert(path.to_owned(), element.at);
        let mut name = None;
        self.children(element, path, |reader, child| {
            if child.start.local_name().as_ref() != "name" {
                return reader.skip(&child, path);
            }
            let at = format!("{path}.name");
            let text = reader.text(&child, &at)?;
            reader.once(&mut name, text, &child, &at)
        })?;
        Ok(Supplier { name })
    }

    /// Stores a value read from `element` at `path`, which the schema allows
    /// once, as serde does for a JSON key.
    fn once<T>(
        &mut self,
        slot: &mut Option<T>,
        value: T,
        element: &Element<'a>,
        path: &str,
    ) -> Result<(), SbomError> {
        if slot.is_some() {
            return Err(SbomError::new(
                ErrorKind::Invalid,
                self.lines.position(element.at, path),
                "each element once",
                format!("<{}> twice", element.start.local_name().as_ref()),
            ));
        }
        self.offsets.entry(path.to_owned()).or_insert(element.at);
        *slot = Some(value);
        Ok(())
    }

    /// Reads the content of `element` up to its end tag, handing each child
    /// element in the CycloneDX namespace to `child` and skipping the others.
    /// Text between elements is not part of any value and is ignored.
    fn children(
        &mut self,
        element: &Element<'a>,
        path: &str,
        mut child: impl FnMut(&mut Self, Element<'a>) -> Result<(), SbomError>,
    ) -> Result<(), SbomError> {
        if element.empty {
            return Ok(());
        }
        loop {
            match self.next(path)? {
                Node::Element(inner)
                    if inner.namespace.as_deref() == Some(self.namespace.as_str()) =>
                {
                    child(self, inner)?;
                }
                Node::Element(inner) => self.skip(&inner, path)?,
                Node::Text(_) => {}
                Node::Close => return Ok(()),
                Node::End => return Err(self.unclosed(element.start.name().as_ref(), path)),
            }
        }
    }

    /// The text of an element that holds only text.
    fn text(&mut self, element: &Element<'a>, path: &str) -> Result<String, SbomError> {
        let mut text = String::new();
        if !element.empty {
            loop {
                match self.next(path)? {
                    Node::Text(piece) => text.push_str(&piece),
                    Node::Close => break,
                    Node::Element(inner) => {
                        return Err(SbomError::new(
                            ErrorKind::Invalid,
                            self.lines.position(inner.at, path),
                            "text",
                            format!("a <{}> element", inner.start.name().as_ref()),
                        ));
                    }
                    Node::End => return Err(self.unclosed(element.start.name().as_ref(), path)),
                }
            }
        }
        // Pretty-printers indent text; no value read here has outer spaces.
        Ok(text.trim().to_owned())
    }

    fn skip(&mut self, element: &Element<'a>, path: &str) -> Result<(), SbomError> {
        if !element.empty {
            self.xml
                .read_to_end(element.start.name())
                .map_err(|error| self.xml_error(&error, path))?;
        }
        Ok(())
    }

    /// Checks that only comments, processing instructions and whitespace
    /// follow the root element.
    fn rest(&mut self) -> Result<(), SbomError> {
        loop {
            match self.next("")? {
                Node::End => return Ok(()),
                Node::Text(text) if text.trim().is_empty() => {}
                Node::Text(_) | Node::Element(_) | Node::Close => {
                    let at = self.content_start();
                    return Err(self.malformed(
                        at,
                        "",
                        "nothing after the root element",
                        character_at(self.text, at),
                    ));
                }
            }
        }
    }

    fn attributes(
        &self,
        element: &Element<'a>,
        path: &str,
    ) -> Result<Vec<(String, String)>, SbomError> {
        element
            .start
            .attributes()
            .map(|attribute| {
                let attribute = attribute.map_err(|error| self.attribute_error(element, &error, path))?;
                let value = attribute
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|error| {
                        self.malformed(
                            element.at,
                            path,
                            "an attribute value with only predefined entities or character references",
                            error.to_string(),
                        )
                    })?;
                Ok((attribute.key.as_ref().to_owned(), value.into_owned()))
            })
            .collect()
    }

    fn attribute_error(&self, element: &Element<'a>, error: &AttrError, path: &str) -> SbomError {
        let (within, expected) = match *error {
            AttrError::ExpectedEq(within) => (within, "`=` after the attribute name"),
            AttrError::ExpectedValue(within) => (within, "an attribute value after `=`"),
            AttrError::UnquotedValue(within) => (within, "an attribute value in quotes"),
            AttrError::ExpectedQuote(within, _) => {
                (within, "the closing quote of the attribute value")
            }
            AttrError::Duplicated(within, _) => (within, "each attribute once"),
        };
        // quick-xml counts from the character after `<`.
        let at = element.at + 1 + within;
        let found = match error {
            AttrError::Duplicated(..) => "a repeated attribute".to_owned(),
            _ => character_at(self.text, at),
        };
        self.malformed(at, path, expected, found)
    }

    fn offset(&self) -> usize {
        usize::try_from(self.xml.buffer_position()).unwrap_or(usize::MAX)
    }

    /// Where the last event read starts, after any leading whitespace.
    fn content_start(&self) -> usize {
        let rest = self.text.get(self.event..).unwrap_or_default();
        self.event + rest.len() - rest.trim_start().len()
    }

    fn next(&mut self, path: &str) -> Result<Node<'a>, SbomError> {
        loop {
            let at = self.offset();
            let (namespace, event) = match self.xml.read_resolved_event() {
                Ok((ResolveResult::Bound(Namespace(namespace)), event)) => {
                    (Some(namespace.to_owned()), event)
                }
                Ok((_, event)) => (None, event),
                Err(error) => return Err(self.xml_error(&error, path)),
            };
            self.event = at;
            let element = |start, empty| {
                Node::Element(Element {
                    start,
                    empty,
                    namespace,
                    at,
                })
            };
            return Ok(match event {
                Event::Start(start) => element(start, false),
                Event::Empty(start) => element(start, true),
                Event::End(_) => Node::Close,
                Event::Text(text) => Node::Text(text.xml10_content().into_owned()),
                Event::CData(data) => Node::Text(data.xml10_content().into_owned()),
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(character)) => Some(character.to_string()),
                        Ok(None) => resolve_predefined_entity(&reference).map(str::to_owned),
                        Err(_) => None,
                    };
                    Node::Text(resolved.ok_or_else(|| {
                        self.malformed(
                            at,
                            path,
                            "a predefined entity (&amp; &lt; &gt; &quot; &apos;) \
                             or a character reference",
                            format!("&{};", &*reference),
                        )
                    })?)
                }
                Event::Eof => Node::End,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => continue,
            });
        }
    }

    fn unclosed(&self, name: &str, path: &str) -> SbomError {
        self.malformed(
            self.text.len(),
            path,
            format!("the end tag </{name}>"),
            "the end of the file",
        )
    }

    fn malformed(
        &self,
        at: usize,
        path: &str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> SbomError {
        SbomError::new(
            ErrorKind::Malformed,
            self.lines.position(at, path),
            expected,
            found,
        )
    }

    fn xml_error(&self, error: &quick_xml::Error, path: &str) -> SbomError {
        let at = usize::try_from(self.xml.error_position()).unwrap_or(usize::MAX);
        let (expected, found) = match error {
            quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
                (format!("the end tag </{expected}>"), format!("</{found}>"))
            }
            quick_xml::Error::IllFormed(IllFormedError::MissingEndTag(name)) => {
                return self.unclosed(name, path);
            }
            quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
                ("an element to end".to_owned(), format!("</{name}>"))
            }
            other => ("well-formed XML".to_owned(), other.to_string()),
        };
        self.malformed(at, path, expected, found)
    }
}
