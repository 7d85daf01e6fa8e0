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
//!
//! Closing waits for the server to close its end (see [`HomingStream::poll_shutdown`]), so the
//! budget slot a connection frees stands for a backend that is gone.

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
    time::Sleep,
};

/// How long a closing connection waits for the server to close its end before it counts as
/// closed anyway (a server that went away answers nothing).
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// A TCP stream registered with the runtime that last polled it.
pub struct HomingStream {
    io: Option<TcpStream>,
    home: Option<Id>,
    /// Once our end is shut down: until when to wait for the server's, on the timer of the
    /// runtime that set it.
    closing: Option<(Option<Id>, Pin<Box<Sleep>>)>,
}

fn current_runtime() -> Option<Id> {
    Handle::try_current().ok().map(|handle| handle.id())
}

fn lost() -> io::Error {
    io::Error::other("tenant connection lost while changing threads")
}

impl HomingStream {
    fn new(io: TcpStream) -> Self {
        Self { io: Some(io), home: current_runtime(), closing: None }
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

    /// Shuts our end down, then waits (at most [`CLOSE_WAIT`]) for the server to close its
    /// end. Postgres takes a backend out of its process array (and `pg_stat_activity`) before
    /// its socket closes, so once this returns the backend no longer counts against the
    /// server's `max_connections` — and the budget slot the connection frees means that.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.closing.is_none() {
            match this.here() {
                Ok(io) => std::task::ready!(Pin::new(io).poll_shutdown(cx))?,
                Err(err) => return Poll::Ready(Err(err)),
            }
            this.closing = Some((current_runtime(), Box::pin(tokio::time::sleep(CLOSE_WAIT))));
        }
        let here = current_runtime();
        if let Some((runtime, deadline)) = this.closing.as_mut() {
            // A timer belongs to its runtime: after a thread change, wait on this one's.
            if *runtime != here {
                *runtime = here;
                *deadline = Box::pin(tokio::time::sleep(CLOSE_WAIT));
            }
            if deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Ok(()));
            }
        }
        let Ok(io) = this.here() else { return Poll::Ready(Ok(())) };
        let mut scratch = [0u8; 512];
        loop {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut *io).poll_read(cx, &mut buf) {
                // End of stream (or a reset): the server closed its end.
                Poll::Ready(Ok(())) if buf.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Err(_)) => return Poll::Ready(Ok(())),
                // What the server still sends (a TLS close notification) is of no use now.
                Poll::Ready(Ok(())) => {}
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A server that, after reading our end's close, waits `linger` before closing its own.
    async fn server(linger: Option<Duration>) -> (u16, tokio::task::JoinHandle<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = Vec::new();
            let _ = socket.read_to_end(&mut buf).await;
            match linger {
                Some(linger) => tokio::time::sleep(linger).await,
                None => std::future::pending().await,
            }
            drop(socket);
        });
        (port, task)
    }

    #[tokio::test]
    async fn closing_waits_for_the_server_to_close_its_end() {
        let (port, task) = server(Some(Duration::from_millis(300))).await;
        let mut stream = connect("127.0.0.1", port, Duration::from_secs(5)).await.unwrap();
        let started = Instant::now();
        stream.shutdown().await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(300), "returned after {:?}", started.elapsed());
        task.await.unwrap();
    }

    #[tokio::test]
    async fn closing_gives_up_waiting_for_a_server_that_never_closes() {
        let (port, task) = server(None).await;
        let mut stream = connect("127.0.0.1", port, Duration::from_secs(5)).await.unwrap();
        tokio::time::timeout(CLOSE_WAIT * 2, stream.shutdown()).await.expect("gave up after CLOSE_WAIT").unwrap();
        task.abort();
    }
}
