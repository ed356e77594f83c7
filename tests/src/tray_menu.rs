//! The app's tray menu driven as a desktop's tray host drives it: over the
//! D-Bus session bus. The tray (libayatana-appindicator, through tauri's
//! tray-icon) exports a StatusNotifierItem (`org.kde.StatusNotifierItem`)
//! whose `Menu` property names a `com.canonical.dbusmenu` object; a host
//! reads the menu with `GetLayout` and reports a click with `Event`.
//!
//! ```no_run
//! # fn demo(pid: u32) -> Result<(), String> {
//! use callout_tests::tray_menu::TrayMenu;
//! let tray = TrayMenu::of_pid(pid)?;
//! println!("{:?}", tray.labels()?);
//! tray.click_under("Sandbox", "Copy live token")?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use dbus::arg::{Arg, ArgType, Get, Iter, PropMap, RefArg, Variant, prop_cast};
use dbus::blocking::{Connection, Proxy};
use dbus::strings::Signature;

const ITEM_INTERFACE: &str = "org.kde.StatusNotifierItem";
const MENU_INTERFACE: &str = "com.canonical.dbusmenu";
const PROPERTIES: &str = "org.freedesktop.DBus.Properties";
const INTROSPECTABLE: &str = "org.freedesktop.DBus.Introspectable";
/// How long one D-Bus call may take.
const CALL: Duration = Duration::from_secs(10);
/// How many objects of one connection are introspected, at most, looking
/// for the tray item.
const MAX_OBJECTS: usize = 500;

/// The tray menu of one process, as its `com.canonical.dbusmenu` object.
pub struct TrayMenu {
    connection: Connection,
    /// The unique bus name (`:1.42`) of the process's connection that
    /// exports the menu.
    owner: String,
    /// The menu object's path (the item's `Menu` property).
    path: dbus::Path<'static>,
}

/// One entry of the menu, as `GetLayout` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    /// The dbusmenu id, which `Event` takes.
    pub id: i32,
    /// The `label` property, as sent (empty for a separator).
    pub label: String,
    /// The `type` property: `"standard"` (the default) or `"separator"`.
    pub kind: String,
    /// The `enabled` property (default: true).
    pub enabled: bool,
    /// The `visible` property (default: true).
    pub visible: bool,
}

impl MenuItem {
    pub fn is_separator(&self) -> bool {
        self.kind == "separator"
    }

    /// The label as a person reads it: no indentation, no GTK mnemonic
    /// marks (`_`).
    pub fn text(&self) -> String {
        let mut text = String::new();
        let mut chars = self.label.trim().chars().peekable();
        while let Some(c) = chars.next() {
            if c == '_' {
                // `__` is a literal underscore; a single one marks a mnemonic.
                if chars.peek() == Some(&'_') {
                    chars.next();
                    text.push('_');
                }
            } else {
                text.push(c);
            }
        }
        text
    }
}

impl TrayMenu {
    /// The tray menu exported by the process `pid`: among the session
    /// bus's connections, the ones of `pid`
    /// (`GetConnectionUnixProcessID`); among their objects (found by
    /// introspection from `/`), a StatusNotifierItem; its `Menu`.
    pub fn of_pid(pid: u32) -> Result<Self, String> {
        let connection = Connection::new_session()
            .map_err(|error| format!("cannot connect to the session bus: {error}"))?;
        let bus = connection.with_proxy("org.freedesktop.DBus", "/org/freedesktop/DBus", CALL);
        let (names,): (Vec<String>,) = bus
            .method_call("org.freedesktop.DBus", "ListNames", ())
            .map_err(|error| format!("ListNames on the session bus: {error}"))?;
        let mut others = Vec::new();
        let mut searched = Vec::new();
        for name in names.into_iter().filter(|name| name.starts_with(':')) {
            let owner: Result<(u32,), _> = bus.method_call(
                "org.freedesktop.DBus",
                "GetConnectionUnixProcessID",
                (name.as_str(),),
            );
            match owner {
                Ok((owner,)) if owner == pid => {}
                Ok((owner,)) => {
                    others.push(format!("{name} (pid {owner})"));
                    continue;
                }
                Err(_) => continue,
            }
            let items = status_notifier_items(&connection, &name);
            let Some(item) = items.first() else {
                searched.push(format!("{name}: no {ITEM_INTERFACE} object"));
                continue;
            };
            let proxy = connection.with_proxy(name.as_str(), item.as_str(), CALL);
            let (menu,): (Variant<dbus::Path<'static>>,) = proxy
                .method_call(PROPERTIES, "Get", (ITEM_INTERFACE, "Menu"))
                .map_err(|error| format!("{name} {item}: reading its Menu property: {error}"))?;
            return Ok(Self {
                connection,
                owner: name,
                path: menu.0,
            });
        }
        if searched.is_empty() {
            Err(format!(
                "no connection of process {pid} on the session bus; the connections there: {}",
                others.join(", ")
            ))
        } else {
            Err(format!(
                "process {pid} exports no tray item on the session bus; its connections: {}",
                searched.join("; ")
            ))
        }
    }

    /// Where the menu is: the owner's bus name and the object path.
    pub fn address(&self) -> String {
        format!("{} {}", self.owner, self.path)
    }

    fn proxy(&self) -> Proxy<'_, &Connection> {
        self.connection
            .with_proxy(self.owner.as_str(), self.path.clone(), CALL)
    }

