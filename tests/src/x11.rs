//! What a window manager or a person does to the app's window, done over the
//! X protocol: find it by title, ask it to close (the title bar's ×), and
//! see whether it is on screen; and what another app pasting does: read the
//! clipboard.

use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt, CreateWindowAux, EventMask, MapState, Window,
    WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::{COPY_DEPTH_FROM_PARENT, COPY_FROM_PARENT, CURRENT_TIME, NONE};

/// How long the clipboard's owner has to answer a request for its text.
const SELECTION_ANSWER: Duration = Duration::from_secs(5);

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

    /// The text on the clipboard (the `CLIPBOARD` selection, asked for as
    /// `UTF8_STRING`), as an app pasting it asks for it: `Ok(None)` when
    /// nobody owns the clipboard or its owner has no text to give; an error
    /// when the owner does not answer within a few seconds or the answer
    /// is not UTF-8. A small unmapped window of this connection receives
    /// the text.
    pub fn clipboard_text(&self) -> Result<Option<String>, String> {
        let requestor = self
            .connection
            .generate_id()
            .map_err(|error| format!("no X id for a window: {error}"))?;
        self.connection
            .create_window(
                COPY_DEPTH_FROM_PARENT,
                requestor,
                self.root,
                0,
                0,
                1,
                1,
                0,
                WindowClass::INPUT_OUTPUT,
                COPY_FROM_PARENT,
                &CreateWindowAux::new(),
            )
            .map_err(|error| format!("create a window to paste into: {error}"))?;
        let text = self.convert_clipboard(requestor);
        let _ = self.connection.destroy_window(requestor);
        let _ = self.connection.flush();
        text
    }

    fn convert_clipboard(&self, requestor: Window) -> Result<Option<String>, String> {
        let clipboard = self.atom("CLIPBOARD");
        let utf8 = self.atom("UTF8_STRING");
        let property = self.atom("CALLOUT_TESTS_PASTE");
        self.connection
            .convert_selection(requestor, clipboard, utf8, property, CURRENT_TIME)
            .map_err(|error| format!("ConvertSelection: {error}"))?;
        self.connection
            .flush()
            .map_err(|error| format!("flush the X connection: {error}"))?;
        // The owner (or the server, when there is none) answers with a
        // SelectionNotify to the requestor.
        let deadline = Instant::now() + SELECTION_ANSWER;
        let notify = loop {
            match self
                .connection
                .poll_for_event()
                .map_err(|error| format!("read X events: {error}"))?
            {
                Some(Event::SelectionNotify(notify)) if notify.requestor == requestor => {
                    break notify;
                }
                Some(_) => {}
                None if Instant::now() >= deadline => {
                    let owner = self
                        .connection
                        .get_selection_owner(clipboard)
                        .ok()
                        .and_then(|cookie| cookie.reply().ok())
                        .map_or(NONE, |reply| reply.owner);
                    return Err(format!(
                        "the clipboard's owner (window {owner:#x}) did not answer within {} s",
                        SELECTION_ANSWER.as_secs()
                    ));
                }
                None => std::thread::sleep(Duration::from_millis(10)),
            }
        };
        if notify.property == NONE {
            return Ok(None);
        }
        let reply = self
            .connection
            .get_property(true, requestor, property, AtomEnum::ANY, 0, u32::MAX / 4)
            .map_err(|error| format!("GetProperty: {error}"))?
            .reply()
            .map_err(|error| format!("GetProperty: {error}"))?;
        if reply.type_ != utf8 {
            let kind = self
                .connection
                .get_atom_name(reply.type_)
                .ok()
                .and_then(|cookie| cookie.reply().ok())
                .map_or_else(
                    || reply.type_.to_string(),
                    |name| String::from_utf8_lossy(&name.name).into_owned(),
                );
            return Err(format!(
                "the clipboard answered with {kind}, not UTF8_STRING text"
            ));
        }
        String::from_utf8(reply.value)
            .map(Some)
            .map_err(|error| format!("the clipboard's text is not UTF-8: {error}"))
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
