//! A private Postgres cluster started from the machine's Postgres binaries: the embedded
//! default of `tenantry dev`, and the throwaway server of the test-support crate.
//!
//! Postgres refuses to run as root, so when we are root the cluster's files belong to the
//! `postgres` user and the server runs as that user.

use std::{
    fs,
    io::Write,
    net::TcpListener,
    os::unix::{
        fs::{OpenOptionsExt, PermissionsExt},
        process::CommandExt,
    },
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::{Context, bail};

/// How to start the cluster.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// Folder holding `pgdata/`, the server log and the superuser password file.
    pub root: PathBuf,
    pub port: u16,
    /// `fsync`, `synchronous_commit` and `full_page_writes` on. Off only for tests.
    pub durable: bool,
    pub max_connections: u32,
    /// Accept only TLS connections, with this certificate (tests of TLS to database servers).
    pub tls: Option<ServerTls>,
}

/// A server certificate and its key, PEM.
#[derive(Clone)]
pub struct ServerTls {
    pub cert_pem: String,
    pub key_pem: String,
    /// Also require a client certificate issued by this CA (`clientcert=verify-ca`), as
    /// servers of agencies that admit only their own certificates do.
    pub client_ca_pem: Option<String>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls").finish_non_exhaustive()
    }
}

/// A running (or reusable) cluster.
#[derive(Debug, Clone)]
pub struct PgCluster {
    root: PathBuf,
    bin_dir: PathBuf,
    port: u16,
    password: String,
}

const SUPERUSER: &str = "postgres";

impl PgCluster {
    /// Initialises the cluster if its data directory is new and starts it unless it already runs.
    pub fn start(config: &ClusterConfig) -> anyhow::Result<Self> {
        let bin_dir = find_bin_dir()?;
        fs::create_dir_all(&config.root).with_context(|| format!("create {}", config.root.display()))?;
        let root = fs::canonicalize(&config.root)?;
        let owner = server_user()?;
        let password = ensure_password(&root)?;
        let cluster = Self { root, bin_dir, port: config.port, password };
        if !cluster.data_dir().join("PG_VERSION").exists() {
            cluster.initdb(config, owner.as_ref())?;
        }
        if cluster.is_running(owner.as_ref())? {
            tracing::info!(port = cluster.port, "postgres cluster already running");
            return Ok(cluster);
        }
        cluster.pg_ctl_start(config, owner.as_ref())?;
        Ok(cluster)
    }

