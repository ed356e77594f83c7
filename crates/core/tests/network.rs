//! Company networks over real sockets: a server whose CA only an extra CA
//! file trusts, and a forward proxy written here (CONNECT and absolute-form
//! requests) that records every request line it was given.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use callout_core::actions::credential::{self as action, CredentialInput};
use callout_core::actions::send;
use callout_core::credential::{AuthProtocol, Credential, CredentialSecrets, CredentialSet};
use callout_core::home::Home;
use callout_core::network::{self, ClientIdentity, Network, ProxyRules};
use callout_core::oauth::TokenService;
use callout_core::send::{Call, Draft, Outcome, Sender, Timeouts};
use callout_core::settings::{Settings, SettingsStore};
use callout_core::{Error, Result, Secret};
use callout_sandbox::tls::{TLS_HELLO, TLS_TOKEN, TestCa, TlsServer};
use url::Url;

async fn get(sender: &Sender, url: &str) -> Result<Outcome> {
    let draft = Draft::new("GET", url);
    sender
        .send(
            &Call::resolve(&draft, &CredentialSet::default()).unwrap(),
            &CredentialSecrets::default(),
            None,
        )
        .await
}

fn sender(network: Network) -> Sender {
    Sender::with_network(Timeouts::default(), network).unwrap()
}

/// A CA, a server it signed for `names`, and the CA's PEM file.
struct Fixture {
    server: TlsServer,
    ca_file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn tls_server(names: &[&str]) -> Fixture {
    let ca = TestCa::new("Callout Test Company Root").unwrap();
    let server = TlsServer::start(&ca.issue(names).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("company-root.pem");
    ca.write_pem(&ca_file).unwrap();
    Fixture {
        server,
        ca_file,
        _dir: dir,
    }
}

#[tokio::test]
async fn an_untrusted_server_certificate_says_how_to_trust_its_ca() {
    let fixture = tls_server(&["localhost"]);
    let url = format!("https://localhost:{}/hello", fixture.server.port());

    let error = get(&sender(Network::default()), &url).await.unwrap_err();
    let Error::Transport { detail, .. } = &error else {
        panic!("{error}");
    };
    assert!(
        detail.contains(
            "add your company's root CA to the OS trust store or Settings → Extra CA file \
             (--ca-file)"
        ),
        "{detail}"
    );
    assert_eq!(fixture.server.answered(), 0);

    let trusting = Network::default().with_extra_ca_file(Some(fixture.ca_file.clone()));
    let outcome = get(&sender(trusting), &url).await.unwrap();
    assert_eq!(outcome.response.status, 200);
    assert_eq!(outcome.response.body.text(), TLS_HELLO);
    assert_eq!(fixture.server.answered(), 1);
}

#[test]
fn a_bad_extra_ca_file_is_named_when_the_client_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-ca.pem");
    std::fs::write(&file, "just some text\n").unwrap();
    let error = Sender::with_network(
        Timeouts::default(),
        Network::default().with_extra_ca_file(Some(file)),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("not-a-ca.pem"), "{error}");
    assert!(error.contains("no PEM certificate"), "{error}");
}

/// A forward proxy on 127.0.0.1: absolute-form requests it answers itself
/// (the host exists only here); `CONNECT` it tunnels to `tunnel_to`, or
/// refuses with 407 when `login_required`.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

const FROM_THE_PROXY: &str = "answered by the proxy";

impl Proxy {
    fn start(tunnel_to: Option<u16>, login_required: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let log = Arc::clone(&log);
                std::thread::spawn(move || relay(stream, &log, tunnel_to, login_required));
            }
        });
        Self { port, seen }
    }

    fn url(&self) -> Url {
        Url::parse(&format!("http://alice:s3cret@127.0.0.1:{}", self.port)).unwrap()
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn relay(mut client: TcpStream, log: &Mutex<Vec<String>>, tunnel_to: Option<u16>, login: bool) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let line = head.lines().next().unwrap_or_default().to_string();
    log.lock().unwrap().push(line.clone());
    if !line.starts_with("CONNECT ") {
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{FROM_THE_PROXY}",
            FROM_THE_PROXY.len()
        );
        let _ = client.write_all(reply.as_bytes());
        return;
    }
    if login {
        let _ = client.write_all(
            b"HTTP/1.1 407 Proxy Authentication Required\r\n\
              proxy-authenticate: Basic realm=\"corp\"\r\ncontent-length: 0\r\n\r\n",
        );
        return;
    }
    let Some(port) = tunnel_to else { return };
    let Ok(upstream) = TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let (mut up_read, mut client_write) =
        (upstream.try_clone().unwrap(), client.try_clone().unwrap());
    let back = std::thread::spawn(move || {
        let _ = std::io::copy(&mut up_read, &mut client_write);
        let _ = client_write.shutdown(Shutdown::Write);
    });
    let (mut client_read, mut up_write) = (client, upstream);
    let _ = std::io::copy(&mut client_read, &mut up_write);
    let _ = up_write.shutdown(Shutdown::Write);
    let _ = back.join();
}

