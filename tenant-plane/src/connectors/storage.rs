//! STORAGE: the tenant's own S3-compatible bucket. The test call lists at most one object with
//! a SigV4-signed request, through the SSRF guard.

use std::time::Duration;

use rusty_s3::{
    Bucket, Credentials, UrlStyle,
    actions::{ListObjectsV2, S3Action},
};

use super::{FieldKind, FieldSpec, TestInput, str_field};

pub const CONFIG: &[FieldSpec] = &[
    FieldSpec::new("endpoint", FieldKind::HttpsUrl, true, "S3 endpoint, e.g. https://s3.eu-west-1.amazonaws.com."),
    FieldSpec::new("region", FieldKind::Text { max: 64 }, false, "Region.").with_default("us-east-1"),
    FieldSpec::new("bucket", FieldKind::Text { max: 63 }, true, "Bucket name."),
    FieldSpec::new("pathStyle", FieldKind::Bool, false, "Path-style addressing (most S3-compatible servers).")
        .with_default("true"),
];

pub const SECRETS: &[FieldSpec] = &[
    FieldSpec::new("accessKeyId", FieldKind::Text { max: 128 }, true, "Access key id."),
    FieldSpec::new("secretAccessKey", FieldKind::Text { max: 256 }, true, "Secret access key."),
];

pub async fn test(input: &TestInput<'_>) -> Result<String, String> {
    let endpoint = str_field(input.config, "endpoint").ok_or("no endpoint")?;
    let endpoint = url::Url::parse(endpoint).map_err(|e| format!("endpoint: {e}"))?;
    let bucket_name = str_field(input.config, "bucket").ok_or("no bucket")?;
    let region = str_field(input.config, "region").unwrap_or("us-east-1");
    let style = if input.config.get("pathStyle").and_then(serde_json::Value::as_bool).unwrap_or(true) {
        UrlStyle::Path
    } else {
        UrlStyle::VirtualHost
    };
    let bucket =
        Bucket::new(endpoint, style, bucket_name.to_owned(), region.to_owned()).map_err(|e| format!("bucket: {e}"))?;
    let credentials = Credentials::new(
        str_field(input.secrets, "accessKeyId").ok_or("no access key id")?,
        str_field(input.secrets, "secretAccessKey").ok_or("no secret access key")?,
    );
    let mut action = ListObjectsV2::new(&bucket, Some(&credentials));
    action.query_mut().insert("max-keys", "1");
    let url = action.sign(Duration::from_secs(60));
    // The endpoint is the tenant's choice: through the SSRF guard.
    let res = input.guarded.get(url).send().await.map_err(|e| format!("storage unreachable: {}", e.without_url()))?;
    let status = res.status();
    if status.is_success() {
        Ok(format!("bucket {bucket_name} is readable"))
    } else {
        let body = res.text().await.unwrap_or_default();
        let code = body.split("<Code>").nth(1).and_then(|s| s.split("</Code>").next()).unwrap_or("no code");
        Err(format!("storage answered {status}: {code}"))
    }
}
