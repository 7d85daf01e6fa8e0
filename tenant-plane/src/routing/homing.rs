//! A tenant connection's socket that follows the thread using it.
//!
//! Each actix worker thread runs its own tokio runtime, and a socket's readiness events go to
//! the runtime it is registered with. A pooled connection driven on one worker thread and used
//! by a request on another cost two cross-thread wake-ups per query: the query was handed to the
//! connection's thread and the answer handed back. [`HomingStream`] re-registers its socket with
//! the runtime that polls it whenever that runtime changes; [`super::link`] polls each
//! connection on the runtime of the request that checked it out. A query then stays on the
//! request's thread, and a connection changes threads only when another thread checks it out.
//! ADR 0017 has the measurements.

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpSocket, TcpStream},
    runtime::{Handle, Id},
};

/// A TCP stream registered with the runtime that last polled it.
pub struct HomingStream {
    io: Option<TcpStream>,
    home: Option<Id>,
}

fn current_runtime() -> Option<Id> {
    Handle::try_current().ok().map(|handle| handle.id())
}

fn lost() -> io::Error {
    io::Error::other("tenant connection lost while changing threads")
}

impl HomingStream {
    fn new(io: TcpStream) -> Self {
        Self { io: Some(io), home: current_runtime() }
    }

    /// The stream, registered with the current runtime first if it is registered elsewhere.
    fn here(&mut self) -> io::Result<&mut TcpStream> {
        let here = current_runtime();
        if here.is_some() && here != self.home {
            let std = self.io.take().ok_or_else(lost)?.into_std()?;
            self.io = Some(TcpStream::from_std(std)?);
            self.home = here;
        }
        self.io.as_mut().ok_or_else(lost)
    }
}

/// Connects to `host:port` (each resolved address in turn), with TCP keepalive and no Nagle
/// delay, as libpq and tokio-postgres do.
pub async fn connect(host: &str, port: u16, timeout: Duration) -> io::Result<HomingStream> {
    let timed_out = || io::Error::new(io::ErrorKind::TimedOut, "connecting to the tenant database timed out");
    let addrs: Vec<SocketAddr> =
        tokio::time::timeout(timeout, tokio::net::lookup_host((host, port))).await.map_err(|_| timed_out())??.collect();
    let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{host} resolves to no address"));
    for addr in addrs {
        let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
        socket.set_keepalive(true)?;
        socket.set_nodelay(true)?;
        match tokio::time::timeout(timeout, socket.connect(addr)).await {
            Ok(Ok(stream)) => return Ok(HomingStream::new(stream)),
            Ok(Err(err)) => last = err,
            Err(_) => last = timed_out(),
        }
    }
    Err(last)
}

impl HomingStream {
    /// Polls the stream after registering it here if needed.
    fn poll_here<T>(
        self: Pin<&mut Self>,
        poll: impl FnOnce(Pin<&mut TcpStream>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match self.get_mut().here() {
            Ok(io) => poll(Pin::new(io)),
            Err(err) => Poll::Ready(Err(err)),
        }
    }
}

impl AsyncRead for HomingStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.poll_here(|io| io.poll_read(cx, buf))
    }
}

impl AsyncWrite for HomingStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.poll_here(|io| io.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_here(|io| io.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_here(|io| io.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_here(|io| io.poll_shutdown(cx))
    }
}