fn through(proxy: &Url) -> ProxyRules {
    ProxyRules {
        http: Some(proxy.clone()),
        https: Some(proxy.clone()),
        no_proxy: Vec::new(),
        source: "Settings → Proxy URL".into(),
    }
}

#[tokio::test]
async fn requests_go_through_the_proxy_and_loopback_never_does() {
    let fixture = tls_server(&["secure.corp.invalid"]);
    let proxy = Proxy::start(Some(fixture.server.port()), false);
    let network = Network::default()
        .with_proxies(through(&proxy.url()))
        .with_extra_ca_file(Some(fixture.ca_file.clone()));
    let sender = sender(network);

    // A plain http:// URL: the proxy is asked in absolute form.
    let outcome = get(&sender, "http://api.corp.invalid/v1/things")
        .await
        .unwrap();
    assert_eq!(outcome.response.body.text(), FROM_THE_PROXY);
    assert_eq!(
        proxy.seen(),
        ["GET http://api.corp.invalid/v1/things HTTP/1.1"]
    );

    // https://: a tunnel, the TLS server's certificate checked end to end.
    let outcome = get(&sender, "https://secure.corp.invalid/hello")
        .await
        .unwrap();
    assert_eq!(outcome.response.body.text(), TLS_HELLO);
    assert_eq!(proxy.seen()[1], "CONNECT secure.corp.invalid:443 HTTP/1.1");
    assert_eq!(fixture.server.answered(), 1);

    // Loopback goes directly, the proxy set or not.
    let direct = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = direct.local_addr().unwrap().port();
    let answer = std::thread::spawn(move || {
        let (mut stream, _) = direct.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\ndirect")
            .unwrap();
        String::from_utf8_lossy(&head)
            .lines()
            .next()
            .unwrap()
            .to_string()
    });
    let outcome = get(&sender, &format!("http://127.0.0.1:{port}/local"))
        .await
        .unwrap();
    assert_eq!(outcome.response.body.text(), "direct");
    assert_eq!(answer.join().unwrap(), "GET /local HTTP/1.1");
    assert_eq!(proxy.seen().len(), 2, "{:?}", proxy.seen());
}

#[tokio::test]
async fn proxy_failures_name_the_proxy_without_its_login() {
    let refusing = Proxy::start(None, true);
    let sender_407 = sender(Network::default().with_proxies(through(&refusing.url())));
    let error = get(&sender_407, "https://api.corp.invalid/")
        .await
        .unwrap_err()
        .to_string();
    let named = format!("through the proxy http://127.0.0.1:{}", refusing.port);
    assert!(error.contains(&named), "{error}");
    assert!(
        error.contains("The proxy asks for a login (407)"),
        "{error}"
    );
    assert!(error.contains("Settings → Proxy URL"), "{error}");
    assert!(
        !error.contains("s3cret") && !error.contains("alice"),
        "{error}"
    );

    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let gone = Url::parse(&format!("http://alice:s3cret@127.0.0.1:{closed}")).unwrap();
    let error = get(
        &sender(Network::default().with_proxies(through(&gone))),
        "http://api.corp.invalid/",
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.contains(&format!("through the proxy http://127.0.0.1:{closed}")),
        "{error}"
    );
    assert!(error.contains("Check that the proxy runs"), "{error}");
    assert!(!error.contains("s3cret"), "{error}");
}

