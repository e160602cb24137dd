//! `xml`: eXtensible Markup Language (W3C XML 1.0) as tshark 4.0 shows it: the layer XMPP
//! parses its stanzas with (hidden under the `xmpp` tree, as in tshark) and the media layer for
//! `application/xml` and friends (CoAP Content-Format 41, HTTP bodies).
//!
//! ```text
//! <?xml version='1.0'?><iq type='get'><query xmlns='jabber:iq:roster'/></iq>
//!
//! eXtensible Markup Language
//!     <?xml                                   xml.xmlpi.xml (the whole PI)
//!         version='1.0'                           xml.xmlpi.xml.version = 1.0
//!         ?>
//!     <iq                                     xml.tag = "<iq type='get'>"
//!         type='get'>                             xml.attribute = "type='get'"
//!         <query                                  xml.tag = "<query xmlns='…'/>"
//!             xmlns='jabber:iq:roster'/>              xml.attribute
//!         </iq>
//! ```
//! The bytes are read as a stream of tokens ([`lexer`]) with a stack of open elements, not as a
//! document: a fragment that closes elements it did not open (the rest of a stanza whose start
//! was in another PDU) shows each such closing tag with the expert item
//! `xml.closing_unopened_tag`, and an element left open simply ends with the data. Text
//! outside any element is `xml.unknown`, inside one `xml.cdata`.
//!
//! Elements that a DTD tshark ships describes get that DTD's fields instead of `xml.tag`;
//! lowshark knows the one XMPP traffic meets, RFC 3863 presence ([`presence`]: `<presence>`
//! stanzas show as `presence` with `presence.status` …), and none of tshark's other DTDs (RSS,
//! SMIL, XCAP, …).

use crate::engine::expert::{ExpertDef, Group, Severity};
use crate::engine::field::{FieldDef, FieldType as T};
use crate::engine::registry::Registry;
use crate::engine::tree::NodeId;
use crate::engine::tvb::{Result, Tvb};
use crate::engine::value::{bytes_to_text, Value};
use crate::engine::Cx;

pub mod lexer;
pub mod presence;
#[cfg(test)]
mod tests;

use lexer::{Attr, Kind, Lexer, Token};

crate::fields! {
    PROTO = FieldDef::protocol("xml", "eXtensible Markup Language");
    XMLPI = FieldDef::new("xml.xmlpi", "XMLPI", T::String);
    CDATASECTION = FieldDef::new("xml.cdatasection", "CDATASection", T::String);
    COMMENT = FieldDef::new("xml.comment", "Comment", T::String);
    ATTRIBUTE = FieldDef::new("xml.attribute", "Attribute", T::String);
    DOCTYPE = FieldDef::new("xml.doctype", "Doctype", T::String);
    DTDTAG = FieldDef::new("xml.dtdtag", "DTD Tag", T::String);
    CDATA = FieldDef::new("xml.cdata", "CDATA", T::String);
    TAG = FieldDef::new("xml.tag", "Tag", T::String);
    UNKNOWN = FieldDef::new("xml.unknown", "Unknown", T::String);
    XMLPI_XML = FieldDef::new("xml.xmlpi.xml", "xml.xmlpi.xml", T::String);
    XMLPI_XML_ENCODING = FieldDef::new("xml.xmlpi.xml.encoding", "encoding", T::String);
    XMLPI_XML_VERSION = FieldDef::new("xml.xmlpi.xml.version", "version", T::String);
    XMLPI_XML_STANDALONE = FieldDef::new("xml.xmlpi.xml.standalone", "standalone", T::String);
}

crate::experts! {
    CLOSING_UNOPENED_TAG = ExpertDef::new("xml.closing_unopened_tag", Group::Malformed, Severity::Error, "Closing an unopened tag");
    CLOSING_UNOPENED_XMPLI_TAG = ExpertDef::new("xml.closing_unopened_xmpli_tag", Group::Malformed, Severity::Error, "Closing an unopened xmpli tag");
    UNRECOGNIZED_TEXT = ExpertDef::new("xml.unrecognized_text", Group::Protocol, Severity::Warn, "Unrecognized text");
}