    /// The cluster in `root` if it is initialised, without starting it.
    pub fn existing(root: &Path, port: u16) -> anyhow::Result<Self> {
        let root = fs::canonicalize(root)?;
        let password = fs::read_to_string(root.join("superuser.password")).context("read superuser password")?;
        Ok(Self { root, bin_dir: find_bin_dir()?, port, password: password.trim().to_owned() })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Superuser URL for `database` (contains the password: never log it).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}:{}@127.0.0.1:{}/{database}", self.password, self.port)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.root.join("pgdata")
    }

    pub fn log_file(&self) -> PathBuf {
        self.root.join("postgres.log")
    }

    /// Stops the server (fast shutdown: durable, disconnects clients).
    pub fn stop(&self) -> anyhow::Result<()> {
        let owner = server_user()?;
        let status = self
            .command("pg_ctl", owner.as_ref())
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", "fast", "-w", "-t", "60", "stop"])
            .stdout(Stdio::null())
            .status()
            .context("run pg_ctl stop")?;
        if !status.success() {
            bail!("pg_ctl stop failed ({status})");
        }
        Ok(())
    }

    pub fn is_running(&self, owner: Option<&nix::unistd::User>) -> anyhow::Result<bool> {
        let status = self
            .command("pg_ctl", owner)
            .arg("-D")
            .arg(self.data_dir())
            .arg("status")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .context("run pg_ctl status")?;
        Ok(status.success())
    }

    fn initdb(&self, config: &ClusterConfig, owner: Option<&nix::unistd::User>) -> anyhow::Result<()> {
        if let Some(user) = owner {
            nix::unistd::chown(&self.root, Some(user.uid), Some(user.gid)).context("chown cluster root")?;
        }
        // initdb reads the password as the server user; the file lives only for this call.
        let pwfile = self.root.join("initdb.pw");
        write_private(&pwfile, &self.password)?;
        if let Some(user) = owner {
            nix::unistd::chown(&pwfile, Some(user.uid), Some(user.gid))?;
        }
        let mut cmd = self.command("initdb", owner);
        cmd.arg("-D")
            .arg(self.data_dir())
            .args(["-U", SUPERUSER, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .stdout(Stdio::null());
        if !config.durable {
            cmd.arg("--no-sync");
        }
        let output = cmd.output().context("run initdb")?;
        let _ = fs::remove_file(&pwfile);
        if !output.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(())
    }

    fn pg_ctl_start(&self, config: &ClusterConfig, owner: Option<&nix::unistd::User>) -> anyhow::Result<()> {
        let mut opts = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories='' -c max_connections={}",
            self.port, config.max_connections
        );
        if !config.durable {
            opts.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        if let Some(tls) = &config.tls {
            let (cert, key, client_ca) = self.write_tls_only(tls, owner)?;
            opts.push_str(&format!(
                " -c ssl=on -c ssl_cert_file='{}' -c ssl_key_file='{}'",
                cert.display(),
                key.display()
            ));
            if let Some(client_ca) = client_ca {
                opts.push_str(&format!(" -c ssl_ca_file='{}'", client_ca.display()));
            }
        }
        let output = self
            .command("pg_ctl", owner)
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.log_file())
            .args(["-w", "-t", "60", "-o", &opts, "start"])
            .output()
            .context("run pg_ctl start")?;
        if !output.status.success() {
            let log = fs::read_to_string(self.log_file()).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(10).collect();
            bail!("pg_ctl start failed: {}\n{}", String::from_utf8_lossy(&output.stderr), tail.join("\n"));
        }
        tracing::info!(port = self.port, data_dir = %self.data_dir().display(), "postgres cluster started");
        Ok(())
    }

    /// Writes the certificate and key (owned by the server user, mode 0600), the client CA if
    /// any, and a `pg_hba.conf` that accepts TCP connections only over TLS (and then only with
    /// a client certificate from that CA).
    fn write_tls_only(
        &self,
        tls: &ServerTls,
        owner: Option<&nix::unistd::User>,
    ) -> anyhow::Result<(PathBuf, PathBuf, Option<PathBuf>)> {
        let (cert, key) = (self.root.join("server.crt"), self.root.join("server.key"));
        let client_ca = tls.client_ca_pem.as_ref().map(|pem| (self.root.join("client-ca.crt"), pem));
        let files =
            [(&cert, &tls.cert_pem), (&key, &tls.key_pem)].into_iter().chain(client_ca.as_ref().map(|(p, c)| (p, *c)));
        for (path, content) in files {
            write_private(path, content)?;
            if let Some(user) = owner {
                nix::unistd::chown(path, Some(user.uid), Some(user.gid)).context("chown TLS files")?;
            }
        }
        let client = if client_ca.is_some() { " clientcert=verify-ca" } else { "" };
        // Truncating the existing file keeps its owner.
        let hba = format!(
            "# Written by pgcluster: TCP connections only over TLS.\n\
             hostssl all all 127.0.0.1/32 scram-sha-256{client}\n\
             hostssl all all ::1/128 scram-sha-256{client}\n"
        );
        fs::write(self.data_dir().join("pg_hba.conf"), hba).context("write pg_hba.conf")?;
        Ok((cert, key, client_ca.map(|(path, _)| path)))
    }

    fn command(&self, program: &str, owner: Option<&nix::unistd::User>) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        if let Some(user) = owner {
            cmd.uid(user.uid.as_raw()).gid(user.gid.as_raw()).env("HOME", &user.dir);
        }
        cmd.current_dir(&self.root);
        cmd
    }
}

/// The user the server runs as: `postgres` when we are root, ourselves otherwise.
pub fn server_user() -> anyhow::Result<Option<nix::unistd::User>> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    let user = nix::unistd::User::from_name("postgres")?
        .context("running as root needs a `postgres` user to run the server as")?;
    Ok(Some(user))
}

/// Postgres binaries: `TENANTRY_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`.
pub fn find_bin_dir() -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("TENANTRY_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .context("find Postgres binaries in /usr/lib/postgresql (set TENANTRY_PG_BIN)")?
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).context("no Postgres installation with initdb found")
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn ensure_password(root: &Path) -> anyhow::Result<String> {
    let path = root.join("superuser.password");
    if let Ok(existing) = fs::read_to_string(&path) {
        return Ok(existing.trim().to_owned());
    }
    let password: String = {
        use rand::{Rng, distributions::Alphanumeric};
        rand::rngs::OsRng.sample_iter(&Alphanumeric).take(32).map(char::from).collect()
    };
    write_private(&path, &password)?;
    Ok(password)
}

fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("write {}", path.display()))?;
    file.write_all(content.as_bytes())?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    Ok(())
}
