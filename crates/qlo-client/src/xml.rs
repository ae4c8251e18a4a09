//! XML request bodies (generic resources and `hotel_ari` accept only XML, docs/qloapps-api.md "Formats and lenient parsing"),
//! written with quick-xml so every value is escaped.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use crate::error::Error;

/// Builds `<?xml ...?><qloapps>...</qloapps>`.
pub(crate) struct XmlBody {
    writer: Writer<Vec<u8>>,
    resource: &'static str,
}

impl XmlBody {
    /// Starts a document for `resource` (named in encoding errors).
    pub(crate) fn new(resource: &'static str) -> Result<Self, Error> {
        let mut body = XmlBody {
            writer: Writer::new(Vec::new()),
            resource,
        };
        body.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        body.open("qloapps")?;
        Ok(body)
    }

    fn event(&mut self, event: Event<'_>) -> Result<(), Error> {
        self.writer.write_event(event).map_err(|e| Error::Encode {
            resource: self.resource.to_owned(),
            message: e.to_string(),
        })
    }

    /// `<name>`
    pub(crate) fn open(&mut self, name: &str) -> Result<&mut Self, Error> {
        self.event(Event::Start(BytesStart::new(name)))?;
        Ok(self)
    }

    /// `</name>`
    pub(crate) fn close(&mut self, name: &str) -> Result<&mut Self, Error> {
        self.event(Event::End(BytesEnd::new(name)))?;
        Ok(self)
    }

    /// `<name>value</name>`, escaped.
    pub(crate) fn field(
        &mut self,
        name: &str,
        value: impl std::fmt::Display,
    ) -> Result<&mut Self, Error> {
        let text = value.to_string();
        self.open(name)?;
        self.event(Event::Text(BytesText::new(&text)))?;
        self.close(name)
    }

    /// `<name><language id="lang">value</language></name>` for translatable fields.
    pub(crate) fn i18n(
        &mut self,
        name: &str,
        language_id: u32,
        value: &str,
    ) -> Result<&mut Self, Error> {
        self.open(name)?;
        let id = language_id.to_string();
        let mut start = BytesStart::new("language");
        start.push_attribute(("id", id.as_str()));
        self.event(Event::Start(start))?;
        self.event(Event::Text(BytesText::new(value)))?;
        self.close("language")?;
        self.close(name)
    }

    /// `<outer><inner><id>1</id></inner>...</outer>` (an associations id list).
    pub(crate) fn id_list(
        &mut self,
        outer: &str,
        inner: &str,
        ids: &[u64],
    ) -> Result<&mut Self, Error> {
        self.open(outer)?;
        for id in ids {
            self.open(inner)?.field("id", id)?.close(inner)?;
        }
        self.close(outer)
    }

    /// Closes the root and returns the bytes.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>, Error> {
        self.close("qloapps")?;
        Ok(self.writer.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_nested() {
        let mut x = XmlBody::new("customers").unwrap();
        x.open("customer")
            .unwrap()
            .field("lastname", "O'Brien & <Sons>")
            .unwrap()
            .i18n("name", 1, "Delux \"A\"")
            .unwrap()
            .id_list("groups", "group", &[1, 3])
            .unwrap()
            .close("customer")
            .unwrap();
        let out = String::from_utf8(x.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><qloapps><customer>\
             <lastname>O&apos;Brien &amp; &lt;Sons&gt;</lastname>\
             <name><language id=\"1\">Delux &quot;A&quot;</language></name>\
             <groups><group><id>1</id></group><group><id>3</id></group></groups>\
             </customer></qloapps>"
        );
    }
}