crate::protocol!("xml", "XML", dissect, register, EXPERTS);

/// The media types tshark 4.0 shows as XML.
const XML_TYPES: &[&str] = &[
    "text/xml",
    "application/xml",
    "application/soap+xml",
    "application/xml-dtd",
    "text/vnd.wap.wml",
    "text/vnd.wap.si",
    "text/vnd.wap.sl",
    "text/vnd.wap.co",
    "text/vnd.wap.emn",
    "application/vnd.wv.csp+xml",
    "application/xcap-el+xml",
    "application/xcap-att+xml",
    "application/xcap-error+xml",
    "application/xcap-caps+xml",
    "application/auth-policy+xml",
    "application/smil",
    "application/cpim-pidf+xml",
    "application/rdf+xml",
    "application/xslt+xml",
    "application/mathml+xml",
    "image/svg+xml",
    "application/vnd.wv.csp.xml",
    "application/resource-lists+xml",
    "application/senml+xml",
    "application/sensml+xml",
];

fn register(r: &mut Registry) {
    crate::proto::media::register_types(r, XML_TYPES, &PROTOCOL);
}

/// A namespace of element names and the fields their tags, text and attributes use (tshark's
/// `xml_ns_t`); the DTDs' namespaces are static data ([`presence`]).
pub struct Ns {
    pub name: &'static str,
    pub tag: &'static FieldDef,
    pub cdata: &'static FieldDef,
    pub attrs: &'static [(&'static str, &'static FieldDef)],
    /// Elements known inside this one; None: the DTD roots (an unknown element's children are
    /// looked up among them).
    pub elements: Option<&'static [&'static Ns]>,
}

impl Ns {
    fn element(&self, name: &str) -> Option<&'static Ns> {
        self.elements
            .unwrap_or(DTD_ROOTS)
            .iter()
            .find(|n| n.name == name)
            .copied()
    }

    fn attr(&self, name: &str) -> Option<&'static FieldDef> {
        self.attrs.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }
}

/// The root elements of the DTDs lowshark knows.
static DTD_ROOTS: &[&Ns] = &[&presence::PRESENCE];

/// The document itself: its text outside elements is `xml.unknown`.
static XML_NS: Ns = Ns {
    name: "xml",
    tag: &PROTO,
    cdata: &UNKNOWN,
    attrs: &[],
    elements: None,
};

/// Elements no DTD describes.
static UNKNOWN_NS: Ns = Ns {
    name: "unknown",
    tag: &TAG,
    cdata: &CDATA,
    attrs: &[],
    elements: None,
};

/// `<?xml …?>` and its attributes.
static XMLPI_NS: Ns = Ns {
    name: "xml",
    tag: &XMLPI_XML,
    cdata: &UNKNOWN,
    attrs: &[
        ("version", &XMLPI_XML_VERSION),
        ("encoding", &XMLPI_XML_ENCODING),
        ("standalone", &XMLPI_XML_STANDALONE),
    ],
    elements: Some(&[]),
};

/// An element (or PI, or DOCTYPE) open on the stack.
struct Frame {
    node: NodeId,
    /// The item a `>` or `/>` is appended to (the tag, or its last attribute) and its label.
    last: NodeId,
    last_label: String,
    start: usize,
    ns: Option<&'static Ns>,
}

/// What the tree builder keeps while reading tokens.
struct Builder<'t, 'a> {
    tvb: &'t Tvb<'a>,
    stack: Vec<Frame>,
    /// The document's namespace (XML, or a DTD's when the media type names one).
    root_ns: &'static Ns,
}

impl Builder<'_, '_> {
    fn text(&self, s: usize, e: usize) -> String {
        String::from_utf8_lossy(&self.tvb.data()[s..e]).into_owned()
    }

    fn shown(&self, s: usize, e: usize) -> String {
        bytes_to_text(&self.tvb.data()[s..e])
    }

    fn top(&self) -> &Frame {
        // The document's own frame is never popped.
        &self.stack[self.stack.len() - 1]
    }

