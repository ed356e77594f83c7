//! Discovery against a hostile issuer: a metadata document that never ends
//! (or says it is huge) is refused once it passes the size limit, with an
//! error naming the limit, instead of being read into memory whole.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;

use callout_core::oauth;

/// What the hostile issuer sends before it gives up on its own: far more
/// than the limit, so a client without one reads all of it.
const FLOOD: usize = 64 * 1024 * 1024;

/// How the issuer answers every request.
#[derive(Clone, Copy)]
enum Answer {
    /// A chunked JSON body that goes on (up to [`FLOOD`] bytes).
    Endless,
    /// `Content-Length: FLOOD`, then the body.
    Declared,
}

/// An issuer on 127.0.0.1 answering each request as `answer`; reports, per
/// connection, how many body bytes the socket took before the client hung
/// up (or all of them).
fn hostile_issuer(answer: Answer) -> (SocketAddr, mpsc::Receiver<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let (sent, report) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let sent = sent.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 2 {
                    line.clear();
                }
                let head = match answer {
                    Answer::Endless => "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                                        Transfer-Encoding: chunked\r\n\r\n"
                        .to_string(),
                    Answer::Declared => format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                         Content-Length: {FLOOD}\r\n\r\n"
                    ),
                };
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let piece = vec![b' '; 64 * 1024];
                let mut total = 0;
                while total < FLOOD {
                    let written = match answer {
                        Answer::Endless => write!(stream, "{:x}\r\n", piece.len())
                            .and_then(|()| stream.write_all(&piece))
                            .and_then(|()| stream.write_all(b"\r\n")),
                        Answer::Declared => stream.write_all(&piece),
                    };
                    if written.is_err() {
                        break;
                    }
                    total += piece.len();
                }
                if let Answer::Endless = answer {
                    let _ = stream.write_all(b"0\r\n\r\n");
                }
                let _ = sent.send(total);
            });
        }
    });
    (address, report)
}

fn assert_refused_at_the_limit(answer: Answer) {
    let (address, report) = hostile_issuer(answer);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = oauth::token_client().unwrap();
    let error = runtime
        .block_on(oauth::discover(&http, &format!("http://{address}")))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(
            "/.well-known/openid-configuration: the metadata document is larger \
                        than 512 KiB"
        ),
        "{error}"
    );
    assert!(
        error.contains(
            "/.well-known/oauth-authorization-server: the metadata document is \
                        larger than 512 KiB"
        ),
        "{error}"
    );
    drop(runtime);
    // Both well-known paths were tried; neither was read to its end.
    for _ in 0..2 {
        let sent = report.recv().unwrap();
        assert!(
            sent < FLOOD,
            "the client read all {sent} bytes the issuer sent"
        );
    }
}

#[test]
fn an_endless_metadata_document_is_refused_at_the_size_limit() {
    assert_refused_at_the_limit(Answer::Endless);
}

#[test]
fn a_metadata_document_declared_huge_is_refused_without_reading_it() {
    assert_refused_at_the_limit(Answer::Declared);
}
