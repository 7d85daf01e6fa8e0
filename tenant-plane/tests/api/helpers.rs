use std::{net::TcpListener, time::Duration};

use provisioner::testing::{TestPlatform, unique_slug};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tenant_plane::{ConnectorSettings, RateLimitSettings, RoutingSettings, WebhookSettings};

pub const BASE_DOMAIN: &str = "tenants.test";
pub const PASSWORD: &str = "correct horse battery staple";

/// How to spawn a [`TestApp`].
pub struct Options {
    /// The tenant plane reaches the catalog through a [`test_support::ChaosProxy`].
    pub catalog_proxy: bool,
    pub max_db_connections: usize,
    pub tenant_pool_max: usize,
    /// Tenant secrets in the test OpenBao server instead of the catalog; the tenant plane
    /// reads them with a read-only token.
    pub vault: bool,
    /// The platform's master key (base64); random when `None`.
    pub master_key: Option<String>,
    /// The services' (control plane's and tenant plane's) master keys, base64, comma-separated;
    /// the platform's when `None`. Tests of key rotation give them the new key too.
    pub service_keys: Option<String>,
    /// The tenant plane's rate limits; generous by default so that only the tests of limits
    /// meet them.
    pub limits: RateLimitSettings,
    /// Webhook deliveries: loopback allowed and a fast retry schedule unless a test says otherwise.
    pub webhooks: WebhookSettings,
    /// Where the Stripe and FCM stand-ins listen (nowhere by default).
    pub connectors: ConnectorSettings,
    /// The platform's storage backend; `None`: a local directory the app owns.
    pub storage: Option<storage::Platform>,
    /// How often the tenant plane replays fallback writes.
    pub replication_every: Duration,
    /// A built portal the tenant plane serves (`TENANTRY_PORTAL_DIR`).
    pub portal: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            storage: None,
            replication_every: Duration::from_millis(200),
            portal: None,
            catalog_proxy: false,
            max_db_connections: 40,
            tenant_pool_max: 4,
            vault: false,
            master_key: None,
            service_keys: None,
            limits: RateLimitSettings {
                auth_per_minute: std::num::NonZeroU32::new(10_000).unwrap(),
                api: "1000000/300".parse().unwrap(),
                api_plans: Vec::new(),
            },
            webhooks: WebhookSettings {
                outbound_allow_loopback: true,
                outbound_allow_cidrs: Vec::new(),
                webhook_retry_scale: 0.001,
                webhook_timeout_secs: 5,
                webhook_sweep_secs: 60,
            },
            connectors: ConnectorSettings {
                stripe_api_base: "http://127.0.0.1:9".into(),
                push_api_base: "http://127.0.0.1:9".into(),
            },
        }
    }
}

/// Control plane and tenant plane on port 0 against one test platform.
pub struct TestApp {
    pub platform: TestPlatform,
    /// The control plane's provisioner (its secret store and storage).
    pub provisioner: provisioner::Provisioner,
    /// The tenant plane's state (to watch its LISTEN connection).
    pub tp_state: tenant_plane::AppState,
    /// Between the tenant plane and the catalog, when spawned with one.
    pub catalog_proxy: Option<test_support::ChaosProxy>,
    /// Between the tenant plane and Vault, when spawned with `vault`.
    pub vault_proxy: Option<test_support::ChaosProxy>,
    pub cp: String,
    pub tp: String,
    pub http: reqwest::Client,
    pub token: String,
    /// Access tokens of each tenant's seeded owner, by slug (see [`TestApp::tp`]).
    owner_tokens: tokio::sync::Mutex<std::collections::HashMap<String, String>>,
    stop: Vec<tokio::sync::oneshot::Sender<()>>,
    /// The platform's local storage root, when the app made one.
    pub storage_dir: Option<tempfile::TempDir>,
}

/// A Vault store with the root token (the control plane's) and one with a read-only
/// tenant-plane token, under a prefix of their own.
pub async fn vault_stores() -> (secrets::VaultStore, secrets::VaultStore) {
    let (writer, reader, _proxy) = vault_stores_behind_proxy().await;
    (writer, reader)
}

