//! Behaviour of the public API beyond the purl-spec suite: error reports,
//! building from parts, lenient parsing and serialisation.

use std::collections::BTreeMap;

use vigilo_purl::{Component, Purl, PurlError};

fn parse_error(input: &str) -> (usize, Component, String) {
    let error = Purl::parse(input).expect_err(input);
    assert_eq!(error.input, input);
    (error.position, error.component, error.expected)
}

fn parts(ty: &str, name: &str) -> Purl {
    Purl {
        ty: ty.to_owned(),
        namespace: None,
        name: name.to_owned(),
        version: None,
        qualifiers: BTreeMap::new(),
        subpath: None,
    }
}

#[test]
fn errors_point_at_the_offending_component() {
    use Component::*;
    let cases: &[(&str, usize, Component, &str)] = &[
        ("", 1, Scheme, "the scheme \"pkg:\""),
        (
            "pkg%3Amaven/org.apache.commons/io",
            1,
            Scheme,
            "the scheme \"pkg:\"",
        ),
        (
            "pkg:3npm/foo",
            5,
            Type,
            "an ASCII letter to start the type, found '3'",
        ),
        (
            "pkg:n&g?inx/nginx@0.8.9",
            6,
            Type,
            "only ASCII letters, digits, '.' and '-' in the type, found '&'",
        ),
        ("pkg:npm", 8, Name, "'/' and a name after the type"),
        ("pkg:maven/@1.3.4", 11, Name, "a name"),
        (
            "pkg:swift/github.com/Alamofire/@5.4.3",
            32,
            Name,
            "a name after the last '/'",
        ),
        (
            "pkg:npm/a%2Fb/c",
            9,
            Namespace,
            "no encoded '/' (%2F) inside a segment",
        ),
        ("pkg:npm/foo@1%zz", 14, Version, "two hex digits after '%'"),
        (
            "pkg:npm/%FF",
            9,
            Name,
            "percent-escapes that decode to UTF-8",
        ),
        ("pkg:npm/foo?novalue", 13, Qualifiers, "key=value"),
        (
            "pkg:npm/foo?a=1&a=2",
            17,
            Qualifiers,
            "each qualifier key once, found \"a\" again",
        ),
        (
            "pkg:npm/foo#a/%2F",
            15,
            Subpath,
            "no encoded '/' (%2F) inside a segment",
        ),
        (
            "pkg:swift/Alamofire@5.4.3",
            11,
            Namespace,
            "a namespace, which type swift requires",
        ),
        (
            "pkg:otp/namespace/hex@2.1.1",
            9,
            Namespace,
            "no namespace, which type otp prohibits",
        ),
        (
            "pkg:julia/Dates",
            16,
            Qualifiers,
            "a \"uuid\" qualifier, which type julia requires",
        ),
    ];
    for &(input, position, component, expected) in cases {
        assert_eq!(
            parse_error(input),
            (position, component, expected.to_owned()),
            "{input}"
        );
    }
}

#[test]
fn positions_count_characters() {
    let (position, component, _) = parse_error("pkg:generic/é/€?K=1");
    assert_eq!((position, component), (17, Component::Qualifiers));
}

#[test]
fn error_display_names_input_position_and_expectation() {
    let error = Purl::parse("pkg:gem/jruby-launcher@1.1.2?Platform=java").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid purl \"pkg:gem/jruby-launcher@1.1.2?Platform=java\" at position 30 (qualifiers): \
         expected a lowercase ASCII letter to start the qualifier key, found 'P'"
    );
}

#[test]
fn lenient_parsing_lowercases_qualifier_keys_only() {
    let purl = Purl::parse_lenient("pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25")
        .unwrap();
    assert_eq!(
        purl.to_string(),
        "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25"
    );
    assert!(Purl::parse_lenient("pkg:npm/foo?In%20production=1").is_err());
    assert!(Purl::parse_lenient("pkg:npm/foo?a=1&A=2").is_err());
}

