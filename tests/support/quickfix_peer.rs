//! QuickFIX's example acceptors (`executor`, `ordermatch`) as real FIX
//! peers on loopback, built by `scripts/quickfix-peers`.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

pub struct QuickFixPeer {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    pub name: String,
    pub port: u16,
    pub dir: PathBuf,
    binary: PathBuf,
}

/// Builds the peers (once; the script keeps what it built) and returns
/// their folder.
pub fn peers_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(build_peers).clone()
}

fn build_peers() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(root.join("scripts/quickfix-peers"))
        .output()
        .expect("run scripts/quickfix-peers");
    assert!(
        out.status.success(),
        "scripts/quickfix-peers failed (run scripts/setup for libquickfix-dev/doc):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// A port free now and never handed to another peer of this test process:
/// a crashed peer's port stays its own while it is down, so a peer that
/// another test starts meanwhile cannot take it over (and receive the
/// first one's reconnecting client).
fn free_port() -> u16 {
    static HANDED_OUT: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if !handed_out.contains(&port) {
            handed_out.push(port);
            return port;
        }
    }
}

impl QuickFixPeer {
    /// Starts `name` ("executor" or "ordermatch") accepting `begin_string`
    /// sessions from `client` as `sender`, with its stores in `dir`.
    pub fn start(
        name: &str,
        begin_string: &str,
        sender: &str,
        client: &str,
        dir: &Path,
    ) -> QuickFixPeer {
        let binary = peers_dir().join(name);
        let port = free_port();
        let settings = format!(
            "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort={port}\nSocketReuseAddress=Y\n\
             StartTime=00:00:00\nEndTime=00:00:00\nFileStorePath={store}\nFileLogPath={log}\n\
             UseDataDictionary=N\nSenderCompID={sender}\n\n[SESSION]\nBeginString={begin_string}\nTargetCompID={client}\n",
            store = dir.join("store").display(),
            log = dir.join("log").display(),
        );
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("peer.cfg"), settings).unwrap();
        let mut peer = QuickFixPeer {
            child: None,
            stdin: None,
            name: name.to_string(),
            port,
            dir: dir.to_path_buf(),
            binary,
        };
        peer.spawn();
        peer
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("screen.log"))
            .unwrap();
        // ordermatch reads commands from stdin and spins on EOF: keep it open.
        let mut child = Command::new(&self.binary)
            .arg(self.dir.join("peer.cfg"))
            .stdin(Stdio::piped())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", self.binary.display()));
        self.stdin = child.stdin.take();
        self.child = Some(child);
        let end = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(self.addr()).is_err() {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!(
                    "{} exited ({status}) before listening on {}: {}",
                    self.name,
                    self.port,
                    self.screen_log()
                );
            }
            assert!(
                Instant::now() < end,
                "{} did not listen on {}: {}",
                self.name,
                self.port,
                self.screen_log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Kills the process (a venue crash); its stores stay.
    pub fn kill(&mut self) {
        self.stdin = None;
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port with the same stores.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// What it printed (QuickFIX's screen log: every message in and out).
    pub fn screen_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("screen.log")).unwrap_or_default()
    }

    /// Messages of type `msg_type` it received, '|' for SOH (its screen
    /// log prints `<time, session, incoming>` and then the message).
    pub fn incoming(&self, msg_type: &str) -> Vec<String> {
        self.logged("incoming>", msg_type)
    }

    /// Messages of type `msg_type` it sent, resends (PossDup) included.
    pub fn outgoing(&self, msg_type: &str) -> Vec<String> {
        self.logged("outgoing>", msg_type)
    }

    fn logged(&self, direction: &str, msg_type: &str) -> Vec<String> {
        let tag = format!("\u{1}35={msg_type}\u{1}");
        let log = self.screen_log();
        let lines: Vec<&str> = log.lines().collect();
        lines
            .windows(2)
            .filter(|w| w[0].ends_with(direction) && w[1].contains(&tag))
            .map(|w| w[1].trim().replace('\u{1}', "|"))
            .collect()
    }
}

impl Drop for QuickFixPeer {
    fn drop(&mut self) {
        if let Some(stdin) = &mut self.stdin {
            let _ = stdin.write_all(b"#quit\n");
        }
        self.kill();
    }
}