/// Like [`vault_stores`], with the tenant-plane store reaching Vault through a proxy.
pub async fn vault_stores_behind_proxy() -> (secrets::VaultStore, secrets::VaultStore, test_support::ChaosProxy) {
    let (address, root) = test_support::vault();
    let port = url::Url::parse(&address).unwrap().port().unwrap();
    let proxy = test_support::ChaosProxy::start(std::net::SocketAddr::from(([127, 0, 0, 1], port))).await.unwrap();
    let prefix = test_support::unique_name("e2e");
    let writer = secrets::VaultStore::connect(&secrets::VaultConfig {
        address: address.clone(),
        auth: root.clone().into(),
        mount: "secret".into(),
        prefix: prefix.clone(),
    })
    .await
    .unwrap();
    let client = vaultrs::client::VaultClient::new(
        vaultrs::client::VaultClientSettingsBuilder::default().address(&address).token(&root).build().unwrap(),
    )
    .unwrap();
    let policy = format!("{prefix}-tenant-plane");
    vaultrs::sys::policy::set(&client, &policy, &writer.tenant_plane_policy()).await.unwrap();
    let mut request = vaultrs::api::token::requests::CreateTokenRequest::builder();
    request.policies(vec![policy]).no_default_policy(true).ttl("10m");
    let token = vaultrs::token::new(&client, Some(&mut request)).await.unwrap().client_token;
    test_support::record_secret(&token);
    let reader = secrets::VaultStore::connect(&secrets::VaultConfig {
        address: format!("http://127.0.0.1:{}", proxy.port()),
        auth: token.into(),
        mount: "secret".into(),
        prefix: prefix.clone(),
    })
    .await
    .unwrap();
    (writer, reader, proxy)
}

pub struct Response {
    pub status: StatusCode,
    pub body: Value,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let Options {
            catalog_proxy,
            max_db_connections,
            tenant_pool_max,
            vault,
            master_key,
            service_keys,
            limits,
            webhooks,
            connectors,
            storage,
            replication_every,
            portal,
        } = options;
        let (storage, storage_dir) = match storage {
            Some(platform) => (platform, None),
            None => {
                let dir = tempfile::tempdir().unwrap();
                (storage::Platform::Local { root: dir.path().to_owned() }, Some(dir))
            }
        };
        let platform = TestPlatform::with_key(&master_key.unwrap_or_else(secrets::Keyring::generate_base64)).await;
        let service_keyring = match service_keys {
            Some(keys) => secrets::Keyring::from_base64(&keys).unwrap(),
            None => platform.keyring.clone(),
        };
        let mut stop = Vec::new();

