//! A real HTTP server receiving webhooks in tests: records every request, answers with the
//! statuses it is told to (then 200), and redirects `/redirect` to a given location.

use std::{
    collections::{HashMap, VecDeque},
    net::TcpListener,
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

#[derive(Default)]
struct Shared {
    hits: Mutex<Vec<Hit>>,
    statuses: Mutex<VecDeque<u16>>,
    always: Mutex<Option<u16>>,
    redirect_to: Mutex<Option<String>>,
    delay: Mutex<Duration>,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
    handle: actix_web::dev::ServerHandle,
}

async fn receive(req: HttpRequest, body: web::Bytes, shared: web::Data<Arc<Shared>>) -> HttpResponse {
    let headers =
        req.headers().iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned())).collect();
    shared.hits.lock().unwrap().push(Hit { path: req.path().to_owned(), headers, body: body.to_vec() });
    let delay = *shared.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if req.path() == "/redirect"
        && let Some(location) = shared.redirect_to.lock().unwrap().clone()
    {
        return HttpResponse::TemporaryRedirect().insert_header(("location", location)).finish();
    }
    let status = shared.statuses.lock().unwrap().pop_front().or(*shared.always.lock().unwrap()).unwrap_or(200);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).body("ok")
}

impl Receiver {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let data = shared.clone();
        let server = HttpServer::new(move || {
            App::new().app_data(web::Data::new(data.clone())).default_service(web::to(receive))
        })
        .workers(2)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self { url, shared, handle }
    }

    /// The next answers, in order (afterwards 200, or the `always` status).
    pub fn respond_with(&self, statuses: &[u16]) {
        self.shared.statuses.lock().unwrap().extend(statuses);
    }

    pub fn always(&self, status: u16) {
        *self.shared.always.lock().unwrap() = Some(status);
    }

    /// Answers every request only after `delay` (a tarpit).
    pub fn slow(&self, delay: Duration) {
        *self.shared.delay.lock().unwrap() = delay;
    }

    pub fn redirect_to(&self, location: &str) {
        *self.shared.redirect_to.lock().unwrap() = Some(location.to_owned());
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived (panics after `timeout`).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Hit> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let hits = self.hits();
            if hits.len() >= n {
                return hits;
            }
            assert!(tokio::time::Instant::now() < deadline, "only {} of {n} webhook requests arrived", hits.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}
