//! The five characters XML reserves, as the entities every exporter writes
//! them with (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`): one table for
//! the Salesforce metadata, the Apex mocks' static resources and the JUnit
//! report, each adding its own rule for the other characters.

/// The entity `c` is written as in XML text and attribute values, if it
/// is one of the five reserved characters.
pub(crate) fn xml_entity(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        _ => None,
    }
}

/// `text` with the five reserved characters as entities, fit for XML
/// character data and attribute values.
pub(crate) fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match xml_entity(c) {
            Some(entity) => out.push_str(entity),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_reserved_characters_become_entities() {
        assert_eq!(
            escape_xml(r#"a & b < c > d " e ' f"#),
            "a &amp; b &lt; c &gt; d &quot; e &apos; f"
        );
        assert_eq!(xml_entity('x'), None);
    }
}