    /// Pops the innermost frame, or reports a closing that has nothing to close.
    fn pop(&mut self, cx: &mut Cx, t: &Token, def: &'static ExpertDef) {
        if self.stack.len() > 1 {
            self.stack.pop();
        } else {
            let node = self.top().node;
            cx.add_expert_item(node, self.tvb.range(t.start, t.end - t.start), def, None);
        }
    }

    /// A leaf token added with its text as label (`after_token`).
    fn leaf(&mut self, cx: &mut Cx, t: &Token, field: &'static FieldDef) {
        let r = self.tvb.range(t.start, t.end - t.start);
        let n = cx.add(
            self.top().node,
            field,
            r,
            Value::str(self.text(t.start, t.end)),
        );
        cx.set_text(n, self.shown(t.start, t.end));
    }

    /// A free-text item with the token's text (`</a>`, `?>`, `]>`).
    fn label(&mut self, cx: &mut Cx, parent: NodeId, s: usize, e: usize) {
        let r = self.tvb.range(s, e - s);
        cx.add_text(parent, r, self.shown(s, e));
    }

    /// Opens a frame for an element or PI whose tag item is `field` (label `<name`).
    fn open(
        &mut self,
        cx: &mut Cx,
        t: &Token,
        field: &'static FieldDef,
        name_end: usize,
        ns: Option<&'static Ns>,
    ) {
        let r = self.tvb.range(t.start, t.end - t.start);
        let value = match field.ftype {
            T::Protocol => Value::None,
            _ => Value::str(self.text(t.start, t.end)),
        };
        let n = cx.add(self.top().node, field, r, value);
        let label = self.shown(t.start, name_end);
        self.push(cx, n, label, t.start, ns);
    }

    /// Labels the item of an element (or DOCTYPE) that opened at `start` and makes it the
    /// one later tokens go under.
    fn push(
        &mut self,
        cx: &mut Cx,
        node: NodeId,
        label: String,
        start: usize,
        ns: Option<&'static Ns>,
    ) {
        cx.set_text(node, label.as_str());
        self.stack.push(Frame {
            node,
            last: node,
            last_label: label,
            start,
            ns,
        });
    }

    /// The attributes of the element just opened: the DTD's field when it knows the name
    /// (value without quotes), else `xml.attribute` (the whole `name='value'`).
    fn attributes(&mut self, cx: &mut Cx, attrs: &[Attr]) {
        for a in attrs {
            let name = self.text(a.name.0, a.name.1).to_ascii_lowercase();
            let known = self.top().ns.and_then(|ns| ns.attr(&name));
            let (field, (vs, ve)) = match known {
                Some(f) => (f, a.value),
                None => (&ATTRIBUTE, (a.start, a.end)),
            };
            let r = self.tvb.range(vs, ve - vs);
            let n = cx.add(self.top().node, field, r, Value::str(self.text(vs, ve)));
            let label = self.shown(a.start, a.end);
            cx.set_text(n, label.clone());
            let top = self.stack.len() - 1;
            self.stack[top].last = n;
            self.stack[top].last_label = label;
        }
    }

    /// Appends `>` or `/>` to the label of the last item of the innermost frame.
    fn append_label(&mut self, cx: &mut Cx, s: &str) {
        let top = self.stack.len() - 1;
        let frame = &mut self.stack[top];
        frame.last_label.push_str(s);
        cx.set_text(frame.last, frame.last_label.clone());
    }

