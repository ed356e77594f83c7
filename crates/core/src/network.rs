//! How Callout Lab reaches servers on a company network: whom it trusts and
//! which proxy it goes through. Every HTTP client core builds (the sender's,
//! the token endpoint's) starts from [`Network::client_builder`].
//!
//! Guarantees:
//! - TLS trusts the operating system's trust store (on Linux the system
//!   bundle, or `SSL_CERT_FILE` / `SSL_CERT_DIR` when set), the public web's
//!   roots, and the certificates of the extra CA file in Settings, if any;
//! - a proxy comes from Settings (`proxyUrl`, `noProxy`) or else from the
//!   environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, in
//!   either case); [`ProxyRules::proxy_for`] alone decides, per URL;
//! - loopback (`localhost`, 127.0.0.0/8, `::1`) never goes through a proxy;
//! - a proxy is only ever named without its `user:password@`.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use url::Url;

use sha2::Digest as _;

use crate::credential::Credential;
use crate::{Error, Result, Secret};

/// Which proxy, if any, a URL goes through.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxyRules {
    /// For `http://` URLs.
    pub http: Option<Url>,
    /// For `https://` URLs.
    pub https: Option<Url>,
    /// Hosts reached directly: a name (also matching its subdomains, with or
    /// without a leading `.` or `*.`), an IP address, a CIDR block
    /// (`10.0.0.0/8`), or `*` for every host.
    pub no_proxy: Vec<String>,
    /// Where the proxy was given, for messages: "Settings → Proxy URL" or
    /// the environment variable's name.
    pub source: String,
}

impl std::fmt::Debug for ProxyRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A proxy URL may carry a password.
        f.debug_struct("ProxyRules")
            .field("http", &self.http.as_ref().map(masked))
            .field("https", &self.https.as_ref().map(masked))
            .field("no_proxy", &self.no_proxy)
            .field("source", &self.source)
            .finish()
    }
}

/// The proxy settings' field name, in messages.
const PROXY_SETTING: &str = "Settings → Proxy URL (proxyUrl in settings.json)";

impl ProxyRules {
    /// The rules the environment gives, read through `var` (the process
    /// environment in use, a map in tests). Lower-case names win, as curl's do.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let read = |name: &str| -> Option<(String, String)> {
            [name.to_ascii_lowercase(), name.to_string()]
                .into_iter()
                .find_map(|key| {
                    var(&key)
                        .filter(|value| !value.trim().is_empty())
                        .map(|value| (key, value))
                })
        };
        let parse = |found: Option<(String, String)>| -> Result<Option<(String, Url)>> {
            found
                .map(|(name, value)| {
                    let url = parse_proxy(&value, &name)?;
                    Ok((name, url))
                })
                .transpose()
        };
        let all = parse(read("ALL_PROXY"))?;
        let https = parse(read("HTTPS_PROXY"))?.or_else(|| all.clone());
        let http = parse(read("HTTP_PROXY"))?.or(all);
        let source = https
            .iter()
            .chain(http.iter())
            .map(|(name, _)| format!("the {name} environment variable"))
            .next()
            .unwrap_or_default();
        Ok(Self {
            http: http.map(|(_, url)| url),
            https: https.map(|(_, url)| url),
            no_proxy: read("NO_PROXY")
                .map(|(_, list)| split_list(&list))
                .unwrap_or_default(),
            source,
        })
    }

    /// These rules with the settings' proxy (`proxyUrl`) and no-proxy list
    /// (`noProxy`) in place of the environment's, where they are given.
    pub fn with_overrides(mut self, proxy_url: Option<&str>, no_proxy: &[String]) -> Result<Self> {
        if let Some(proxy) = proxy_url.filter(|p| !p.trim().is_empty()) {
            let url = parse_proxy(proxy, PROXY_SETTING)?;
            self.http = Some(url.clone());
            self.https = Some(url);
            self.source = "Settings → Proxy URL".into();
            self.no_proxy = Vec::new();
        }
        if !no_proxy.is_empty() {
            self.no_proxy = no_proxy.to_vec();
        }
        Ok(self)
    }

    /// The proxy `url` goes through, or `None` to go directly. Loopback
    /// never goes through a proxy.
    pub fn proxy_for(&self, url: &Url) -> Option<&Url> {
        let proxy = match url.scheme() {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        }?;
        let host = url.host()?;
        let host = match host {
            url::Host::Domain(name) => Host::Name(name.trim_end_matches('.').to_ascii_lowercase()),
            url::Host::Ipv4(ip) => Host::Ip(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Host::Ip(IpAddr::V6(ip)),
        };
        if host.is_loopback() || self.no_proxy.iter().any(|entry| host.matches(entry)) {
            return None;
        }
        Some(proxy)
    }
}

