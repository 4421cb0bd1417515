//! Each class of error, with its position and message.

use vigilo_sbom::{ErrorKind, Position, parse};

/// The error for `input`, checked to be of `kind`, displayed.
fn refused(input: impl AsRef<[u8]>, kind: ErrorKind) -> String {
    let error = parse(input.as_ref()).expect_err("should be refused");
    assert_eq!(error.kind, kind, "{error}");
    assert!(
        error.position.line > 0 && error.position.column > 0,
        "{error}"
    );
    error.to_string()
}

/// A CycloneDX 1.6 JSON document whose second line is `rest`.
fn cyclonedx(rest: &str) -> String {
    format!("{{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\",\n  {rest}}}")
}

/// A CycloneDX 1.6 XML document whose fourth line is `content`.
fn cyclonedx_xml(content: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n  \
         <components>\n    {content}\n  </components>\n</bom>\n"
    )
}

const SUPPORTED: &str =
    "expected a CycloneDX 1.4, 1.5 or 1.6 SBOM (JSON or XML) or an SPDX 2.2 or 2.3 SBOM (JSON)";

#[test]
fn error_fields_and_display() {
    let error = parse(b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.3\"}").unwrap_err();
    assert_eq!(error.kind, ErrorKind::Unsupported);
    assert_eq!(
        error.position,
        Position {
            line: 1,
            column: 43,
            path: "specVersion".to_owned()
        }
    );
    assert_eq!(error.expected, "CycloneDX specVersion 1.4, 1.5 or 1.6");
    assert_eq!(error.found, "\"1.3\"");
    assert_eq!(
        error.to_string(),
        "line 1, column 43 (specVersion): expected CycloneDX specVersion 1.4, 1.5 or 1.6, found \"1.3\""
    );
}

#[test]
fn not_utf8() {
    assert_eq!(
        refused(
            b"{\"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"caf\xe9\"}",
            ErrorKind::NotUtf8
        ),
        "line 2, column 22 (document): expected UTF-8 text, found the byte 0xE9"
    );
    // Columns count characters, not bytes.
    assert_eq!(
        refused(
            b"{\"n\": \"\xc3\xa9\xf0\x9f\x98\x80\xff",
            ErrorKind::NotUtf8
        ),
        "line 1, column 10 (document): expected UTF-8 text, found the byte 0xFF"
    );
    assert_eq!(
        refused(b"\xff\xfe{\x00", ErrorKind::NotUtf8),
        "line 1, column 1 (document): expected UTF-8 text, found a UTF-16 byte order mark"
    );
}

#[test]
fn malformed_json() {
    let cases = [
        (
            cyclonedx("\"components\": [\n    {\"name\": \"a\" \"version\": \"1\"}\n  ]"),
            "line 3, column 18 (components[0]): expected `,` or `}`, found `\"`",
        ),
        (
            cyclonedx("\"components\": [\n    {\"name\": \"a\",}\n  ]"),
            "line 3, column 18 (components[0]): expected another value after `,`, found `}`",
        ),
        (
            "{\"bomFormat\": \"CycloneDX\",\n  \"components\": [{\"name\": \"a\"".to_owned(),
            "line 2, column 30 (components[0].name): expected `,` or `}`, found the end of the file",
        ),
        (
            cyclonedx("\"components\": []") + "\n{}",
            "line 3, column 1 (document): expected nothing after the top-level value, found `{`",
        ),
        (
            cyclonedx("\"components\": [{\"name\": \"a\tb\"}]"),
            "line 2, column 29 (components[0].name): expected control characters in strings \
             to be escaped, found U+0009",
        ),
        (
            cyclonedx("\"components\": [{\"name\": tru}]"),
            "line 2, column 30 (components[0].name): expected `true`, `false` or `null`, found `}`",
        ),
        (
            cyclonedx("\"components\": [{name: \"a\"}]"),
            "line 2, column 19 (components[0]): expected an object key in double quotes, found `n`",
        ),
        (
            "[1, 2".to_owned(),
            "line 1, column 6 ([1]): expected `,` or `]`, found the end of the file",
        ),
    ];
    for (input, shown) in cases {
        assert_eq!(refused(&input, ErrorKind::Malformed), shown, "{input}");
    }
    let deep = cyclonedx(&format!(
        "\"components\": [{}",
        "{\"name\": \"a\", \"components\": [".repeat(100)
    ));
    assert!(
        refused(deep, ErrorKind::Malformed)
            .contains("expected JSON nested at most 128 levels deep, found `[`")
    );
}

