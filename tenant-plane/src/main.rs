//! `tenant-plane` binary: settings → state → serve until SIGTERM or Ctrl-C.

use clap::Parser;
use tenant_plane::{Application, Settings, build_state};

/// mimalloc instead of glibc's allocator: a request allocates and frees many small buffers on
/// each worker thread, and glibc's arenas cost a tenth of the worker's time (ADR 0017).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match serve().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // The cause chain, once; never the settings (they may hold secrets).
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve() -> anyhow::Result<()> {
    telemetry::init("tenant-plane");
    let settings = Settings::parse();
    let state = build_state(&settings).await?;
    let app = Application::bind(settings.addr, state)?.with_workers(settings.http_workers);
    tracing::info!(addr = %app.local_addr(), "tenant plane listening");
    app.run_until(http_api::shutdown_signal()).await
}