enum Host {
    Name(String),
    Ip(IpAddr),
}

impl Host {
    fn is_loopback(&self) -> bool {
        match self {
            Host::Name(name) => name == "localhost" || name.ends_with(".localhost"),
            Host::Ip(ip) => ip.is_loopback(),
        }
    }

    /// Whether a `NO_PROXY` entry covers this host.
    fn matches(&self, entry: &str) -> bool {
        let entry = entry.trim().to_ascii_lowercase();
        if entry == "*" {
            return true;
        }
        // `[::1]`, `host:port`: the port is not compared.
        let entry = entry.trim_start_matches('[');
        let entry = match entry.split_once(']') {
            Some((ip, _)) => ip,
            None if entry.matches(':').count() == 1 => entry.split(':').next().unwrap_or(entry),
            None => entry,
        };
        match self {
            Host::Ip(ip) => match entry.split_once('/') {
                Some((network, bits)) => in_block(*ip, network, bits),
                None => entry.parse::<IpAddr>().is_ok_and(|listed| listed == *ip),
            },
            Host::Name(name) => {
                let domain = entry.trim_start_matches("*.").trim_start_matches('.');
                !domain.is_empty()
                    && (name == domain
                        || name
                            .strip_suffix(domain)
                            .is_some_and(|rest| rest.ends_with('.')))
            }
        }
    }
}

/// Whether `ip` lies in the CIDR block `network/bits`.
fn in_block(ip: IpAddr, network: &str, bits: &str) -> bool {
    let (Ok(network), Ok(bits)) = (network.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(network) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(network) & mask
        }
        _ => false,
    }
}

/// A comma- (or space-) separated host list, as `NO_PROXY` has it.
pub fn split_list(list: &str) -> Vec<String> {
    list.split([',', ' '])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(str::to_string)
        .collect()
}

