//! Serving a built single-page app (the console on the control plane, the portal on the tenant
//! plane) from a directory, as the default service behind the API: API paths keep their JSON
//! `404`, an existing file is served with its type, a missing `/assets/…` file is a plain `404`,
//! and any other `GET` or `HEAD` gets `index.html` (the app routes on the client). No path
//! leaves the directory: `.`/`..`/hidden segments, encoded bytes and backslashes are refused,
//! and the resolved file must lie under the directory's canonical path (no symlink escapes).

use std::path::{Path, PathBuf};

use actix_web::{
    HttpRequest, HttpResponse,
    http::{Method, header},
    web,
};

use crate::not_found;

/// Paths that always belong to the API, never to the app.
const API_PREFIXES: &[&str] = &["/v1/", "/.well-known/"];
const API_PATHS: &[&str] = &["/v1", "/health", "/ready", "/openapi.json", "/docs"];

/// A built app and the headers its pages are served with.
#[derive(Debug, Clone)]
pub struct WebApp {
    root: PathBuf,
    csp: &'static str,
    /// Inserted before `</head>` of `index.html` (already escaped HTML).
    head_extra: String,
}

/// The console's policy: everything from its own origin.
pub const CONSOLE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
     font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; \
     img-src 'self' data:";
/// The portal's: the same, plus tenant logos from `https` hosts.
pub const PORTAL_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
     font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; \
     img-src 'self' data: https:";

fn escape_attr(value: &str) -> String {
    value.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

impl WebApp {
    /// The app built into `root` (which must hold `index.html`).
    pub fn open(root: &Path, csp: &'static str) -> std::io::Result<Self> {
        let root = std::fs::canonicalize(root)?;
        if !root.join("index.html").is_file() {
            return Err(std::io::Error::new(std::io::ErrorKind::NotFound, "index.html is missing"));
        }
        Ok(Self { root, csp, head_extra: String::new() })
    }

    /// Adds `<meta name=… content=…>` to `index.html`.
    pub fn with_meta(mut self, name: &str, content: &str) -> Self {
        self.head_extra.push_str(&format!(
            "<meta name=\"{}\" content=\"{}\">",
            escape_attr(name),
            escape_attr(content)
        ));
        self
    }

    /// The file a request path names, if it is a safe, existing file under the root.
    fn file_for(&self, path: &str) -> Option<PathBuf> {
        let mut file = self.root.clone();
        for segment in path.trim_start_matches('/').split('/') {
            let unsafe_segment = segment.is_empty()
                || segment.starts_with('.')
                || segment.contains(['%', '\\', '\0'])
                || segment.chars().any(char::is_control);
            if unsafe_segment {
                return None;
            }
            file.push(segment);
        }
        let resolved = std::fs::canonicalize(&file).ok()?;
        (resolved.starts_with(&self.root) && resolved.is_file()).then_some(resolved)
    }

    async fn index(&self) -> HttpResponse {
        let Ok(html) = tokio::fs::read_to_string(self.root.join("index.html")).await else {
            return not_found().await;
        };
        let html = if self.head_extra.is_empty() {
            html
        } else {
            html.replacen("</head>", &format!("{}</head>", self.head_extra), 1)
        };
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CONTENT_SECURITY_POLICY, self.csp))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .insert_header((header::X_FRAME_OPTIONS, "DENY"))
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .body(html)
    }

    async fn file(&self, file: &Path, path: &str) -> HttpResponse {
        let Ok(bytes) = tokio::fs::read(file).await else { return not_found().await };
        let cache = if path.starts_with("/assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, content_type(file)))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::CACHE_CONTROL, cache))
            .body(bytes)
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn is_api(path: &str) -> bool {
    let path = under_tenant_path(path).unwrap_or(path);
    API_PATHS.contains(&path) || API_PREFIXES.iter().any(|p| path.starts_with(p))
}

/// The rest of a path-routed tenant's path: `/t/acme/v1/notes` → `/v1/notes`, `/t/acme` → `/`.
/// The tenant API lives under that prefix, and the portal answers there too (its SPA routes).
fn under_tenant_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/t/")?;
    match rest.find('/') {
        Some(slash) => Some(&rest[slash..]),
        None => Some("/"),
    }
}

/// The default service: the app when one is configured, the API's `404` otherwise.
pub async fn serve_or_not_found(req: HttpRequest, app: Option<web::Data<WebApp>>) -> HttpResponse {
    let path = req.path();
    let Some(app) = app else { return not_found().await };
    if !(req.method() == Method::GET || req.method() == Method::HEAD) || is_api(path) {
        return not_found().await;
    }
    // Under `/t/<slug>/` only the app's pages: its files are served at the root.
    if path != "/" && under_tenant_path(path).is_none() {
        if let Some(file) = app.file_for(path) {
            return app.file(&file, path).await;
        }
        if path.starts_with("/assets/") {
            return not_found().await;
        }
    }
    app.index().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_paths_under_the_root_resolve() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("index.html"), "<html><head></head></html>").unwrap_or_default();
        std::fs::create_dir_all(dir.path().join("assets")).unwrap_or_default();
        std::fs::write(dir.path().join("assets/app.js"), "x").unwrap_or_default();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap_or_default();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("assets/link")).unwrap_or_default();
        let app = WebApp::open(dir.path(), CONSOLE_CSP).unwrap_or_else(|e| panic!("{e}"));
        assert!(app.file_for("/assets/app.js").is_some());
        for bad in [
            "/../index.html",
            "/assets/../index.html",
            "/assets/%2e%2e/index.html",
            "/assets/.hidden",
            "/assets\\app.js",
            "/assets/link/secret.txt",
            "//etc/passwd",
            "/assets/",
        ] {
            assert!(app.file_for(bad).is_none(), "{bad}");
        }
        assert!(is_api("/v1/tenants") && is_api("/health") && is_api("/t/acme/v1/notes"));
        assert!(!is_api("/tenants/acme") && !is_api("/v1tenants"));
        assert!(is_api("/t/acme/v1") && is_api("/t/acme/.well-known/jwks.json") && is_api("/t/acme/health"));
        assert!(!is_api("/t/acme") && !is_api("/t/acme/") && !is_api("/t/acme/users"));
    }
}
