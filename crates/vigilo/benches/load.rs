//! Load benchmark of the web application: concurrent clients on loopback against the real
//! `vigilo serve` over the demo store (SQLite). Each client holds one keep-alive connection and
//! alternates the device page (browser session) and the device JSON (API token) of random
//! devices, sending the next request as soon as the last is answered. Prints requests,
//! throughput, p50/p90/p99/max latency and errors per endpoint. Not a test: it asserts nothing.
//!
//! `cargo bench -p vigilo --bench load`; `VIGILO_LOAD_CLIENTS` and `VIGILO_LOAD_SECS` change
//! the concurrency (200) and the measured duration (20 s).

use anyhow::{Context, Result, bail, ensure};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HOST, SET_COOKIE};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

const DEVICES: u64 = 2000;
const ACCOUNT: &str = "qm.weber";
const PASSWORD: &str = "vigilo-demo-2026";
const WARM_UP: Duration = Duration::from_secs(3);
/// Bounds the run by count as well as by time, whatever the server does.
const MAX_REQUESTS_PER_CLIENT: usize = 100_000;
/// A request still unanswered after this is an error, and the run cannot hang on it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Kills the server however the benchmark ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn vigilo(args: &[&str]) -> Result<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_vigilo"))
        .arg("--json")
        .args(args)
        .output()?;
    ensure!(
        out.status.success(),
        "vigilo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// Starts the server on a port the kernel picks and reads the address from its announcement,
/// so no other process can take the port in between.
fn serve(db: &str) -> Result<(Server, SocketAddr)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigilo"))
        .args(["--db", db, "serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(child.stderr.take().context("server stderr")?).lines();
    let server = Server(child);
    let addr = loop {
        let line = lines
            .next()
            .context("the server exited before listening")??;
        if let Some(url) = line.split(" on http://").nth(1) {
            break url
                .split_whitespace()
                .next()
                .context("announced address")?
                .parse()?;
        }
    };
    // Whatever the server says later must not fill the pipe and block it.
    std::thread::spawn(move || lines.map_while(Result::ok).for_each(|l| eprintln!("{l}")));
    Ok((server, addr))
}

type Conn = SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Result<Conn> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(send)
}

struct Answer {
    status: StatusCode,
    cookies: Vec<String>,
    body: Bytes,
}

async fn send(conn: &mut Conn, request: Request<Full<Bytes>>) -> Result<Answer> {
    conn.ready().await?;
    let response = conn.send_request(request).await?;
    let cookies = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok(Answer {
        status,
        cookies,
        body,
    })
}

fn cookie_value(answer: &Answer, name: &str) -> Option<String> {
    answer.cookies.iter().find_map(|c| {
        let (pair, _) = c.split_once(';').unwrap_or((c, ""));
        Some(pair.strip_prefix(name)?.strip_prefix('=')?.to_owned())
    })
}

fn hidden_field(html: &str, name: &str) -> Option<String> {
    let after = html.split(&format!("name=\"{name}\" value=\"")).nth(1)?;
    Some(after.split('"').next()?.to_owned())
}

/// Signs in through the form as a browser would; returns the `Cookie` header of the session.
async fn sign_in(addr: SocketAddr) -> Result<String> {
    let mut conn = connect(addr).await?;
    let form = send(&mut conn, get(addr, "/login").body(Full::default())?).await?;
    ensure!(form.status == StatusCode::OK, "GET /login: {}", form.status);
    let signin = cookie_value(&form, "vigilo_signin").context("sign-in cookie")?;
    let html = String::from_utf8_lossy(&form.body);
    let csrf = hidden_field(&html, "csrf").context("csrf field")?;
    let next = hidden_field(&html, "next").context("next field")?;
    let body = format!("account={ACCOUNT}&password={PASSWORD}&csrf={csrf}&next={next}");
    let request = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(HOST, addr.to_string())
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(COOKIE, format!("vigilo_signin={signin}"))
        .body(Full::new(Bytes::from(body)))?;
    let done = send(&mut conn, request).await?;
    ensure!(
        done.status == StatusCode::SEE_OTHER,
        "POST /login: {}",
        done.status
    );
    let session = cookie_value(&done, "vigilo_session").context("session cookie")?;
    Ok(format!("vigilo_session={session}"))
}

fn get(addr: SocketAddr, path: &str) -> hyper::http::request::Builder {
    Request::builder().uri(path).header(HOST, addr.to_string())
}

#[derive(Clone, Copy)]
enum Endpoint {
    Page,
    Api,
}

struct Credentials {
    cookie: String,
    bearer: String,
}

impl Endpoint {
    fn request(self, addr: SocketAddr, device: u64, creds: &Credentials) -> Request<Full<Bytes>> {
        let request = match self {
            Endpoint::Page => {
                get(addr, &format!("/devices/{device}")).header(COOKIE, &creds.cookie)
            }
            Endpoint::Api => {
                get(addr, &format!("/api/devices/{device}")).header(AUTHORIZATION, &creds.bearer)
            }
        };
        request
            .body(Full::default())
            .expect("the path and the server's credentials are valid header values")
    }
}

#[derive(Default)]
struct Samples {
    latencies: [Vec<Duration>; 2],
    errors: [usize; 2],
    /// The first few error messages, to say what went wrong.
    first_errors: Vec<String>,
}

async fn attempt(
    conn: &mut Option<Conn>,
    addr: SocketAddr,
    request: Request<Full<Bytes>>,
) -> Result<()> {
    let c = match conn {
        Some(c) => c,
        None => conn.insert(connect(addr).await?),
    };
    let answer = send(c, request).await?;
    if answer.status != StatusCode::OK {
        bail!("{}", answer.status);
    }
    Ok(())
}

/// One client on its own connection, alternating the two endpoints on random devices until
/// `warm_until` (not recorded) and then `until` (recorded).
async fn client(
    addr: SocketAddr,
    creds: Arc<Credentials>,
    seed: u64,
    warm_until: Instant,
    until: Instant,
) -> Samples {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut conn = None;
    let mut samples = Samples::default();
    for i in 0..MAX_REQUESTS_PER_CLIENT {
        let start = Instant::now();
        if start >= until {
            break;
        }
        let endpoint = if i % 2 == 0 {
            Endpoint::Page
        } else {
            Endpoint::Api
        };
        let request = endpoint.request(addr, rng.u64(1..=DEVICES), &creds);
        let outcome = timeout(REQUEST_TIMEOUT, attempt(&mut conn, addr, request))
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("no answer in {REQUEST_TIMEOUT:?}")));
        let latency = start.elapsed();
        if outcome.is_err() {
            // The connection may be half-way through a response: start afresh.
            conn = None;
        }
        if start < warm_until {
            continue;
        }
        samples.latencies[endpoint as usize].push(latency);
        if let Err(e) = outcome {
            samples.errors[endpoint as usize] += 1;
            if samples.first_errors.len() < 3 {
                samples.first_errors.push(format!("{e:#}"));
            }
        }
    }
    samples
}

