//! The loopback listener of the browser sign-in (RFC 8252 §7.3): a socket on
//! `127.0.0.1` and a free port (or, for a credential with a fixed redirect
//! URI, the loopback addresses and the port it names) that takes plain `GET`
//! requests and answers each with a small page, then closes the connection.
//!
//! Any local program can connect, so what it reads is bounded: a request's
//! head (request line and headers) is read up to [`MAX_REQUEST_HEAD`] bytes
//! and within [`HEAD_TIMEOUT`], on a thread per connection, so neither an
//! endless header nor a silent connection can fill the memory or hold up
//! the browser's real redirect. No body is ever read.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// The most bytes of a request's head read; a redirect with a long code and
/// a browser's headers stays far below.
pub(crate) const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// How long a connection may take to send its request's head (and to take
/// the answer).
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// A `GET` that reached the listener: its target and the connection to
/// answer on.
pub(crate) struct Request {
    target: String,
    stream: TcpStream,
}

impl Request {
    /// The request target (path and query) as sent.
    pub(crate) fn url(&self) -> &str {
        &self.target
    }

    /// Answers with an HTML page and closes the connection.
    pub(crate) fn respond(self, status: u16, title: &str, message: &str) {
        let page = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · \
             Callout Lab</title></head><body style=\"font-family:system-ui,sans-serif;\
             max-width:32rem;margin:3rem auto\"><h1>{title}</h1><p>{}</p></body></html>",
            escape(message)
        );
        answer(self.stream, status, &page);
    }
}

/// The listening sockets and the requests their connection threads have read.
pub(crate) struct Listener {
    /// One per loopback address listened on; all on the same port.
    sockets: Vec<TcpListener>,
    sender: Sender<Request>,
    requests: Receiver<Request>,
}

impl Listener {
    /// Listens on `127.0.0.1` and a free port.
    pub(crate) fn bind() -> std::io::Result<Self> {
        Self::on(vec![TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?])
    }

    /// Listens on `port` of the loopback addresses `host` stands for:
    /// `127.0.0.1` or `[::1]` as written; for `localhost` both, since the
    /// browser may connect to either (IPv6 is skipped where the system has
    /// none). A port another program holds is an `AddrInUse` error.
    pub(crate) fn bind_at(host: &str, port: u16) -> std::io::Result<Self> {
        let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, port));
        let sockets = match host {
            "[::1]" => vec![TcpListener::bind(v6)?],
            "localhost" => {
                let mut sockets = vec![TcpListener::bind(v4)?];
                match TcpListener::bind(v6) {
                    Ok(socket) => sockets.push(socket),
                    Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => {
                        return Err(error);
                    }
                    // No IPv6 loopback here: the browser cannot use it either.
                    Err(_) => {}
                }
                sockets
            }
            _ => vec![TcpListener::bind(v4)?],
        };
        Self::on(sockets)
    }

    fn on(sockets: Vec<TcpListener>) -> std::io::Result<Self> {
        for socket in &sockets {
            socket.set_nonblocking(true)?;
        }
        let (sender, requests) = mpsc::channel();
        Ok(Self {
            sockets,
            sender,
            requests,
        })
    }

    pub(crate) fn port(&self) -> std::io::Result<u16> {
        match self.sockets.first() {
            Some(socket) => Ok(socket.local_addr()?.port()),
            None => Err(std::io::ErrorKind::NotConnected.into()),
        }
    }

    /// The next request read within `wait`; `Ok(None)` when none came.
    pub(crate) fn recv_timeout(&self, wait: Duration) -> std::io::Result<Option<Request>> {
        self.accept_waiting()?;
        match self.requests.recv_timeout(wait) {
            Ok(request) => Ok(Some(request)),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => Ok(None),
        }
    }

    /// Takes every connection waiting to be accepted, each read on a thread
    /// of its own.
    fn accept_waiting(&self) -> std::io::Result<()> {
        for socket in &self.sockets {
            Self::accept_on(socket, &self.sender)?;
        }
        Ok(())
    }

    fn accept_on(socket: &TcpListener, sender: &Sender<Request>) -> std::io::Result<()> {
        loop {
            match socket.accept() {
                Ok((stream, _)) => {
                    let sender = sender.clone();
                    std::thread::spawn(move || {
                        if let Some(request) = read_request(stream) {
                            // The wait may have ended meanwhile; then nobody listens.
                            let _ = sender.send(request);
                        }
                    });
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => return Ok(()),
                Err(error)
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::Interrupted | std::io::ErrorKind::ConnectionAborted
                    ) => {}
                Err(error) => return Err(error),
            }
        }
    }
}

/// Reads one request's head, bounded in size and time; answers (and drops)
/// what is not a `GET` within the bounds.
fn read_request(mut stream: TcpStream) -> Option<Request> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(HEAD_TIMEOUT)).ok()?;
    stream.set_write_timeout(Some(HEAD_TIMEOUT)).ok()?;
    let mut head = Vec::new();
    let mut buffer = [0_u8; 2048];
    loop {
        if head.len() > MAX_REQUEST_HEAD {
            answer(stream, 431, "request too large");
            return None;
        }
        let read = match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return None,
            Ok(read) => read,
        };
        // Only the new bytes (and the three before them) can complete the
        // blank line that ends the head.
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&buffer[..read]);
        if head[from..].windows(4).any(|window| window == b"\r\n\r\n") {
            break;
        }
    }
    let line = head.split(|&byte| byte == b'\n').next()?;
    let line = String::from_utf8_lossy(line);
    let mut words = line.split_whitespace();
    let (method, target) = (words.next()?, words.next()?.to_string());
    if method != "GET" {
        answer(stream, 405, "only GET is taken here");
        return None;
    }
    Some(Request { target, stream })
}

/// Writes a complete HTTP/1.1 answer and closes the connection.
fn answer(mut stream: TcpStream, status: u16, page: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        page.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(page.as_bytes()))
        .and_then(|()| stream.flush());
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