/// A server only clients with a certificate of `clients` may talk to, and
/// a credential for it (trusting the server's CA through `network`).
struct MutualTls {
    server: TlsServer,
    network: Network,
    clients: TestCa,
    _dir: tempfile::TempDir,
}

fn mutual_tls() -> MutualTls {
    let fixture = tls_server(&["localhost"]);
    let ca = TestCa::new("Callout Test Server Root").unwrap();
    let clients = TestCa::new("Callout Test Client Root").unwrap();
    let server =
        TlsServer::requiring_client_certificates(&ca.issue(&["localhost"]).unwrap(), &clients)
            .unwrap();
    let ca_file = fixture.ca_file.with_file_name("server-root.pem");
    ca.write_pem(&ca_file).unwrap();
    MutualTls {
        server,
        network: Network::default().with_extra_ca_file(Some(ca_file)),
        clients,
        _dir: fixture._dir,
    }
}

async fn send_as(sender: &Sender, credential: Credential, key: Option<&str>) -> Result<Outcome> {
    let credentials = CredentialSet::new(vec![credential]).unwrap();
    let secrets = CredentialSecrets {
        client_key: key.map(Secret::new),
        ..CredentialSecrets::with_token("token")
    };
    let draft = Draft::new("GET", "callout:Partner/hello");
    sender
        .send(
            &Call::resolve(&draft, &credentials).unwrap(),
            &secrets,
            None,
        )
        .await
}

#[tokio::test]
async fn a_credential_presents_its_client_certificate() {
    let mtls = mutual_tls();
    let sender = sender(mtls.network.clone());
    let base = format!("https://localhost:{}", mtls.server.port());
    let issued = mtls.clients.issue(&["partner-client"]).unwrap();
    let mut credential = Credential::new("Partner", &base);
    credential.client_certificate = Some(issued.certificate_pem.clone());

    let outcome = send_as(&sender, credential.clone(), Some(&issued.key_pem))
        .await
        .unwrap();
    assert_eq!(outcome.response.body.text(), TLS_HELLO);
    assert_eq!(mtls.server.answered(), 1);

    // Again: the same client, kept for the credential's certificate.
    send_as(&sender, credential.clone(), Some(&issued.key_pem))
        .await
        .unwrap();
    assert_eq!(mtls.server.answered(), 2);

    // A credential without a certificate is refused by the server, and told why.
    let error = send_as(&sender, Credential::new("Partner", &base), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("The server asks for a client certificate: give the credential its"),
        "{error}"
    );
    assert_eq!(mtls.server.answered(), 2);

    // One whose key is not in the keychain says so before sending.
    let error = send_as(&sender, credential, None)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("private key is not in the keychain"),
        "{error}"
    );
}

#[test]
fn a_client_certificate_and_a_key_of_another_are_refused() {
    let ca = TestCa::new("Callout Test Client Root").unwrap();
    let mine = ca.issue(&["mine"]).unwrap();
    let other = ca.issue(&["other"]).unwrap();
    let error = ClientIdentity::new(
        "Partner",
        &mine.certificate_pem,
        &Secret::new(&other.key_pem),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("belongs to another certificate"), "{error}");
    let error = ClientIdentity::new("Partner", "not a certificate", &Secret::new(&mine.key_pem))
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a readable PEM certificate"), "{error}");
    let error = ClientIdentity::new("Partner", &mine.certificate_pem, &Secret::new("nope"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a readable PEM private key"), "{error}");
    let fine = ClientIdentity::new(
        "Partner",
        &mine.certificate_pem,
        &Secret::new(&mine.key_pem),
    );
    assert!(!format!("{fine:?}").contains("PRIVATE KEY"));
}

/// Forgets the credential's keychain entries when the test ends.
struct Forget<'a>(&'a TokenService, &'a str);

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        let _ = self.0.store().forget_secrets(self.1);
    }
}

