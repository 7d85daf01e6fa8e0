//! Real third-party servers started per test: an SMTP server (aiosmtpd, from the venv that
//! `scripts/lib/install.sh --test` makes), an S3-compatible server (s3s-fs) and Azure Blob's
//! emulator (Azurite, from npm). Each runs on a free loopback port in a temporary folder and is
//! killed when dropped.

use std::{
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

fn wait_for_port(port: u16, child: &mut Child, what: &str) {
    if let Err(status) = try_wait_for_port(port, child, what) {
        panic!("{what} exited early: {status}");
    }
}

/// Waits until `port` answers; `Err` when the process exited first (e.g. another process took
/// the free port between our check and its bind).
fn try_wait_for_port(port: u16, child: &mut Child, what: &str) -> Result<(), std::process::ExitStatus> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(status);
        }
        assert!(Instant::now() < deadline, "{what} did not start on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// A real SMTP server requiring AUTH with one user; messages land in files.
pub struct SmtpServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

impl SmtpServer {
    pub fn start(user: &str, password: &str) -> Self {
        let python = std::env::var_os("TENANTRY_SMTP_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/var/tmp/tenantry-smtp-venv/bin/python"));
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/smtp_server.py");
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let port = free_port();
        let mut child = Command::new(&python)
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path())
            .arg(user)
            .arg(password)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {} (run scripts/lib/install.sh --test): {e}", python.display()));
        wait_for_port(port, &mut child, "the SMTP server");
        Self { port, dir, child }
    }

    /// Every message received so far (envelope headers first), oldest first.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> =
            std::fs::read_dir(self.dir.path()).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        files.sort_by_key(|p| p.file_stem().and_then(|s| s.to_str()).and_then(|s| s.parse::<u32>().ok()));
        files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real S3-compatible server (SigV4) with one access key; buckets are folders. It can be
/// stopped and started again on the same port and data, for outage tests.
pub struct S3Server {
    pub url: String,
    pub access_key: String,
    pub secret_key: String,
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl S3Server {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let port = free_port();
        let (access_key, secret_key) = ("tenantry-test".to_owned(), secrets::random_token(24));
        crate::record_secret(&secret_key);
        let mut server =
            Self { url: format!("http://127.0.0.1:{port}"), access_key, secret_key, port, dir, child: None };
        for _ in 0..5 {
            match server.spawn() {
                Ok(()) => return server,
                // The port was taken before the server bound it: try another.
                Err(_) => {
                    server.port = free_port();
                    server.url = format!("http://127.0.0.1:{}", server.port);
                }
            }
        }
        let log = std::fs::read_to_string(server.dir.path().join("s3s-fs.log")).unwrap_or_default();
        panic!("the S3 server did not start: {log}");
    }

    /// Kills the server process (connections are refused until [`S3Server::resume`]).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server process again on the same port and data.
    pub fn resume(&mut self) {
        if let Err(status) = self.spawn() {
            panic!("the S3 server exited early: {status}");
        }
    }

    fn spawn(&mut self) -> Result<(), std::process::ExitStatus> {
        if self.child.is_some() {
            return Ok(());
        }
        let bin = std::env::var_os("TENANTRY_S3S_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/var/tmp/tenantry-s3s/bin/s3s-fs"));
        let mut child = Command::new(&bin)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &self.port.to_string(),
                // `--flag=value`: a random key may start with `-`, which a separate argument
                // would turn into an unknown flag.
                &format!("--access-key={}", self.access_key),
                &format!("--secret-key={}", self.secret_key),
            ])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(self.dir.path().join("s3s-fs.log"))
                    .map(Stdio::from)
                    .unwrap_or_else(|_| Stdio::null()),
            )
            .spawn()
            .unwrap_or_else(|e| panic!("start {} (run scripts/lib/install.sh --test): {e}", bin.display()));
        try_wait_for_port(self.port, &mut child, "the S3 server")?;
        self.child = Some(child);
        Ok(())
    }

    /// Creates a bucket (s3s-fs keeps each bucket as a folder).
    pub fn create_bucket(&self, name: &str) {
        std::fs::create_dir_all(self.dir.path().join(name)).unwrap_or_else(|e| panic!("create bucket: {e}"));
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Azurite's well-known development account and key (published by Microsoft; not a secret).
pub const AZURITE_ACCOUNT: &str = "devstoreaccount1";
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Azure Blob's emulator, Azurite, with the development account (shared-key auth).
/// `--loose`: the Azure SDK asks for a CRC64 of each downloaded range, which real Azure supports
/// and Azurite's strict mode refuses.
pub struct AzuriteServer {
    /// The blob endpoint including the account, as path-style clients expect it.
    pub url: String,
    _dir: tempfile::TempDir,
    child: Child,
}

impl AzuriteServer {
    pub fn start() -> Self {
        let bin = std::env::var_os("TENANTRY_AZURITE_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/var/tmp/tenantry-azurite/node_modules/.bin/azurite-blob"));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let port = free_port();
        let mut child = Command::new(&bin)
            .args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string(), "--location"])
            .arg(dir.path())
            .args(["--disableTelemetry", "--skipApiVersionCheck", "--silent", "--loose"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {} (run scripts/lib/install.sh --test): {e}", bin.display()));
        wait_for_port(port, &mut child, "Azurite");
        Self { url: format!("http://127.0.0.1:{port}/{AZURITE_ACCOUNT}"), _dir: dir, child }
    }
}

impl Drop for AzuriteServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
