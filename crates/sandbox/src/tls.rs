//! TLS fixtures for tests (feature `tls-fixtures`): a throw-away CA that
//! issues certificates, and a TLS server on 127.0.0.1 that answers
//! `POST /token` with a token set ([`TLS_TOKEN`]) and every other request
//! with `200 hello over TLS`, and counts the requests it answered.
//! Nothing here is part of a shipped build.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

/// What the server answers.
pub const TLS_HELLO: &str = "hello over TLS";
/// The access token `POST /token` issues.
pub const TLS_TOKEN: &str = "token-over-mutual-tls";

/// A certificate authority made for one test.
pub struct TestCa {
    certificate: rcgen::Certificate,
    key: KeyPair,
}

/// A certificate the CA issued, with its private key.
pub struct Issued {
    pub certificate_pem: String,
    pub key_pem: String,
    certificate_der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

impl TestCa {
    /// A new root CA named `name`.
    pub fn new(name: &str) -> Result<Self, rcgen::Error> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate()?;
        let certificate = params.self_signed(&key)?;
        Ok(Self { certificate, key })
    }

    /// The CA's certificate, PEM.
    pub fn pem(&self) -> String {
        self.certificate.pem()
    }

    /// Writes the CA's certificate (PEM) to `path`.
    pub fn write_pem(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, self.pem())
    }

    /// A certificate for `names` (DNS names), signed by this CA.
    pub fn issue(&self, names: &[&str]) -> Result<Issued, rcgen::Error> {
        let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
        let mut params = CertificateParams::new(names.clone())?;
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().cloned().unwrap_or_default(),
        );
        let key = KeyPair::generate()?;
        let certificate = params.signed_by(&key, &self.certificate, &self.key)?;
        Ok(Issued {
            certificate_pem: certificate.pem(),
            key_pem: key.serialize_pem(),
            certificate_der: certificate.der().clone(),
            key_der: key.serialize_der(),
        })
    }
}

impl Issued {
    /// This certificate and key as a PKCS#12 bundle made by `openssl pkcs12
    /// -export` with `password` and `extra` options (none: what current
    /// openssl writes, PBES2 with AES-256), in `dir`.
    pub fn pkcs12(&self, dir: &Path, password: &str, extra: &[&str]) -> io::Result<Vec<u8>> {
        let (cert, key, bundle) = (dir.join("c.pem"), dir.join("k.pem"), dir.join("b.p12"));
        std::fs::write(&cert, &self.certificate_pem)?;
        std::fs::write(&key, &self.key_pem)?;
        let status = std::process::Command::new("openssl")
            .args(["pkcs12", "-export", "-in"])
            .arg(&cert)
            .arg("-inkey")
            .arg(&key)
            .arg("-out")
            .arg(&bundle)
            .args(["-passout", &format!("pass:{password}")])
            .args(extra)
            .status()?;
        if !status.success() {
            return Err(io::Error::other(format!(
                "openssl pkcs12 -export: {status}"
            )));
        }
        std::fs::read(bundle)
    }
}

/// A TLS server on 127.0.0.1; stops when dropped (its stop channel closes).
pub struct TlsServer {
    address: SocketAddr,
    answered: Arc<AtomicUsize>,
    _stop: oneshot::Sender<()>,
}

impl TlsServer {
    /// Serves with `identity` on `127.0.0.1:0`.
    pub fn start(identity: &Issued) -> io::Result<Self> {
        Self::serve(identity, None)
    }

    /// Serves with `identity`, refusing clients without a certificate
    /// `clients` issued (mutual TLS).
    pub fn requiring_client_certificates(identity: &Issued, clients: &TestCa) -> io::Result<Self> {
        Self::serve(identity, Some(clients))
    }

    fn serve(identity: &Issued, clients: Option<&TestCa>) -> io::Result<Self> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?;
        let builder = match clients {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                roots
                    .add(ca.certificate.der().clone())
                    .map_err(io::Error::other)?;
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                    Arc::new(roots),
                    provider,
                )
                .build()
                .map_err(io::Error::other)?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let config = builder
            .with_single_cert(
                vec![identity.certificate_der.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key_der.clone())),
            )
            .map_err(io::Error::other)?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let answered = Arc::new(AtomicUsize::new(0));
        let (stop, stopped) = oneshot::channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let counter = Arc::clone(&answered);
        std::thread::spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                tokio::select! {
                    _ = stopped => {}
                    _ = serve(listener, acceptor, counter) => {}
                }
            });
        });
        Ok(Self {
            address,
            answered,
            _stop: stop,
        })
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Requests answered so far (a failed handshake is not one).
    pub fn answered(&self) -> usize {
        self.answered.load(Ordering::SeqCst)
    }
}

async fn serve(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    answered: Arc<AtomicUsize>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let acceptor = acceptor.clone();
        let answered = Arc::clone(&answered);
        tokio::spawn(async move {
            let Ok(mut tls) = acceptor.accept(stream).await else {
                return;
            };
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            // The head, then as much body as it announces (read whole, so
            // closing never resets a client still sending).
            while !complete(&request) {
                match tls.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(read) => request.extend_from_slice(&buffer[..read]),
                }
            }
            let (content_type, body) = if request.starts_with(b"POST /token ") {
                let tokens = format!(
                    r#"{{"access_token":"{TLS_TOKEN}","token_type":"Bearer","expires_in":3600}}"#
                );
                ("application/json", tokens)
            } else {
                ("text/plain", TLS_HELLO.to_string())
            };
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
            if tls.write_all(response.as_bytes()).await.is_ok() {
                answered.fetch_add(1, Ordering::SeqCst);
            }
            let _ = tls.shutdown().await;
        });
    }
}

/// Whether `request` holds its head and the body its content-length names.
fn complete(request: &[u8]) -> bool {
    let Some(end) = request.windows(4).position(|window| window == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    request.len() >= end + 4 + length
}
