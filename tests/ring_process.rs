//! The shared-memory ring between real processes: this binary re-runs
//! itself as a producer or consumer process (`BREAKWATER_RING_ROLE`), so
//! the two sides share nothing but the ring file.

mod support;

use breakwater::ipc::spsc_ring::{RecordBuf, Ring};
use std::path::Path;
use std::process::{Command, Stdio};

const ROLE: &str = "BREAKWATER_RING_ROLE";
const PATH: &str = "BREAKWATER_RING_PATH";
const COUNT: &str = "BREAKWATER_RING_COUNT";
const FIRST: &str = "BREAKWATER_RING_FIRST";

/// Runs this binary as `role` on `path`; returns its exit status and stdout.
fn child(role: &str, path: &Path, count: u64, first: u64) -> (bool, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .env(ROLE, role)
        .env(PATH, path)
        .env(COUNT, count.to_string())
        .env(FIRST, first.to_string())
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn spawn(role: &str, path: &Path, count: u64, first: u64) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .env(ROLE, role)
        .env(PATH, path)
        .env(COUNT, count.to_string())
        .env(FIRST, first.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The child side: produce or consume `count` sequence-numbered records.
fn run_child(role: &str) {
    let path = std::env::var(PATH).unwrap();
    let count: u64 = std::env::var(COUNT).unwrap().parse().unwrap();
    let first: u64 = std::env::var(FIRST).unwrap().parse().unwrap();
    let ring = Ring::open(Path::new(&path)).unwrap();
    match role {
        "producer" => {
            let mut p = ring.producer().unwrap();
            for i in first..first + count {
                // Vary the size so records wrap behind padding.
                let len = 8 + (i % 7) as usize * 8;
                let mut payload = vec![0u8; len];
                payload[..8].copy_from_slice(&i.to_le_bytes());
                while p.try_push(1, &payload).is_err() {
                    std::hint::spin_loop();
                }
            }
        }
        "consumer" => {
            let mut c = ring.consumer().unwrap();
            let mut buf = RecordBuf::default();
            let mut expected = first;
            while expected < first + count {
                if c.try_pop(&mut buf).unwrap() {
                    let got = u64::from_le_bytes(buf.payload()[..8].try_into().unwrap());
                    assert_eq!(got, expected, "records arrive in order");
                    assert_eq!(buf.payload().len(), 8 + (got % 7) as usize * 8);
                    expected += 1;
                } else {
                    std::hint::spin_loop();
                }
            }
            println!("consumed {count} from {first}");
        }
        "holder" => {
            // Holds the consumer role until killed.
            let _c = ring.consumer().unwrap();
            println!("holding");
            use std::io::Write;
            std::io::stdout().flush().unwrap();
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
        other => panic!("unknown role {other}"),
    }
}

fn new_ring(dir: &Path, capacity: usize) -> std::path::PathBuf {
    let path = dir.join("test.ring");
    Ring::create(&path, "test", capacity).unwrap();
    path
}

fn producer_and_consumer_processes_move_a_million_records_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_ring(dir.path(), 1 << 14);
    let consumer = spawn("consumer", &path, 1_000_000, 0);
    let producer = spawn("producer", &path, 1_000_000, 0);
    let p = producer.wait_with_output().unwrap();
    let c = consumer.wait_with_output().unwrap();
    assert!(p.status.success() && c.status.success());
    assert!(String::from_utf8_lossy(&c.stdout).contains("consumed 1000000 from 0"));
}

fn a_restarted_consumer_process_resumes_where_the_dead_one_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_ring(dir.path(), 1 << 16);
    assert!(child("producer", &path, 1_000, 0).0);
    // The first consumer reads half and exits without any clean-up.
    let (ok, out) = child("consumer", &path, 500, 0);
    assert!(ok, "{out}");
    // Its claim is stale (the process is gone): a new one takes over and
    // continues from the stored tail, nothing lost or repeated.
    let (ok, out) = child("consumer", &path, 500, 500);
    assert!(ok, "{out}");
    assert!(out.contains("consumed 500 from 500"));
    assert_eq!(Ring::open(&path).unwrap().used_bytes(), 0);
}

fn a_second_consumer_process_is_refused_while_the_first_lives() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_ring(dir.path(), 1 << 12);
    let mut holder = spawn("holder", &path, 0, 0);
    let mut line = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(holder.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "holding");
    let err = Ring::open(&path)
        .unwrap()
        .consumer()
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("already has a live consumer"),
        "{err}"
    );
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert!(
        Ring::open(&path).unwrap().consumer().is_ok(),
        "taken over once the holder is dead"
    );
}

fn main() {
    if let Ok(role) = std::env::var(ROLE) {
        run_child(&role);
        return;
    }
    support::run_tests(&[
        (
            "producer_and_consumer_processes_move_a_million_records_in_order",
            producer_and_consumer_processes_move_a_million_records_in_order,
        ),
        (
            "a_restarted_consumer_process_resumes_where_the_dead_one_stopped",
            a_restarted_consumer_process_resumes_where_the_dead_one_stopped,
        ),
        (
            "a_second_consumer_process_is_refused_while_the_first_lives",
            a_second_consumer_process_is_refused_while_the_first_lives,
        ),
    ]);
}