#[test]
fn malformed_xml() {
    let cases = [
        (
            cyclonedx_xml("<component type=\"library\"><name>a</name></components>"),
            "line 4, column 45 (components[0]): expected the end tag </component>, found </components>",
        ),
        (
            "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n  <components>\n".to_owned(),
            "line 3, column 1 (components): expected the end tag </components>, found the end of the file",
        ),
        (
            cyclonedx_xml("<component type=\"library\"><name>AT&amp;T &copy;</name></component>"),
            "line 4, column 46 (components[0].name): expected a predefined entity \
             (&amp; &lt; &gt; &quot; &apos;) or a character reference, found &copy;",
        ),
        (
            cyclonedx_xml("<component type=\"library\" type=\"file\"><name>a</name></component>"),
            "line 4, column 31 (components[0]): expected each attribute once, found a repeated attribute",
        ),
        (
            cyclonedx_xml("<component type=library><name>a</name></component>"),
            "line 4, column 21 (components[0]): expected an attribute value in quotes, found `l`",
        ),
        (
            cyclonedx_xml("") + "<bom/>",
            "line 7, column 1 (document): expected nothing after the root element, found `<`",
        ),
        (
            "<!-- comment -->\n  text <bom/>".to_owned(),
            "line 2, column 3 (document): expected an element, found text",
        ),
        (
            "<?xml version=\"1.0\"?>\n<!-- only a comment -->\n".to_owned(),
            "line 3, column 1 (document): expected a root element, found none",
        ),
        (
            "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"".to_owned(),
            "line 1, column 1 (document): expected well-formed XML, found syntax error: \
             tag not closed: `>` not found before end of input",
        ),
    ];
    for (input, shown) in cases {
        assert_eq!(refused(&input, ErrorKind::Malformed), shown, "{input}");
    }
}