/// RFC 8705: a credential with a client certificate presents it at the
/// token endpoint too. The server (token endpoint and API in one) talks to
/// no client without a certificate; its CA is trusted through the home's
/// settings (`extraCaFile`).
#[tokio::test]
async fn the_token_endpoint_gets_the_client_certificate_too() {
    let mtls = mutual_tls();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path()).unwrap();
    let settings = SettingsStore::new(&home);
    settings
        .save(&Settings {
            extra_ca_file: mtls
                .network
                .extra_ca_file()
                .map(|file| file.display().to_string()),
            ..Settings::default()
        })
        .unwrap();
    let service = Arc::new(TokenService::for_home(&home).unwrap());
    let base = format!("https://localhost:{}", mtls.server.port());
    let issued = mtls.clients.issue(&["partner-client"]).unwrap();
    let define = |name: &str, certificate: Option<&str>| {
        let mut credential = Credential::new(name, &base);
        credential.protocol = AuthProtocol::ClientCredentials;
        credential.client_id = Some("partner".into());
        credential.token_url = Some(format!("{base}/token"));
        credential.client_certificate = certificate.map(str::to_string);
        let mut input = CredentialInput::new(credential);
        input.client_secret = Some(Secret::new("partner-secret"));
        input.client_key = certificate.map(|_| Secret::new(&issued.key_pem));
        input
    };
    let _forget = (Forget(&service, "Partner"), Forget(&service, "Plain"));
    action::add(&service, define("Partner", Some(&issued.certificate_pem)))
        .await
        .unwrap();
    action::add(&service, define("Plain", None)).await.unwrap();
    let sender = Sender::with_network(Timeouts::default(), settings.network().unwrap()).unwrap();

    let outcome = send::send(
        &sender,
        &service,
        &Draft::new("GET", "callout:Partner/hello"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(outcome.response.body.text(), TLS_HELLO);
    // The token, then the call.
    assert_eq!(mtls.server.answered(), 2);
    let live = service
        .live_token_for(&service.store().get("Partner").unwrap(), None)
        .await
        .unwrap();
    assert_eq!(live.tokens.access_token.expose(), TLS_TOKEN);

    let error = send::send(
        &sender,
        &service,
        &Draft::new("GET", "callout:Plain/hello"),
        None,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("The server asks for a client certificate"),
        "{error}"
    );
    assert_eq!(mtls.server.answered(), 2);
}

#[test]
fn a_pkcs12_bundle_gives_the_certificate_and_its_key() {
    let ca = TestCa::new("Callout Test Client Root").unwrap();
    let issued = ca.issue(&["partner-client"]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let password = Secret::new("bundle-pass");
    let modern = issued.pkcs12(dir.path(), "bundle-pass", &[]).unwrap();
    let legacy = issued
        .pkcs12(
            dir.path(),
            "bundle-pass",
            &[
                "-keypbe",
                "PBE-SHA1-3DES",
                "-certpbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
            ],
        )
        .unwrap();
    for bundle in [modern.as_slice(), legacy.as_slice()] {
        let (certificate, key) = network::read_pkcs12("Partner", bundle, &password).unwrap();
        assert_eq!(certificate.trim(), issued.certificate_pem.trim());
        assert!(key.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
        ClientIdentity::new("Partner", &certificate, &key).unwrap();
    }

    let error = network::read_pkcs12("Partner", &modern, &Secret::new("wrong"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("did not open with this password"), "{error}");
    assert!(
        error.contains("--client-certificate-password-stdin"),
        "{error}"
    );
    assert!(!error.contains("bundle-pass"), "{error}");
    let error = network::read_pkcs12("Partner", b"not a bundle", &password)
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a PKCS#12 bundle"), "{error}");
}
