//! A small element writer over quick-xml for the draft documents: one element per field,
//! absent values left out, text escaped by quick-xml (`<`, `>`, `&` only: quotes need no
//! escaping in element content, and `patient's` reads better than `patient&apos;s`).

use std::borrow::Cow;
use std::fmt::Display;

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::{Address, Contact};

pub(crate) struct XmlOut {
    w: Writer<Vec<u8>>,
}

impl XmlOut {
    pub(crate) fn new() -> XmlOut {
        let mut out = XmlOut {
            w: Writer::new_with_indent(Vec::new(), b' ', 2),
        };
        out.write(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        out
    }

    fn write(&mut self, event: Event<'_>) {
        self.w
            .write_event(event)
            .expect("writing XML into memory cannot fail");
    }

    /// Comment content is not escaped by XML, so only fixed text (without `--`) goes here.
    pub(crate) fn comment(&mut self, text: &'static str) {
        self.write(Event::Comment(BytesText::from_escaped(text)));
    }

    pub(crate) fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let start = BytesStart::new(name).with_attributes(attributes.iter().copied());
        self.write(Event::Start(start));
    }

    pub(crate) fn close(&mut self, name: &str) {
        self.write(Event::End(BytesEnd::new(name)));
    }

    pub(crate) fn section(&mut self, name: &str, body: impl FnOnce(&mut XmlOut)) {
        self.open(name, &[]);
        body(self);
        self.close(name);
    }

    pub(crate) fn field(&mut self, name: &str, value: Option<impl Display>) {
        if let Some(value) = value {
            let text = value.to_string();
            self.w
                .create_element(name)
                .write_text_content(BytesText::from_escaped(partial_escape(xml_chars(&text))))
                .expect("writing XML into memory cannot fail");
        }
    }

    /// `<name><item>…</item>…</name>`, left out when there is nothing to list.
    pub(crate) fn list<T: Display>(&mut self, name: &str, item: &str, values: &[T]) {
        if values.is_empty() {
            return;
        }
        self.section(name, |x| {
            for value in values {
                x.field(item, Some(value));
            }
        });
    }

    pub(crate) fn address(&mut self, name: &str, a: &Address) {
        if *a == Address::default() {
            return;
        }
        self.section(name, |x| {
            for line in &a.lines {
                x.field("line", Some(line));
            }
            x.field("city", a.city.as_ref());
            x.field("postal_code", a.postal_code.as_ref());
            x.field("region", a.region.as_ref());
            x.field("country", a.country.as_ref());
        });
    }

    pub(crate) fn contact(&mut self, name: &str, c: &Contact) {
        if *c == Contact::default() {
            return;
        }
        self.section(name, |x| {
            x.field("name", c.name.as_ref());
            x.field("phone", c.phone.as_ref());
            x.field("email", c.email.as_ref());
        });
    }

    pub(crate) fn finish(self) -> String {
        let mut bytes = self.w.into_inner();
        bytes.push(b'\n');
        String::from_utf8(bytes).expect("the writer only received UTF-8 text")
    }
}

/// XML 1.0 cannot carry most C0 control characters, not even escaped; a narrative pasted from
/// another system sometimes holds one, so it becomes U+FFFD rather than breaking the document.
fn xml_chars(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_replacement_characters() {
        assert_eq!(xml_chars("a\u{7}b\tc\n"), "a\u{FFFD}b\tc\n");
        assert!(matches!(xml_chars("plain <&>"), Cow::Borrowed(_)));
    }
}
