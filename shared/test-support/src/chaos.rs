//! `ChaosProxy`: a TCP proxy in front of a real server that a test can cut and restore, to
//! check what a service does when a dependency goes away (crates.io's `ChaosProxy`).

use std::{net::SocketAddr, sync::Mutex};

use tokio::{net::TcpListener, task::JoinHandle};

pub struct ChaosProxy {
    addr: SocketAddr,
    target: SocketAddr,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl ChaosProxy {
    /// Starts forwarding a new port on 127.0.0.1 to `target`.
    pub async fn start(target: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let proxy = Self { addr, target, task: Mutex::new(None) };
        proxy.serve(listener);
        Ok(proxy)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    fn serve(&self, listener: TcpListener) {
        let target = self.target;
        let task = tokio::spawn(async move {
            // Dropping the set (when this task is aborted) aborts every open connection.
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                connections.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        if let Ok(mut slot) = self.task.lock() {
            *slot = Some(task);
        }
    }

    /// Refuses new connections and breaks every open one.
    pub async fn cut(&self) {
        let task = self.task.lock().ok().and_then(|mut slot| slot.take());
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
    }

    /// Accepts connections again on the same port.
    pub async fn restore(&self) -> std::io::Result<()> {
        let listener = TcpListener::bind(self.addr).await?;
        self.serve(listener);
        Ok(())
    }
}
