//! The socket side: binds `127.0.0.1`, serves HTTP/1.1 with hyper on a runtime
//! of the sandbox's own, reads each request whole, and routes it on the
//! blocking pool (handlers are plain functions and an injected hang sleeps, so
//! a hang never holds up other requests), then writes the reply.
//!
//! This is the only place that touches the HTTP library.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::header::{HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use crate::RequestLogLine;
use crate::http::{Incoming, Reply};
use crate::provider::Provider;
use crate::routes::route;

/// Request bodies above this are refused with 413.
const MAX_BODY: usize = 1024 * 1024;

/// Connections that may wait to be accepted. A thousand clients connecting at
/// once (a refresh storm) must fit: when the queue overflows, the kernel drops
/// the connection attempt and the client tries again only a second later.
const BACKLOG: i32 = 1024;

/// Threads that read and write sockets (handlers run on the blocking pool).
const IO_THREADS: usize = 2;

/// How long a stopping sandbox waits for handlers still running (an injected
/// hang is released by the shutdown signal, so they end at once).
const STOP_GRACE: Duration = Duration::from_secs(2);

/// A listening socket on `127.0.0.1:port` (0: any free port).
pub(crate) fn listen(port: u16) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    // As std's bind does: a restarted sandbox may take its port back at once.
    socket.set_reuse_address(true)?;
    socket.bind(&SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    socket.listen(BACKLOG)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// The server of one sandbox: a thread running its runtime until stopped.
pub(crate) struct Server {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `listener` (from [`listen`]) for `provider` until dropped.
    pub(crate) fn start(
        listener: std::net::TcpListener,
        provider: Arc<Provider>,
    ) -> std::io::Result<Server> {
        let address = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(IO_THREADS)
            .thread_name("sandbox-io")
            .enable_all()
            .build()?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("sandbox-server".into())
            .spawn(move || {
                runtime.block_on(serve(listener, provider, stopped));
                runtime.shutdown_timeout(STOP_GRACE);
            })?;
        Ok(Server {
            address,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for Server {
    /// Stops accepting, closes every connection and waits for the runtime to end.
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts connections until `stopped` fires; each is served by a task of its own.
async fn serve(
    listener: tokio::net::TcpListener,
    provider: Arc<Provider>,
    mut stopped: oneshot::Receiver<()>,
) {
    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                // Answers go out as they are written, not after the client's
                // delayed ACK of the previous segment.
                let _ = stream.set_nodelay(true);
                let provider = Arc::clone(&provider);
                tokio::spawn(async move {
                    let service = service_fn(move |request| answer(Arc::clone(&provider), request));
                    // A client that goes away mid-request is its own business.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            // Out of file descriptors or a connection reset before it was
            // accepted: wait a moment rather than spin, then go on.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

async fn answer(
    provider: Arc<Provider>,
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let reply = match read(request).await {
        Ok(incoming) => tokio::task::spawn_blocking(move || {
            let reply = route(&provider, &incoming);
            log(&provider, &incoming, &reply);
            reply
        })
        .await
        .unwrap_or_else(|_| {
            Reply::new(
                500,
                "text/plain;charset=UTF-8",
                "the sandbox failed while handling this request",
            )
        }),
        Err(reply) => reply,
    };
    Ok(response(reply))
}

async fn read(request: Request<hyper::body::Incoming>) -> Result<Incoming, Reply> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(error) if error.is::<LengthLimitError>() => {
            return Err(Reply::new(
                413,
                "text/plain;charset=UTF-8",
                "request body too large (limit 1 MiB)",
            ));
        }
        Err(error) => {
            return Err(Reply::new(
                400,
                "text/plain;charset=UTF-8",
                format!("could not read the request body: {error}"),
            ));
        }
    };
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    Ok(Incoming {
        method: parts.method.as_str().to_ascii_uppercase(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        headers,
        body,
    })
}

/// A request id the log may repeat: short plain words only, so a caller's
/// header can neither break a log line nor smuggle anything into it.
fn is_loggable_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'))
}

fn log(provider: &Provider, incoming: &Incoming, reply: &Reply) {
    if let Some(logger) = &provider.config.log {
        logger.write(&RequestLogLine {
            method: incoming.method.clone(),
            path: incoming.path.clone(),
            status: reply.status,
            outcome: reply.outcome.clone(),
            request_id: incoming
                .header("x-request-id")
                .filter(|id| is_loggable_request_id(id))
                .map(str::to_string),
        });
    }
}

/// The reply as hyper sends it (it adds `Content-Length` and `Date`, and
/// leaves the body out of an answer to `HEAD`). A header a handler built that
/// HTTP cannot carry is left out rather than failing the answer.
fn response(reply: Reply) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in &reply.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    response
}