    /// The namespace of an element named `name` (with `prefix` when prefixed) opened inside
    /// the innermost frame.
    fn element_ns(&self, name: (usize, usize), prefix: Option<(usize, usize)>) -> &'static Ns {
        match prefix {
            Some(p) => {
                let root = self.text(p.0, p.1);
                let leaf = self.text(p.1 + 1, name.1);
                XML_NS
                    .element(&root)
                    .and_then(|r| r.element(&leaf))
                    .unwrap_or(&UNKNOWN_NS)
            }
            None => {
                let local = self.text(name.0, name.1).to_ascii_lowercase();
                match self.top().ns {
                    Some(ns) => ns
                        .element(&local)
                        .or_else(|| self.root_ns.element(&local))
                        .unwrap_or(&UNKNOWN_NS),
                    None => &UNKNOWN_NS,
                }
            }
        }
    }

    fn token(&mut self, cx: &mut Cx, t: Token) {
        match &t.kind {
            Kind::Comment => self.leaf(cx, &t, &COMMENT),
            Kind::CDataSection => self.leaf(cx, &t, &CDATASECTION),
            Kind::Text => {
                let f = self.top().ns.map_or(&CDATA, |ns| ns.cdata);
                self.leaf(cx, &t, f);
            }
            Kind::DtdTag => self.leaf(cx, &t, &DTDTAG),
            Kind::Pi { name, attrs, close } => self.pi(cx, &t, *name, attrs, *close),
            Kind::Open {
                name,
                prefix,
                attrs,
                empty,
            } => {
                let ns = self.element_ns(*name, *prefix);
                self.open(cx, &t, ns.tag, name.1, Some(ns));
                self.attributes(cx, attrs);
                if *empty {
                    self.append_label(cx, "/>");
                    self.pop(cx, &t, &CLOSING_UNOPENED_TAG);
                } else {
                    self.append_label(cx, ">");
                }
            }
            Kind::Close => {
                let (node, start) = (self.top().node, self.top().start);
                if self.stack.len() > 1 {
                    cx.tree.node_mut(node).range = self.tvb.range(start, t.end - start);
                }
                self.label(cx, node, t.start, t.end);
                self.pop(cx, &t, &CLOSING_UNOPENED_TAG);
            }
            Kind::Doctype { name, open } => {
                let r = self.tvb.range(name.0, name.1 - name.0);
                let parent = self.top().node;
                let n = cx.add(parent, &DOCTYPE, r, Value::str(self.text(name.0, name.1)));
                let label = self.shown(t.start, t.end);
                self.push(cx, n, label, t.start, None);
                if !open {
                    self.pop(cx, &t, &CLOSING_UNOPENED_TAG);
                }
            }
            Kind::DtdClose => {
                let node = self.top().node;
                self.label(cx, node, t.start, t.end);
                self.pop(cx, &t, &CLOSING_UNOPENED_TAG);
            }
            Kind::Unrecognized => {
                let node = self.top().node;
                let r = self.tvb.range(t.start, t.end - t.start);
                cx.add_expert_item(node, r, &UNRECOGNIZED_TEXT, None);
            }
        }
    }

    /// `<?name attrs?>`: `xml.xmlpi.xml` with its known attributes for `<?xml`, `xml.xmlpi`
    /// otherwise.
    fn pi(&mut self, cx: &mut Cx, t: &Token, name: (usize, usize), attrs: &[Attr], close: usize) {
        let is_xml = self.text(name.0, name.1).eq_ignore_ascii_case("xml");
        let (field, ns) = if is_xml {
            (&XMLPI_XML, Some(&XMLPI_NS))
        } else {
            (&XMLPI, None)
        };
        self.open(cx, t, field, name.1, ns);
        self.attributes(cx, attrs);
        let node = self.top().node;
        self.label(cx, node, close, t.end);
        self.pop(cx, t, &CLOSING_UNOPENED_XMPLI_TAG);
    }
}

fn dissect(tvb: &Tvb, cx: &mut Cx, parent: NodeId) -> Result<()> {
    let carrier = cx.columns.protocol.clone();
    let root_ns = match cx.match_string.as_deref() {
        Some(t) if t.eq_ignore_ascii_case(presence::MEDIA_TYPE) => &presence::PRESENCE,
        _ => &XML_NS,
    };
    let node = cx.add_proto(parent, &PROTOCOL, tvb.whole());
    cx.columns.protocol = carrier;
    cx.append_protocol("/", &root_ns.name.to_ascii_uppercase());
    let mut b = Builder {
        tvb,
        stack: vec![Frame {
            node,
            last: node,
            last_label: String::new(),
            start: 0,
            ns: Some(root_ns),
        }],
        root_ns,
    };
    for t in Lexer::new(tvb.data()) {
        b.token(cx, t);
    }
    Ok(())
}
