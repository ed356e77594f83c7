//! `callout sandbox` as a user runs it: started on port 0, called over plain
//! HTTP at the URL it prints, logging each request, then stopped.

use std::io::{BufRead, BufReader, Lines, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};

/// The running binary; killed however the test ends.
struct Running {
    child: Child,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Running {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_callout"))
            .arg("sandbox")
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("run callout sandbox");
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        Self { child, stdout }
    }

    fn next_line(&mut self) -> String {
        self.stdout
            .next()
            .expect("more output")
            .expect("utf-8 output")
    }

    /// Reads lines until one starts with `prefix`; returns the rest of it.
    fn value_after(&mut self, prefix: &str) -> String {
        loop {
            let line = self.next_line();
            if let Some(rest) = line.trim_start().strip_prefix(prefix) {
                return rest.trim().to_string();
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 exchange over a fresh connection; returns status line and body.
fn http(base_url: &str, request_line: &str, headers: &str, body: &str) -> (String, String) {
    let address = base_url.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{request_line} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{headers}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

fn json_string_field(body: &str, field: &str) -> String {
    let start = body.find(&format!("\"{field}\":\"")).unwrap() + field.len() + 4;
    body[start..].split('"').next().unwrap().to_string()
}

#[test]
fn sandbox_prints_its_url_serves_tokens_and_logs_each_request() {
    let mut sandbox = Running::start(&["--port", "0", "--access-ttl", "120", "--omit-expires-in"]);
    let base_url = sandbox.value_after("sandbox listening on");
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    assert_ne!(base_url, "http://127.0.0.1:0");
    let client_id = sandbox.value_after("client id:");
    let client_secret = sandbox.value_after("client secret:");
    sandbox.value_after("press Ctrl-C to stop");

    let form = format!(
        "grant_type=client_credentials&client_id={client_id}&client_secret={client_secret}"
    );
    let (status, body) = http(
        &base_url,
        "POST /token",
        "Content-Type: application/x-www-form-urlencoded\r\n",
        &form,
    );
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    assert!(!body.contains("expires_in"), "--omit-expires-in: {body}");
    assert_eq!(sandbox.next_line(), "POST /token -> 200 ok");

    let token = json_string_field(&body, "access_token");
    let (status, body) = http(
        &base_url,
        "GET /services/data/v59.0/query?q=SELECT+Id,Name+FROM+Account",
        &format!("Authorization: Bearer {token}\r\n"),
        "",
    );
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    assert!(body.contains("Acme Corporation"));
    assert_eq!(
        sandbox.next_line(),
        "GET /services/data/v59.0/query -> 200 ok"
    );

    let (status, _) = http(&base_url, "GET /rfc6750/accounts", "", "");
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");
    assert_eq!(
        sandbox.next_line(),
        "GET /rfc6750/accounts -> 401 missing_token"
    );
}

#[test]
fn sandbox_reports_a_port_it_cannot_use() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_callout"))
        .args(["sandbox", "--port", &port])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(&format!("could not start on 127.0.0.1:{port}")),
        "{stderr}"
    );
}
