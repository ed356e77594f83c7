//! The socket side: binds `127.0.0.1`, reads each request whole on a thread of
//! its own (so an injected hang never blocks other requests), routes it and
//! writes the reply.

use std::io::{Read, Write};
use std::sync::Arc;

use tiny_http::{Header, Response, Server};

use super::RequestLogLine;
use super::http::{Incoming, Reply};
use super::provider::Provider;
use super::routes::route;

/// Request bodies above this are refused with 413.
const MAX_BODY: u64 = 1024 * 1024;

/// Connections that may wait to be accepted. A thousand clients connecting at
/// once (a refresh storm) must fit: when the queue overflows, the kernel drops
/// the connection attempt and the client tries again only a second later.
const BACKLOG: i32 = 1024;

/// A listening socket on `127.0.0.1:port` (0: any free port).
pub(crate) fn listen(port: u16) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    // As std's bind does: a restarted sandbox may take its port back at once.
    socket.set_reuse_address(true)?;
    // Answers go out as they are written (accepted sockets inherit this).
    socket.set_tcp_nodelay(true)?;
    socket.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// Accepts requests until the server is unblocked at shutdown.
pub(crate) fn accept_loop(server: Arc<Server>, provider: Arc<Provider>) {
    loop {
        match server.recv() {
            Ok(request) => {
                let provider = Arc::clone(&provider);
                // If no thread can be had, the request is dropped and its
                // connection closed: the client sees an error, nothing hangs.
                let _ = std::thread::Builder::new()
                    .name("sandbox-request".into())
                    .spawn(move || handle(&provider, request));
            }
            Err(_) if provider.shutdown.is_triggered() => return,
            Err(_) => continue,
        }
    }
}

fn handle(provider: &Provider, mut request: tiny_http::Request) {
    let reply = match read(&mut request) {
        Ok(incoming) => {
            let reply = route(provider, &incoming);
            log(provider, &incoming, &reply);
            reply
        }
        Err(reply) => reply,
    };
    respond(request, reply);
}

/// Writes the whole response with one write. (`Request::respond` flushes a
/// response longer than tiny_http's 1 KiB buffer in two writes, and with
/// Nagle's algorithm on the socket the second waits for the client's delayed
/// ACK: 40 ms for every fault page.)
fn respond(request: tiny_http::Request, reply: Reply) {
    let mut bytes = Vec::with_capacity(reply.body.len() + 512);
    let head_only = *request.method() == tiny_http::Method::Head;
    let printed = response(reply).raw_print(
        &mut bytes,
        request.http_version().clone(),
        request.headers(),
        head_only,
        None,
    );
    if printed.is_err() {
        return;
    }
    let mut writer = request.into_writer();
    // The client may have gone away (a timeout during a hang): nothing to do.
    let _ = writer.write_all(&bytes).and_then(|()| writer.flush());
}

fn read(request: &mut tiny_http::Request) -> Result<Incoming, Reply> {
    let (path, query) = request
        .url()
        .split_once('?')
        .map_or((request.url(), ""), |(path, query)| (path, query));
    let (path, query) = (path.to_string(), query.to_string());
    let headers = request
        .headers()
        .iter()
        .map(|header| {
            (
                header.field.as_str().as_str().to_string(),
                header.value.as_str().to_string(),
            )
        })
        .collect();
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body)
        .map_err(|error| {
            Reply::new(
                400,
                "text/plain;charset=UTF-8",
                format!("could not read the request body: {error}"),
            )
        })?;
    if body.len() as u64 > MAX_BODY {
        return Err(Reply::new(
            413,
            "text/plain;charset=UTF-8",
            "request body too large (limit 1 MiB)",
        ));
    }
    Ok(Incoming {
        method: request.method().as_str().to_ascii_uppercase(),
        path,
        query,
        headers,
        body,
    })
}

fn log(provider: &Provider, incoming: &Incoming, reply: &Reply) {
    if let Some(logger) = &provider.config.log {
        logger.write(&RequestLogLine {
            method: incoming.method.clone(),
            path: incoming.path.clone(),
            status: reply.status,
            outcome: reply.outcome.clone(),
        });
    }
}

fn response(reply: Reply) -> Response<std::io::Cursor<Vec<u8>>> {
    reply
        .headers
        .iter()
        .filter_map(|(name, value)| Header::from_bytes(name.as_bytes(), value.as_bytes()).ok())
        .fold(
            Response::from_data(reply.body).with_status_code(reply.status),
            Response::with_header,
        )
}