    /// Every entry, in menu order (submenus' entries after their parent),
    /// read as a host reads the menu it is about to show: `AboutToShow(0)`,
    /// then `GetLayout(0, -1, [])`.
    pub fn items(&self) -> Result<Vec<MenuItem>, String> {
        let proxy = self.proxy();
        let _: (bool,) = proxy
            .method_call(MENU_INTERFACE, "AboutToShow", (0i32,))
            .map_err(|error| format!("AboutToShow on {}: {error}", self.address()))?;
        let (_revision, root): (u32, Layout) = proxy
            .method_call(
                MENU_INTERFACE,
                "GetLayout",
                (0i32, -1i32, Vec::<String>::new()),
            )
            .map_err(|error| format!("GetLayout on {}: {error}", self.address()))?;
        let mut items = Vec::new();
        root.flatten_children(&mut items);
        Ok(items)
    }

    /// The labels of the visible entries ([`MenuItem::text`]), separators
    /// as `---`.
    pub fn labels(&self) -> Result<Vec<String>, String> {
        Ok(self
            .items()?
            .iter()
            .filter(|item| item.visible)
            .map(|item| {
                if item.is_separator() {
                    "---".to_string()
                } else {
                    item.text()
                }
            })
            .collect())
    }

    /// The one visible entry labelled `label`.
    pub fn item(&self, label: &str) -> Result<MenuItem, String> {
        let items = self.items()?;
        let mut found = items
            .iter()
            .filter(|item| item.visible && item.text() == label);
        match (found.next(), found.next()) {
            (Some(item), None) => Ok(item.clone()),
            (None, _) => Err(format!(
                "no entry {label:?} in the tray menu; it has {:?}",
                texts(&items)
            )),
            (Some(_), Some(_)) => Err(format!(
                "more than one entry {label:?} in the tray menu ({:?}): say which section",
                texts(&items)
            )),
        }
    }

    /// The entry labelled `label` in the section headed by an entry whose
    /// label starts with `heading` (a credential's status line,
    /// `Sandbox — valid for 4 min`): the entries after it, up to the next
    /// separator.
    pub fn item_under(&self, heading: &str, label: &str) -> Result<MenuItem, String> {
        let items = self.items()?;
        let visible: Vec<&MenuItem> = items.iter().filter(|item| item.visible).collect();
        let start = visible
            .iter()
            .position(|item| item.text().starts_with(heading))
            .ok_or_else(|| {
                format!(
                    "no section {heading:?} in the tray menu; it has {:?}",
                    texts(&items)
                )
            })?;
        visible[start + 1..]
            .iter()
            .take_while(|item| !item.is_separator())
            .find(|item| item.text() == label)
            .map(|&item| item.clone())
            .ok_or_else(|| {
                format!(
                    "no entry {label:?} under {heading:?} in the tray menu; it has {:?}",
                    texts(&items)
                )
            })
    }

    /// Clicks `item` as a tray host reports a click:
    /// `Event(id, "clicked", <int32 0>, 0)`.
    pub fn click_item(&self, item: &MenuItem) -> Result<(), String> {
        if !item.enabled {
            return Err(format!("the tray entry {:?} is disabled", item.text()));
        }
        self.proxy()
            .method_call::<(), _, _, _>(
                MENU_INTERFACE,
                "Event",
                (item.id, "clicked", Variant(0i32), 0u32),
            )
            .map_err(|error| {
                format!(
                    "Event(clicked) for {:?} (id {}) on {}: {error}",
                    item.text(),
                    item.id,
                    self.address()
                )
            })
    }