/// A proxy URL as given (`http://`, `https://`, or no scheme: `http://`).
fn parse_proxy(text: &str, given_in: &str) -> Result<Url> {
    let text = text.trim();
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let invalid = |reason: String| Error::Storage {
        action: "use the proxy in",
        path: given_in.to_string(),
        detail: reason,
    };
    let url = Url::parse(&with_scheme).map_err(|error| {
        invalid(format!(
            "{} is not a proxy URL ({error}); write it as http://host:port",
            masked_text(text)
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(format!(
            "{} is not an HTTP proxy; write it as http://host:port (or https://)",
            masked(&url)
        )));
    }
    Ok(url)
}

/// A proxy URL without its `user:password@`, for messages.
pub fn masked(url: &Url) -> String {
    let mut shown = url.clone();
    if !url.username().is_empty() || url.password().is_some() {
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
    }
    shown.as_str().trim_end_matches('/').to_string()
}

/// Text that did not parse as a URL, without anything up to an `@`.
fn masked_text(text: &str) -> String {
    match text.rsplit_once('@') {
        Some((before, host)) => {
            let scheme = before.split_once("://").map_or("", |(scheme, _)| scheme);
            if scheme.is_empty() {
                format!("***@{host}")
            } else {
                format!("{scheme}://***@{host}")
            }
        }
        None => text.to_string(),
    }
}

/// Whom TLS trusts and which proxy is used: what every client starts from.
#[derive(Debug, Clone, Default)]
pub struct Network {
    extra_ca_file: Option<PathBuf>,
    proxies: ProxyRules,
}

impl Network {
    /// The environment's proxies and the OS trust store, nothing of Settings.
    pub fn from_env() -> Result<Self> {
        Ok(Self {
            extra_ca_file: None,
            proxies: ProxyRules::from_env(|name| std::env::var(name).ok())?,
        })
    }

    /// The environment's proxies with `proxy_url` and `no_proxy` in their
    /// place where given, trusting `extra_ca_file` too: what the settings
    /// say (`Settings::network`).
    pub fn configured(
        extra_ca_file: Option<&str>,
        proxy_url: Option<&str>,
        no_proxy: &[String],
    ) -> Result<Self> {
        let proxies = ProxyRules::from_env(|name| std::env::var(name).ok())?
            .with_overrides(proxy_url, no_proxy)?;
        Ok(Self::default()
            .with_proxies(proxies)
            .with_extra_ca_file(extra_ca_file.map(PathBuf::from)))
    }

    /// Also trusts the certificates in `file` (PEM), in place of any set before.
    pub fn with_extra_ca_file(mut self, file: Option<PathBuf>) -> Self {
        if file.is_some() {
            self.extra_ca_file = file;
        }
        self
    }

    pub fn with_proxies(mut self, proxies: ProxyRules) -> Self {
        self.proxies = proxies;
        self
    }

    pub fn proxies(&self) -> &ProxyRules {
        &self.proxies
    }

    pub fn extra_ca_file(&self) -> Option<&Path> {
        self.extra_ca_file.as_deref()
    }

    /// A client builder trusting the OS store, the web's roots and the
    /// extra CA file, going through the proxy [`ProxyRules::proxy_for`] picks.
    pub fn client_builder(&self) -> Result<reqwest::ClientBuilder> {
        let mut builder = reqwest::Client::builder()
            .tls_built_in_native_certs(true)
            .tls_built_in_webpki_certs(true);
        if let Some(file) = &self.extra_ca_file {
            for certificate in read_ca_file(file)? {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let proxies = self.proxies.clone();
        // Always set, so reqwest never adds the environment's proxies itself.
        builder = builder.proxy(reqwest::Proxy::custom(move |url| {
            proxies.proxy_for(url).cloned()
        }));
        Ok(builder)
    }

    /// `detail` of a failed request to `url`, naming the proxy it went
    /// through (masked) and where that proxy was set, if it went through one.
    pub(crate) fn explain(&self, url: &str, detail: String) -> String {
        let Some(proxy) = Url::parse(url)
            .ok()
            .and_then(|url| self.proxies.proxy_for(&url).cloned())
        else {
            return detail;
        };
        let advice = if detail.contains("proxy authorization required") {
            ". The proxy asks for a login (407): put it in the proxy URL as \
             http://user:password@host:port"
        } else if detail.starts_with("could not connect") || detail.contains("tunnel") {
            ". Check that the proxy runs and is reachable, or list this host under \
             no-proxy to go directly"
        } else {
            // The proxy carried the request; what failed is said in `detail`.
            ""
        };
        format!(
            "through the proxy {} (set in {}): {detail}{advice}",
            masked(&proxy),
            self.proxies.source
        )
    }
}

/// A client certificate (PEM, chain after it) and its private key, checked
/// to belong together: what a credential presents for mutual TLS.
#[derive(Clone)]
pub struct ClientIdentity {
    pem: Secret,
    /// Tells one certificate and key from another without holding either.
    fingerprint: [u8; 32],
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientIdentity([redacted])")
    }
}

impl ClientIdentity {
    /// The certificate and key of `credential`, or what is wrong with them
    /// in words: no certificate in the PEM, no key, a key of another
    /// certificate.
    pub fn new(credential: &str, certificate: &str, key: &Secret) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidCredential {
            name: credential.to_string(),
            reason: reason.to_string(),
        };
        match reqwest::Certificate::from_pem_bundle(certificate.as_bytes()) {
            Ok(found) if !found.is_empty() => {}
            _ => {
                return Err(invalid(
                    "its client certificate is not a readable PEM certificate \
                     (-----BEGIN CERTIFICATE-----); give the certificate file again \
                     (--client-certificate)",
                ));
            }
        }
        if !key.expose().contains("PRIVATE KEY-----") {
            return Err(invalid(
                "its client certificate's key is not a readable PEM private key \
                 (-----BEGIN PRIVATE KEY-----); give the key file again (--client-key)",
            ));
        }
        let pem = Secret::new(format!("{}\n{}", certificate.trim(), key.expose().trim()));
        let fingerprint = sha2::Sha256::digest(pem.expose().as_bytes()).into();
        let identity = Self { pem, fingerprint };
        let built = identity
            .reqwest()
            .and_then(|identity| reqwest::Client::builder().identity(identity).build());
        if let Err(error) = built {
            let detail = crate::http::chain(&error);
            return Err(invalid(
                if detail.contains("KeyMismatch") || detail.contains("InconsistentKeys") {
                    "its client certificate's private key belongs to another certificate; give \
                     the key made with this certificate (--client-key)"
                } else {
                    "its client certificate or key cannot be read (an RSA, EC or Ed25519 key in \
                     PEM is needed); give them again (--client-certificate, --client-key)"
                },
            ));
        }
        Ok(identity)
    }

    /// The identity `credential` presents, with its client certificate's
    /// `key` from the keychain; `None` when it has no certificate.
    pub fn of(credential: &Credential, key: Option<&Secret>) -> Result<Option<Self>> {
        let Some(certificate) = &credential.client_certificate else {
            return Ok(None);
        };
        let Some(key) = key else {
            return Err(Error::InvalidCredential {
                name: credential.name.clone(),
                reason: "its client certificate's private key is not in the keychain; give it \
                         again (--client-key)"
                    .into(),
            });
        };
        Self::new(&credential.name, certificate, key).map(Some)
    }

    fn reqwest(&self) -> reqwest::Result<reqwest::Identity> {
        reqwest::Identity::from_pem(self.pem.expose().as_bytes())
    }
}

/// The client certificate (its chain after it) and private key in a PKCS#12
/// bundle (`.p12`, `.pfx`), as PEM: the certificate for the definition, the
/// key for the keychain. Reads what current openssl writes (PBES2 with
/// AES) and the legacy 3DES/RC2 bundles.
pub fn read_pkcs12(credential: &str, bundle: &[u8], password: &Secret) -> Result<(String, Secret)> {
    use p12_keystore::error::Error as P12Error;
    let invalid = |reason: String| Error::InvalidCredential {
        name: credential.to_string(),
        reason,
    };
    let store = p12_keystore::KeyStore::from_pkcs12(
        bundle,
        password.expose(),
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .map_err(|error| {
        invalid(match error {
            P12Error::MacError(_) => "its PKCS#12 bundle did not open with this password; give \
                                      the bundle's password (--client-certificate-password-stdin)"
                .to_string(),
            P12Error::UnsupportedEncryptionScheme
            | P12Error::UnsupportedMacAlgorithm
            | P12Error::Pkcs5Error(_) => format!(
                "its PKCS#12 bundle uses an encryption this version cannot read ({error}); \
                 convert it to PEM (`openssl pkcs12 -in FILE -nodes`) and give the \
                 certificate and key files (--client-certificate, --client-key)"
            ),
            other => format!(
                "its client certificate file is not a PKCS#12 bundle this version can read \
                 ({other}); give a PEM certificate and key (--client-certificate, --client-key)"
            ),
        })
    })?;
    let chain = store
        .private_key_chain()
        .map(|(_, chain)| chain)
        .filter(|chain| !chain.certs().is_empty())
        .ok_or_else(|| {
            invalid(
                "its PKCS#12 bundle holds no private key with a certificate; export the \
                 bundle with both (`openssl pkcs12 -export -in CERT -inkey KEY`)"
                    .into(),
            )
        })?;
    let certificate = chain
        .certs()
        .iter()
        .map(|certificate| pem("CERTIFICATE", certificate.as_der()))
        .collect();
    Ok((
        certificate,
        Secret::new(pem("PRIVATE KEY", chain.key().as_der())),
    ))
}

/// `der` as a PEM block labelled `label`.
fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut text = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        text.push_str(&String::from_utf8_lossy(line));
        text.push('\n');
    }
    text.push_str(&format!("-----END {label}-----\n"));
    text
}

/// What a person checks about a client certificate: whose it is and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    /// The subject's distinguished name (`CN=partner-client, O=...`).
    pub subject: String,
    /// When it stops being valid, in seconds since the Unix epoch.
    pub not_after: i64,
}