#[test]
fn parsing_accepts_non_canonical_spellings() {
    let purl: Purl = "pkg://npm/@babel/core@7.0.0?a=&b=x%2Fy#/./lib/../src/"
        .parse()
        .unwrap();
    assert_eq!(purl.namespace.as_deref(), Some("@babel"));
    assert_eq!(
        purl.qualifiers,
        BTreeMap::from([("b".to_owned(), "x/y".to_owned())])
    );
    assert_eq!(purl.subpath.as_deref(), Some("lib/src"));
    assert_eq!(
        purl.to_string(),
        "pkg:npm/%40babel/core@7.0.0?b=x%2Fy#lib/src"
    );
}

#[test]
fn type_rules_normalise() {
    let cases = [
        (
            "pkg:pypi/Django_Allauth@1.0RC1",
            "pkg:pypi/django-allauth@1.0rc1",
        ),
        ("pkg:pub/Flutter-Lints@1.0", "pkg:pub/flutter_lints@1.0"),
        (
            "pkg:golang/github.com/Azure/go-autorest@v1",
            "pkg:golang/github.com/Azure/go-autorest@v1",
        ),
        (
            "pkg:git/codeberg.org/forgejo/forgejo",
            "pkg:git/codeberg.org/forgejo/forgejo",
        ),
        ("pkg:brew/node@20@20.10.0", "pkg:brew/node%4020@20.10.0"),
        (
            "pkg:deb/Debian/CURL@7.50.3-1?arch=i386",
            "pkg:deb/debian/curl@7.50.3-1?arch=i386",
        ),
    ];
    for (input, canonical) in cases {
        assert_eq!(
            Purl::parse(input).map(|p| p.to_string()).as_deref(),
            Ok(canonical),
            "{input}"
        );
    }
}

#[test]
fn canonicalize_builds_from_parts() {
    let purl = Purl {
        namespace: Some("/Laravel//".to_owned()),
        version: Some(String::new()),
        qualifiers: BTreeMap::from([
            ("Arch".to_owned(), "x86_64".to_owned()),
            ("empty".to_owned(), String::new()),
        ]),
        subpath: Some("./src/../lib/".to_owned()),
        ..parts("Composer", "Laravel")
    }
    .canonicalize()
    .unwrap();
    assert_eq!(
        purl.to_string(),
        "pkg:composer/laravel/laravel?arch=x86_64#src/lib"
    );
    assert_eq!(purl.version, None);
}

#[test]
fn canonicalize_reports_the_offending_value() {
    let error = |purl: Purl| -> PurlError { purl.canonicalize().unwrap_err() };
    let bad_type = error(parts("3nginx", "nginx"));
    assert_eq!(
        (
            bad_type.input.as_str(),
            bad_type.position,
            bad_type.component
        ),
        ("3nginx", 1, Component::Type)
    );
    let bad_key = error(Purl {
        qualifiers: BTreeMap::from([("in production".to_owned(), "true".to_owned())]),
        ..parts("npm", "myartifact")
    });
    assert_eq!(
        (bad_key.input.as_str(), bad_key.position),
        ("in production", 3)
    );
    let twice = error(Purl {
        qualifiers: BTreeMap::from([
            ("A".to_owned(), "1".to_owned()),
            ("a".to_owned(), "2".to_owned()),
        ]),
        ..parts("npm", "x")
    });
    assert_eq!(twice.expected, "each qualifier key once, ignoring case");
    assert_eq!(error(parts("opam", "")).component, Component::Name);
}

#[test]
fn serialises_with_spec_keys() {
    let plain: Purl = "pkg:cargo/rand@0.7.2".parse().unwrap();
    assert_eq!(
        serde_json::to_value(&plain).unwrap(),
        serde_json::json!({
            "type": "cargo", "namespace": null, "name": "rand", "version": "0.7.2",
            "qualifiers": null, "subpath": null,
        })
    );
    let full: Purl = "pkg:maven/org.apache/io@1?classifier=sources#a/b"
        .parse()
        .unwrap();
    assert_eq!(
        serde_json::to_value(&full).unwrap(),
        serde_json::json!({
            "type": "maven", "namespace": "org.apache", "name": "io", "version": "1",
            "qualifiers": {"classifier": "sources"}, "subpath": "a/b",
        })
    );
}
