//! XML request bodies (what `SimpleXMLElement` reads), parsed with quick-xml into a small
//! tree.

use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::{Map, Value};

use crate::render::WsError;

/// One element.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct XmlNode {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<XmlNode>,
}

/// Parses a document; errors are the webservice's 500 code 127.
pub fn parse(input: &str) -> Result<XmlNode, WsError> {
    let mut reader = Reader::from_str(input.trim());
    let mut stack: Vec<XmlNode> = Vec::new();
    let mut root: Option<XmlNode> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| WsError::xml(format!("{e}")))?;
        match event {
            Event::Start(e) => stack.push(start_node(&e)?),
            Event::Empty(e) => {
                let node = start_node(&e)?;
                attach(&mut stack, &mut root, node);
            }
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| WsError::xml("unexpected closing tag"))?;
                attach(&mut stack, &mut root, node);
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| WsError::xml(format!("{e}")))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                } else if !text.trim().is_empty() {
                    return Err(WsError::xml("Start tag expected, '<' not found"));
                }
            }
            Event::CData(c) => {
                let bytes = c.into_inner();
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&bytes));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(WsError::xml("Premature end of data"));
    }
    root.ok_or_else(|| WsError::xml("Start tag expected, '<' not found"))
}

fn start_node(e: &quick_xml::events::BytesStart<'_>) -> Result<XmlNode, WsError> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| WsError::xml(format!("{err}")))?;
        let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
        let value = attr
            .unescape_value()
            .map_err(|err| WsError::xml(format!("{err}")))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(XmlNode {
        name,
        attrs,
        ..XmlNode::default()
    })
}

fn attach(stack: &mut [XmlNode], root: &mut Option<XmlNode>, node: XmlNode) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => {
            if root.is_none() {
                *root = Some(node);
            }
        }
    }
}

impl XmlNode {
    pub fn child(&self, name: &str) -> Option<&XmlNode> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Trimmed text of a child; `None` if absent.
    pub fn field(&self, name: &str) -> Option<String> {
        self.child(name).map(XmlNode::value_text)
    }

    /// The text of this element; for an i18n field, the text of the first `<language>`.
    pub fn value_text(&self) -> String {
        match self.child("language") {
            Some(lang) => lang.text.trim().to_owned(),
            None => self.text.trim().to_owned(),
        }
    }

    /// `<associations><groups><group><id>1</id></group>..` → the ids under a list.
    pub fn association_ids(&self, list: &str) -> Vec<String> {
        self.child("associations")
            .and_then(|a| a.child(list))
            .map(|l| {
                l.children
                    .iter()
                    .filter_map(|item| item.field("id"))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The entity of a webservice body: the first child of the root, whatever the root's name.
    pub fn entity(&self) -> Option<&XmlNode> {
        self.children.first()
    }

    /// A generic JSON view: text-only elements become strings; repeated names become arrays.
    pub fn to_json(&self) -> Value {
        if self.children.is_empty() {
            return Value::String(self.text.trim().to_owned());
        }
        let mut map: Map<String, Value> = Map::new();
        for child in &self.children {
            let v = child.to_json();
            match map.get_mut(&child.name) {
                Some(Value::Array(items)) if self.repeats(&child.name) => items.push(v),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, v]);
                }
                None => {
                    map.insert(child.name.clone(), v);
                }
            }
        }
        Value::Object(map)
    }

    fn repeats(&self, name: &str) -> bool {
        self.children.iter().filter(|c| c.name == name).count() > 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_languages_and_associations() {
        let doc = parse(
            r#"<?xml version="1.0"?><qloapps><feature_price><id_product>2</id_product>
            <feature_price_name><language id="1"><![CDATA[PMS BAR]]></language></feature_price_name>
            <associations><groups><group><id>1</id></group><group><id>3</id></group></groups></associations>
            </feature_price></qloapps>"#,
        )
        .expect("valid xml");
        let e = doc.entity().expect("entity");
        assert_eq!(e.name, "feature_price");
        assert_eq!(e.field("id_product").as_deref(), Some("2"));
        assert_eq!(e.field("feature_price_name").as_deref(), Some("PMS BAR"));
        assert_eq!(e.association_ids("groups"), vec!["1", "3"]);
    }

    #[test]
    fn json_is_an_xml_error() {
        let err = parse(r#"{"customer":{}}"#).expect_err("not xml");
        assert_eq!(err.errors[0].0, 127);
    }

    #[test]
    fn repeated_elements_become_arrays() {
        let doc = parse("<a><b><c>1</c></b><b><c>2</c></b><b><c>3</c></b></a>").expect("xml");
        assert_eq!(doc.to_json()["b"].as_array().map(Vec::len), Some(3));
    }
}