/// Nearest-rank percentile of sorted latencies, in milliseconds.
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1e3
}

fn report(name: &str, mut latencies: Vec<Duration>, errors: usize, elapsed: Duration) {
    latencies.sort_unstable();
    if latencies.is_empty() {
        println!("{name:<22} no requests");
        return;
    }
    println!(
        "{name:<22} {:>8} {:>9.0} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>7}",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
        percentile(&latencies, 100.0),
        errors
    );
}

fn env_number(name: &str, default: u64) -> Result<u64> {
    std::env::var(name).map_or(Ok(default), |v| {
        v.parse().with_context(|| format!("{name}={v:?}"))
    })
}

async fn run(dir: &Path) -> Result<()> {
    let clients = env_number("VIGILO_LOAD_CLIENTS", 200)?;
    let duration = Duration::from_secs(env_number("VIGILO_LOAD_SECS", 20)?);
    let path = dir.join("demo.db");
    let path = path.to_str().context("temp dir path is UTF-8")?;
    let db = format!("sqlite://{path}");
    let seeded = vigilo(&["demo", "--path", path, "--seed-only"])?;
    ensure!(seeded["devices"] == DEVICES, "seeded {}", seeded["devices"]);
    let issued = vigilo(&[
        "--db", &db, "--as", "admin", "token", "issue", "--person", ACCOUNT, "--label", "load",
    ])?;
    let token = issued["token"].as_str().context("token")?;

    let (_server, addr) = serve(&db)?;
    let creds = Arc::new(Credentials {
        cookie: sign_in(addr).await?,
        bearer: format!("Bearer {token}"),
    });

    let warm_until = Instant::now() + WARM_UP;
    let until = warm_until + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|seed| tokio::spawn(client(addr, creds.clone(), seed, warm_until, until)))
        .collect();
    let mut all = Samples::default();
    for task in tasks {
        let s = task.await?;
        for (i, mut l) in s.latencies.into_iter().enumerate() {
            all.latencies[i].append(&mut l);
            all.errors[i] += s.errors[i];
        }
        all.first_errors.extend(s.first_errors);
    }
    let elapsed = warm_until.elapsed();

    println!(
        "\n{clients} clients, one connection each, {:.1} s measured after {} s warm-up, {addr}\n",
        elapsed.as_secs_f64(),
        WARM_UP.as_secs()
    );
    println!(
        "{:<22} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "endpoint", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"
    );
    let [page, api] = all.latencies;
    let overall = [page.as_slice(), api.as_slice()].concat();
    report("GET /devices/{id}", page, all.errors[0], elapsed);
    report("GET /api/devices/{id}", api, all.errors[1], elapsed);
    report("overall", overall, all.errors[0] + all.errors[1], elapsed);
    all.first_errors.truncate(5);
    for e in &all.first_errors {
        println!("error: {e}");
    }
    Ok(())
}

fn main() -> Result<()> {
    let dir = tempfile::tempdir()?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(dir.path()))
}