/// The facts of the first certificate in `pem`, if it can be read.
pub fn certificate_facts(pem: &str) -> Option<CertificateFacts> {
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).ok()?;
    let certificate = block.parse_x509().ok()?;
    Some(CertificateFacts {
        subject: certificate.subject().to_string(),
        not_after: certificate.validity().not_after.timestamp(),
    })
}

/// Clients that present a client certificate, one per certificate and key,
/// built on demand as `build` says and kept for later calls.
pub(crate) struct IdentityClients {
    build: Box<dyn Fn(Option<reqwest::Identity>) -> Result<reqwest::Client> + Send + Sync>,
    clients: std::sync::Mutex<std::collections::HashMap<[u8; 32], reqwest::Client>>,
}

impl std::fmt::Debug for IdentityClients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityClients")
            .field("clients", &crate::locked(&self.clients).len())
            .finish()
    }
}

impl IdentityClients {
    pub(crate) fn new(
        build: impl Fn(Option<reqwest::Identity>) -> Result<reqwest::Client> + Send + Sync + 'static,
    ) -> Self {
        Self {
            build: Box::new(build),
            clients: std::sync::Mutex::default(),
        }
    }

    /// A client without a certificate (built anew: keep it).
    pub(crate) fn plain(&self) -> Result<reqwest::Client> {
        (self.build)(None)
    }

