//! What a window manager or a person does to the app's window, done over the
//! X protocol: find it by title, ask it to close (the title bar's ×), and
//! see whether it is on screen.

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt, EventMask, MapState, Window,
};
use x11rb::rust_connection::RustConnection;

pub struct Display {
    connection: RustConnection,
    root: Window,
}

impl Display {
    /// Connects to `$DISPLAY`.
    pub fn open() -> Self {
        let (connection, screen) = x11rb::connect(None).expect("connect to the X display");
        let root = connection.setup().roots[screen].root;
        Self { connection, root }
    }

    /// The top-level windows whose title is exactly `title`.
    pub fn windows_titled(&self, title: &str) -> Vec<Window> {
        let mut found = Vec::new();
        let mut pending = vec![self.root];
        while let Some(window) = pending.pop() {
            if self.title(window).as_deref() == Some(title) {
                found.push(window);
            }
            let tree = self.connection.query_tree(window).ok();
            if let Some(tree) = tree.and_then(|cookie| cookie.reply().ok()) {
                pending.extend(tree.children);
            }
        }
        found
    }

    /// Whether the window is mapped (shown) right now.
    pub fn is_shown(&self, window: Window) -> bool {
        self.connection
            .get_window_attributes(window)
            .ok()
            .and_then(|cookie| cookie.reply().ok())
            .is_some_and(|attributes| attributes.map_state == MapState::VIEWABLE)
    }

    /// Sends the window the close request a window manager sends when the
    /// user clicks ×: a `WM_DELETE_WINDOW` client message.
    pub fn request_close(&self, window: Window) {
        let protocols = self.atom("WM_PROTOCOLS");
        let delete = self.atom("WM_DELETE_WINDOW");
        let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
        self.connection
            .send_event(false, window, EventMask::NO_EVENT, event)
            .expect("send WM_DELETE_WINDOW");
        self.connection.flush().expect("flush the X connection");
    }

    fn title(&self, window: Window) -> Option<String> {
        let utf8 = self.atom("UTF8_STRING");
        for (property, kind) in [
            (self.atom("_NET_WM_NAME"), utf8),
            (AtomEnum::WM_NAME.into(), AtomEnum::STRING.into()),
        ] {
            let reply = self
                .connection
                .get_property(false, window, property, kind, 0, 1024)
                .ok()?
                .reply()
                .ok()?;
            if !reply.value.is_empty() {
                return String::from_utf8(reply.value).ok();
            }
        }
        None
    }

    fn atom(&self, name: &str) -> u32 {
        self.connection
            .intern_atom(false, name.as_bytes())
            .expect("intern an atom")
            .reply()
            .expect("intern an atom")
            .atom
    }
}
