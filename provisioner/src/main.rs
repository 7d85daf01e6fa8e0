//! `tenantry`: the operators' CLI. See `tenantry --help`.

use clap::Parser;
use provisioner::cli::{Cli, run};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    telemetry::init_with_default("tenantry", "warn,tenantry=info,provisioner=info");
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