    /// Clicks the one entry labelled `label` ([`Self::item`]).
    pub fn click(&self, label: &str) -> Result<MenuItem, String> {
        let item = self.item(label)?;
        self.click_item(&item)?;
        Ok(item)
    }

    /// Clicks the entry `label` in the section `heading` ([`Self::item_under`]).
    pub fn click_under(&self, heading: &str, label: &str) -> Result<MenuItem, String> {
        let item = self.item_under(heading, label)?;
        self.click_item(&item)?;
        Ok(item)
    }
}

fn texts(items: &[MenuItem]) -> Vec<String> {
    items
        .iter()
        .map(|item| {
            let mut text = if item.is_separator() {
                "---".to_string()
            } else {
                item.text()
            };
            if !item.visible {
                text.push_str(" (hidden)");
            } else if !item.enabled {
                text.push_str(" (disabled)");
            }
            text
        })
        .collect()
}

/// The objects of the connection `name` that implement the
/// StatusNotifierItem interface, found by introspecting from `/`.
fn status_notifier_items(connection: &Connection, name: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec!["/".to_string()];
    let mut seen = 0;
    while let Some(path) = pending.pop() {
        seen += 1;
        if seen > MAX_OBJECTS {
            break;
        }
        let proxy = connection.with_proxy(name, path.as_str(), CALL);
        let Ok((xml,)) = proxy.method_call::<(String,), _, _, _>(INTROSPECTABLE, "Introspect", ())
        else {
            continue;
        };
        if xml.contains(&format!("<interface name=\"{ITEM_INTERFACE}\"")) {
            found.push(path.clone());
        }
        for child in child_nodes(&xml) {
            let base = path.trim_end_matches('/');
            pending.push(format!("{base}/{child}"));
        }
    }
    found
}

/// The `<node name="...">` children of an introspection document.
fn child_nodes(xml: &str) -> Vec<&str> {
    xml.match_indices("<node name=\"")
        .filter_map(|(at, open)| {
            let rest = &xml[at + open.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .filter(|name| !name.is_empty() && !name.starts_with('/'))
        .collect()
}

/// A dbusmenu layout node, `(ia{sv}av)`: id, properties, children (each a
/// variant holding a node).
struct Layout {
    id: i32,
    properties: PropMap,
    children: Vec<Variant<Layout>>,
}

impl Layout {
    fn item(&self) -> MenuItem {
        let text = |key: &str| prop_cast::<String>(&self.properties, key).cloned();
        let flag = |key: &str| {
            self.properties
                .get(key)
                .and_then(|value| value.0.as_i64())
                .is_none_or(|value| value != 0)
        };
        MenuItem {
            id: self.id,
            label: text("label").unwrap_or_default(),
            kind: text("type").unwrap_or_else(|| "standard".to_string()),
            enabled: flag("enabled"),
            visible: flag("visible"),
        }
    }

    fn flatten_children(&self, into: &mut Vec<MenuItem>) {
        for Variant(child) in &self.children {
            into.push(child.item());
            child.flatten_children(into);
        }
    }
}

impl Arg for Layout {
    const ARG_TYPE: ArgType = ArgType::Struct;
    fn signature() -> Signature<'static> {
        Signature::from("(ia{sv}av)")
    }
}

impl<'a> Get<'a> for Layout {
    fn get(iter: &mut Iter<'a>) -> Option<Self> {
        let mut fields = iter.recurse(ArgType::Struct)?;
        Some(Self {
            id: fields.read().ok()?,
            properties: fields.read().ok()?,
            children: fields.read().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_nodes_are_read_from_introspection() {
        let xml = r#"<node><interface name="x"/><node name="org"/><node name="tray_icon"/></node>"#;
        assert_eq!(child_nodes(xml), ["org", "tray_icon"]);
    }

    #[test]
    fn text_drops_indentation_and_mnemonics() {
        let item = MenuItem {
            id: 1,
            label: "    _Copy live__token".into(),
            kind: "standard".into(),
            enabled: true,
            visible: true,
        };
        assert_eq!(item.text(), "Copy live_token");
    }
}