#[test]
fn unsupported_formats_and_versions() {
    let cases: [(&[u8], String); 13] = [
        (
            b"",
            format!("line 1, column 1 (document): {SUPPORTED}, found an empty file"),
        ),
        (
            b" \n\t",
            format!("line 1, column 1 (document): {SUPPORTED}, found only whitespace"),
        ),
        (
            b"\n\n  hello: world",
            format!(
                "line 3, column 3 (document): {SUPPORTED}, found text starting \"hello: world\""
            ),
        ),
        (
            b"[{\"bomFormat\": \"CycloneDX\"}]",
            format!("line 1, column 1 (document): {SUPPORTED}, found a JSON array"),
        ),
        (
            b"{\"name\": \"not an sbom\"}",
            format!(
                "line 1, column 1 (document): {SUPPORTED}, found a JSON object with neither \
                 bomFormat (CycloneDX) nor spdxVersion (SPDX)"
            ),
        ),
        (
            b"{\"bomFormat\": \"SPDX\"}",
            "line 1, column 15 (bomFormat): expected bomFormat \"CycloneDX\", found \"SPDX\""
                .to_owned(),
        ),
        (
            b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.7\"}",
            "line 1, column 43 (specVersion): expected CycloneDX specVersion 1.4, 1.5 or 1.6, \
             found \"1.7\""
                .to_owned(),
        ),
        (
            b"{\"spdxVersion\": \"SPDX-2.1\"}",
            "line 1, column 17 (spdxVersion): expected spdxVersion \"SPDX-2.2\" or \"SPDX-2.3\", \
             found \"SPDX-2.1\""
                .to_owned(),
        ),
        (
            b"{\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\", \"@graph\": []}",
            format!("line 1, column 14 (@context): {SUPPORTED}, found an SPDX 3 JSON-LD document"),
        ),
        (
            b"<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.3\"/>",
            "line 2, column 1 (document): expected the namespace of CycloneDX 1.4, 1.5 or 1.6 \
             (http://cyclonedx.org/schema/bom/1.6), found http://cyclonedx.org/schema/bom/1.3"
                .to_owned(),
        ),
        (
            b"<bom>\n</bom>",
            format!(
                "line 1, column 1 (document): {SUPPORTED}, found a <bom> element without a namespace"
            ),
        ),
        (
            b"<!-- x -->\n<h:html xmlns:h=\"http://www.w3.org/1999/xhtml\"/>",
            format!(
                "line 2, column 1 (document): {SUPPORTED}, found a <html> element in namespace \
                 http://www.w3.org/1999/xhtml"
            ),
        ),
        (
            b"## Document\nSPDXVersion: SPDX-2.3\n",
            format!("line 1, column 1 (document): {SUPPORTED}, found an SPDX tag-value document"),
        ),
    ];
    for (input, shown) in cases {
        assert_eq!(
            refused(input, ErrorKind::Unsupported),
            shown,
            "{}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn invalid_values() {
    let cases = [
        (
            cyclonedx("\"components\": [\n    {\"type\": \"library\", \"name\": 5}\n  ]"),
            "line 3, column 33 (components[0].name): expected a string, found integer `5`",
        ),
        (
            cyclonedx("\"components\": {\"name\": \"a\"}"),
            "line 2, column 17 (components): expected an array, found an object",
        ),
        (
            cyclonedx("\"components\": [\n    {\"type\": \"library\", \"version\": \"1\"}\n  ]"),
            "line 3, column 5 (components[0].name): expected a component name, found none",
        ),
        (
            cyclonedx("\"components\": [\n    {\"type\": \"library\", \"name\": \" \"}\n  ]"),
            "line 3, column 33 (components[0].name): expected a component name, found none",
        ),
        (
            cyclonedx("\"components\": [\n    {\"name\": \"a\", \"name\": \"b\"}\n  ]"),
            "line 3, column 5 (components[0]): expected each key once, found `name` twice",
        ),
        (
            cyclonedx("\"metadata\": {\"component\": {\"name\": \"a\", \"supplier\": \"ACME\"}}"),
            "line 2, column 55 (metadata.component.supplier): expected an organizational entity \
             object, found string \"ACME\"",
        ),
        (
            cyclonedx("\"components\": [null]"),
            "line 2, column 18 (components[0]): expected a component object, found null",
        ),
        (
            "{\"bomFormat\": \"CycloneDX\", \"specVersion\": 1.6}".to_owned(),
            "line 1, column 43 (specVersion): expected specVersion as a string, found 1.6",
        ),
        (
            "{\"bomFormat\": \"CycloneDX\"}".to_owned(),
            "line 1, column 1 (document): expected a document with specVersion, found none",
        ),
        (
            "{\"spdxVersion\": \"SPDX-2.3\",\n \"packages\": [{\"SPDXID\": \"SPDXRef-a\"}]}"
                .to_owned(),
            "line 2, column 15 (packages[0].name): expected a package name, found none",
        ),
        (
            "{\"spdxVersion\": \"SPDX-2.3\", \"packages\": [{\"name\": \"a\", \"externalRefs\": {}}]}"
                .to_owned(),
            "line 1, column 72 (packages[0].externalRefs): expected an array, found an object",
        ),
        (
            cyclonedx_xml("<component type=\"library\"><name>a</name><name>b</name></component>"),
            "line 4, column 45 (components[0].name): expected each element once, found <name> twice",
        ),
        (
            cyclonedx_xml("<component type=\"library\"><name>a<b>c</b></name></component>"),
            "line 4, column 38 (components[0].name): expected text, found a <b> element",
        ),
        (
            cyclonedx_xml("<component type=\"library\"><version>1</version></component>"),
            "line 4, column 5 (components[0].name): expected a component name, found none",
        ),
    ];
    for (input, shown) in cases {
        assert_eq!(refused(&input, ErrorKind::Invalid), shown, "{input}");
    }
}

#[test]
fn xml_nesting_is_bounded() {
    let nest = |depth: usize| {
        let mut component = "<component type=\"library\"><name>x</name></component>".to_owned();
        for _ in 0..depth {
            component = format!(
                "<component type=\"library\"><name>x</name><components>{component}</components></component>"
            );
        }
        cyclonedx_xml(&component)
    };
    assert_eq!(parse(nest(64).as_bytes()).unwrap().components.len(), 65);
    let shown = refused(nest(65), ErrorKind::Invalid);
    assert!(
        shown.ends_with("expected components nested at most 64 deep, found deeper nesting"),
        "{shown}"
    );
}