    /// The client presenting `identity`, built once.
    pub(crate) fn client(&self, identity: &ClientIdentity) -> Result<reqwest::Client> {
        if let Some(client) = crate::locked(&self.clients).get(&identity.fingerprint) {
            return Ok(client.clone());
        }
        let tls = identity.reqwest().map_err(|error| Error::Transport {
            url: String::new(),
            detail: format!(
                "the client certificate could not be used: {}",
                crate::http::chain(&error)
            ),
        })?;
        let client = (self.build)(Some(tls))?;
        crate::locked(&self.clients).insert(identity.fingerprint, client.clone());
        Ok(client)
    }
}

/// The certificates of a PEM CA file, or why it cannot be used.
pub fn read_ca_file(file: &Path) -> Result<Vec<reqwest::Certificate>> {
    let unusable = |detail: String| Error::Storage {
        action: "use the extra CA file",
        path: file.display().to_string(),
        detail: format!("{detail}; fix it or change Settings → Extra CA file (--ca-file)"),
    };
    let bytes = std::fs::read(file).map_err(|error| unusable(error.to_string()))?;
    let certificates = reqwest::Certificate::from_pem_bundle(&bytes).map_err(|_| {
        unusable("a certificate in it is not valid PEM (its base64 is broken)".into())
    })?;
    if certificates.is_empty() {
        return Err(unusable(
            "it holds no PEM certificate (-----BEGIN CERTIFICATE-----); a binary (DER) \
             certificate converts with `openssl x509 -inform der -in FILE -out FILE.pem`"
                .into(),
        ));
    }
    // Check each parses as a trust anchor, so a bad one is named here, not
    // as "the HTTP client could not be set up".
    for (index, certificate) in certificates.iter().enumerate() {
        let checked = reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(certificate.clone())
            .build();
        if checked.is_err() {
            return Err(unusable(format!(
                "certificate {} of {} is not a valid X.509 certificate",
                index + 1,
                certificates.len()
            )));
        }
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ProxyRules {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyRules::from_env(|name| map.get(name).cloned()).unwrap()
    }

    fn through(rules: &ProxyRules, url: &str) -> Option<String> {
        rules
            .proxy_for(&Url::parse(url).unwrap())
            .map(|proxy| proxy.to_string())
    }

    #[test]
    fn the_scheme_picks_the_environment_variable() {
        let rules = env(&[
            ("HTTPS_PROXY", "http://secure:3128"),
            ("http_proxy", "plain:8080"),
        ]);
        assert_eq!(
            through(&rules, "https://api.example.com/x").as_deref(),
            Some("http://secure:3128/")
        );
        assert_eq!(
            through(&rules, "http://api.example.com/x").as_deref(),
            Some("http://plain:8080/")
        );
        let all = env(&[("ALL_PROXY", "http://all:1")]);
        assert_eq!(
            through(&all, "https://a.example/").as_deref(),
            Some("http://all:1/")
        );
        assert_eq!(
            through(&all, "http://a.example/").as_deref(),
            Some("http://all:1/")
        );
        assert_eq!(through(&env(&[]), "https://a.example/"), None);
    }

    #[test]
    fn lower_case_names_win() {
        let rules = env(&[
            ("https_proxy", "http://lower:1"),
            ("HTTPS_PROXY", "http://upper:1"),
        ]);
        assert_eq!(
            through(&rules, "https://a.example/").as_deref(),
            Some("http://lower:1/")
        );
        assert_eq!(rules.source, "the https_proxy environment variable");
    }

    #[test]
    fn loopback_never_goes_through_a_proxy() {
        let rules = env(&[("ALL_PROXY", "http://proxy:3128")]);
        for url in [
            "http://127.0.0.1:8080/",
            "https://127.5.6.7/",
            "http://[::1]:9/",
            "http://localhost:3000/",
            "http://LOCALHOST./",
            "http://api.localhost/",
        ] {
            assert_eq!(through(&rules, url), None, "{url}");
        }
        assert!(through(&rules, "http://128.0.0.1/").is_some());
        assert!(through(&rules, "http://localhost.example.com/").is_some());
    }

    #[test]
    fn no_proxy_names_domains_addresses_and_blocks() {
        let rules = env(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            (
                "NO_PROXY",
                "corp.example, .intra.test,*.wild.test 10.0.0.0/8,192.168.1.7,[fd00::1]:443,svc:8443",
            ),
        ]);
        for direct in [
            "https://corp.example/",
            "https://api.corp.example/",
            "https://a.intra.test/",
            "https://intra.test/",
            "https://x.wild.test/",
            "https://10.200.3.4/",
            "https://192.168.1.7/",
            "https://[fd00::1]/",
            "https://svc/",
        ] {
            assert_eq!(through(&rules, direct), None, "{direct}");
        }
        for proxied in [
            "https://notcorp.example/",
            "https://corp.example.org/",
            "https://11.0.0.1/",
            "https://192.168.1.8/",
            "https://[fd00::2]/",
        ] {
            assert!(through(&rules, proxied).is_some(), "{proxied}");
        }
        let star = env(&[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "*")]);
        assert_eq!(through(&star, "https://anything.example/"), None);
    }

    #[test]
    fn settings_win_over_the_environment() {
        let from_env = env(&[
            ("HTTPS_PROXY", "http://env:1"),
            ("NO_PROXY", "direct.example"),
        ]);
        let rules = from_env
            .clone()
            .with_overrides(Some("http://user:pw@settings:8080"), &[])
            .unwrap();
        assert_eq!(
            through(&rules, "https://direct.example/").as_deref(),
            Some("http://user:pw@settings:8080/")
        );
        assert_eq!(
            through(&rules, "http://a.example/").as_deref(),
            Some("http://user:pw@settings:8080/")
        );
        let rules = from_env
            .with_overrides(None, &["other.example".to_string()])
            .unwrap();
        assert!(through(&rules, "https://direct.example/").is_some());
        assert_eq!(through(&rules, "https://other.example/"), None);
    }

    #[test]
    fn a_proxy_is_named_without_its_login() {
        let url = Url::parse("http://alice:s3cret@proxy.corp:3128").unwrap();
        assert_eq!(masked(&url), "http://proxy.corp:3128");
        let rules = env(&[("HTTPS_PROXY", "http://alice:s3cret@proxy.corp:3128")]);
        assert!(!format!("{rules:?}").contains("s3cret"));
        let network = Network::default().with_proxies(rules);
        let said = network.explain("https://api.example/x", "could not connect: refused".into());
        assert!(said.contains("http://proxy.corp:3128"), "{said}");
        assert!(said.contains("HTTPS_PROXY"), "{said}");
        assert!(!said.contains("s3cret"), "{said}");
        assert_eq!(
            network.explain("http://127.0.0.1:9/x", "refused".into()),
            "refused"
        );
    }

    #[test]
    fn a_bad_proxy_url_is_named_without_its_password() {
        let message = ProxyRules::from_env(|name| {
            (name == "HTTPS_PROXY").then(|| "socks5://bob:hunter2@proxy:1080".to_string())
        })
        .unwrap_err()
        .to_string();
        assert!(message.contains("HTTPS_PROXY"), "{message}");
        assert!(message.contains("not an HTTP proxy"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn a_bad_ca_file_says_what_is_wrong_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let message = read_ca_file(&missing).unwrap_err().to_string();
        assert!(message.contains("missing.pem"), "{message}");
        let der = dir.path().join("ca.der");
        std::fs::write(&der, [0x30, 0x82, 0x01, 0x0a]).unwrap();
        let message = read_ca_file(&der).unwrap_err().to_string();
        assert!(
            message.contains("ca.der") && message.contains("no PEM certificate"),
            "{message}"
        );
        let broken = dir.path().join("broken.pem");
        std::fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\nMIIBnotacert\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let error = read_ca_file(&broken).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("broken.pem"), "{message}");
        assert!(
            message.ends_with("Settings → Extra CA file (--ca-file)"),
            "{message}"
        );
        // The window names the setting only.
        let shown = crate::ErrorReport::from(&error).message;
        assert!(shown.ends_with("Settings → Extra CA file"), "{shown}");
    }
}