        let (vault, vault_proxy) = if vault {
            let (writer, reader, proxy) = vault_stores_behind_proxy().await;
            (Some((writer, reader)), Some(proxy))
        } else {
            (None, None)
        };
        let provisioner = match &vault {
            Some((writer, _)) => platform.provisioner_with(
                provisioner::ProvisionerConfig {
                    secrets: Some(std::sync::Arc::new(writer.clone())),
                    storage: Some(storage.clone()),
                    ..Default::default()
                },
                provisioner::faults::Faults::none(),
            ),
            None => provisioner::Provisioner::new(
                platform.catalog.clone(),
                service_keyring.clone(),
                provisioner::ProvisionerConfig { storage: Some(storage.clone()), ..Default::default() },
            ),
        };
        if vault.is_some() {
            platform.move_default_server_to(&provisioner).await;
        }
        let state = control_plane::AppState::new(provisioner.clone(), format!("http://{{slug}}.{BASE_DOMAIN}"));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let cp = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        stop.push(tx);
        let app = control_plane::Application::from_listener(listener, state);
        tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));

        let routing = RoutingSettings {
            base_domain: BASE_DOMAIN.into(),
            path_routing: true,
            default_tenant: None,
            max_db_connections,
            tenant_pool_max,
            pool_idle_secs: 300,
            route_ttl_secs: 60,
        };
        let (proxy, catalog, catalog_url) = if catalog_proxy {
            let mut url = url::Url::parse(&platform.reader_url).unwrap();
            let target = std::net::SocketAddr::from(([127, 0, 0, 1], url.port().unwrap()));
            let proxy = test_support::ChaosProxy::start(target).await.unwrap();
            url.set_port(Some(proxy.port())).unwrap();
            let catalog = catalog::Catalog::connect(url.as_str()).await.unwrap();
            (Some(proxy), catalog, url.to_string())
        } else {
            (None, catalog::Catalog::connect(&platform.reader_url).await.unwrap(), platform.reader_url.clone())
        };
        let store: std::sync::Arc<dyn secrets::SecretStore> = match &vault {
            Some((_, reader)) => std::sync::Arc::new(reader.clone()),
            None => std::sync::Arc::new(secrets::LocalStore::new(catalog.clone(), service_keyring.clone())),
        };
        let state = tenant_plane::AppState::new(catalog, store, catalog_url, routing)
            .with_limits(&limits)
            .with_webhooks(webhooks)
            .with_connectors(connectors)
            .with_storage(Some(storage))
            .with_replication_every(replication_every);
        let state = match portal {
            Some(dir) => state.with_portal(&dir).unwrap(),
            None => state,
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let tp = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        stop.push(tx);
        let app = tenant_plane::Application::from_listener(listener, state.clone());
        tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        // Wait until the tenant plane listens for catalog changes.
        for _ in 0..100 {
            if state.is_listening() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(state.is_listening(), "tenant plane never started listening");

        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let mut app = Self {
            platform,
            provisioner,
            tp_state: state,
            catalog_proxy: proxy,
            vault_proxy,
            cp,
            tp,
            http,
            token: String::new(),
            owner_tokens: Default::default(),
            stop,
            storage_dir,
        };
        app.token = app.bootstrap_operator().await;
        app
    }

    async fn bootstrap_operator(&self) -> String {
        let token = "test-bootstrap-token";
        self.platform.catalog.set_bootstrap_token(&secrets::sha256_hex(token)).await.unwrap();
        let created = self
            .cp_raw(
                Method::POST,
                "/v1/bootstrap",
                Some(json!({ "token": token, "email": "ops@example.com", "password": PASSWORD })),
                None,
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        let login = self
            .cp_raw(
                Method::POST,
                "/v1/auth/login",
                Some(json!({ "email": "ops@example.com", "password": PASSWORD })),
                None,
            )
            .await;
        assert_eq!(login.status, StatusCode::OK);
        let token = login.body["token"].as_str().unwrap().to_owned();
        test_support::record_secret(&token);
        token
    }

    pub async fn cp_raw(&self, method: Method, path: &str, body: Option<Value>, token: Option<&str>) -> Response {
        let mut req = self.http.request(method, format!("{}{path}", self.cp));
        if let Some(body) = body {
            req = req.json(&body);
        }
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        into_response(req.send().await.unwrap()).await
    }

    /// A control-plane call as the test operator.
    pub async fn cp(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        self.cp_raw(method, path, body, Some(&self.token)).await
    }

    /// Creates a tenant through the API; returns `(id, slug)`.
    pub async fn create_tenant(&self, prefix: &str) -> (String, String) {
        let slug = unique_slug(prefix);
        let res = self
            .cp(
                Method::POST,
                "/v1/tenants",
                Some(json!({ "slug": slug, "displayName": format!("Tenant {slug}"), "admin": { "email": format!("owner@{slug}.test"), "password": PASSWORD } })),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
        (res.body["id"].as_str().unwrap().to_owned(), slug)
    }

    /// A tenant-plane request with an explicit `Host` header (or none).
    pub fn tp_request(&self, method: Method, host: Option<&str>, path: &str) -> reqwest::RequestBuilder {
        let req = self.http.request(method, format!("{}{path}", self.tp));
        match host {
            Some(host) => req.header("host", host),
            None => req,
        }
    }

    /// A call at the tenant's host as the tenant's seeded owner (logged in on first use; no
    /// token when that login fails, e.g. for a suspended tenant).
    pub async fn tp(&self, method: Method, slug: &str, path: &str, body: Option<Value>) -> Response {
        let token = self.owner_token(slug).await;
        self.tp_as(token.as_deref(), method, slug, path, body).await
    }

    /// A call at the tenant's host with `token` (an access token or, if it starts with
    /// `tk_`, an API key), or anonymously.
    pub async fn tp_as(
        &self,
        token: Option<&str>,
        method: Method,
        slug: &str,
        path: &str,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.tp_request(method, Some(&format!("{slug}.{BASE_DOMAIN}")), path);
        req = match token {
            Some(key) if key.starts_with("tk_") => req.header("x-api-key", key),
            Some(token) => req.bearer_auth(token),
            None => req,
        };
        if let Some(body) = body {
            req = req.json(&body);
        }
        into_response(req.send().await.unwrap()).await
    }

    /// An anonymous call at the tenant's host.
    pub async fn tp_anon(&self, method: Method, slug: &str, path: &str, body: Option<Value>) -> Response {
        self.tp_as(None, method, slug, path, body).await
    }

    /// Logs `email` in at `slug`; returns the access token.
    pub async fn login_as(&self, slug: &str, email: &str) -> String {
        let res = self
            .tp_anon(Method::POST, slug, "/v1/auth/login", Some(json!({ "email": email, "password": PASSWORD })))
            .await;
        assert_eq!(res.status, StatusCode::OK, "login of {email} at {slug}: {:?}", res.body);
        let token = res.body["accessToken"].as_str().unwrap().to_owned();
        test_support::record_secret(&token);
        test_support::record_secret(res.body["refreshToken"].as_str().unwrap());
        token
    }

    /// Invites `email` as `role` (as the owner) and accepts; returns `(user id, access token)`.
    pub async fn add_user(&self, slug: &str, email: &str, role: &str) -> (String, String) {
        let invited =
            self.tp(Method::POST, slug, "/v1/invitations", Some(json!({ "email": email, "role": role }))).await;
        assert_eq!(invited.status, StatusCode::CREATED, "{:?}", invited.body);
        let token = invited.body["token"].as_str().unwrap();
        test_support::record_secret(token);
        let accepted = self
            .tp_anon(
                Method::POST,
                slug,
                "/v1/auth/accept-invitation",
                Some(json!({ "token": token, "password": PASSWORD, "name": format!("{role} user") })),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::CREATED, "{:?}", accepted.body);
        let access = accepted.body["accessToken"].as_str().unwrap().to_owned();
        test_support::record_secret(&access);
        test_support::record_secret(accepted.body["refreshToken"].as_str().unwrap());
        let me = self.tp_as(Some(&access), Method::GET, slug, "/v1/me", None).await;
        (me.body["id"].as_str().unwrap().to_owned(), access)
    }

    /// The seeded owner's access token at `slug` (cached), if the owner can log in.
    pub async fn owner_token(&self, slug: &str) -> Option<String> {
        let mut tokens = self.owner_tokens.lock().await;
        if let Some(token) = tokens.get(slug) {
            return Some(token.clone());
        }
        let body = json!({ "email": format!("owner@{slug}.test"), "password": PASSWORD });
        let res = self.tp_as(None, Method::POST, slug, "/v1/auth/login", Some(body)).await;
        if res.status != StatusCode::OK {
            return None;
        }
        let token = res.body["accessToken"].as_str().unwrap().to_owned();
        test_support::record_secret(&token);
        test_support::record_secret(res.body["refreshToken"].as_str().unwrap());
        tokens.insert(slug.to_owned(), token.clone());
        Some(token)
    }

    /// Another tenant-plane worker on the same catalog and storage, serving no request yet (as
    /// after a restart), with a budget of 10 connections; stopped by [`TestApp::cleanup`].
    pub async fn spawn_second_tenant_plane(&mut self, replication_every: Duration) -> (String, tenant_plane::AppState) {
        let catalog = catalog::Catalog::connect(&self.platform.reader_url).await.unwrap();
        let store = std::sync::Arc::new(secrets::LocalStore::new(catalog.clone(), self.platform.keyring.clone()));
        let root = self.storage_dir.as_ref().expect("the app's own storage").path().to_owned();
        let routing = RoutingSettings {
            base_domain: BASE_DOMAIN.into(),
            path_routing: true,
            default_tenant: None,
            max_db_connections: 10,
            tenant_pool_max: 2,
            pool_idle_secs: 300,
            route_ttl_secs: 60,
        };
        let state = tenant_plane::AppState::new(catalog, store, self.platform.reader_url.clone(), routing)
            .with_storage(Some(storage::Platform::Local { root }))
            .with_replication_every(replication_every);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        self.stop.push(tx);
        tokio::spawn(tenant_plane::Application::from_listener(listener, state.clone()).run_until(async {
            let _ = rx.await;
        }));
        (url, state)
    }

    pub async fn cleanup(mut self) {
        for tx in self.stop.drain(..) {
            let _ = tx.send(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.platform.cleanup().await;
    }
}

pub async fn into_response(res: reqwest::Response) -> Response {
    let status = res.status();
    let text = res.text().await.unwrap();
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    Response { status, body }
}

/// Asserts the documented error body with `code`.
pub fn assert_error(res: &Response, status: StatusCode, code: &str) {
    assert_eq!(res.status, status, "{:?}", res.body);
    assert_eq!(res.body["error"]["code"], code, "{:?}", res.body);
    assert!(res.body["error"]["message"].is_string());
    assert!(res.body["requestId"].is_string(), "{:?}", res.body);
}
