//! Object storage adapter: a folder in the data directory (the embedded default) or S3 (AWS, MinIO,
//! Garage and other S3-compatible stores). Both sit behind `object_store`.
//!
//! Clients never send file bytes through the API: they get a presigned URL and talk to storage
//! directly. With S3 that is a SigV4 presigned URL from `object_store`'s signer. The local backend
//! has no such server, so the API serves `PUT`/`GET /api/v1/storage/local/{token}` itself; the token
//! carries the method, key, content type, size (or download name) and expiry, signed with
//! HMAC-SHA256 under a key derived from the server's token secret, so it cannot be altered, replayed
//! for another key or used after it expires.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use hmac::{Hmac, KeyInit, Mac};
use object_store::aws::{AmazonS3, AmazonS3Builder, Checksum};
use object_store::local::LocalFileSystem;
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path;
use object_store::signer::{HeaderName, HeaderValue, Method, SignedUrlOptions, Signer};
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, GetResult, ObjectMeta, ObjectStore,
    ObjectStoreExt, PutMultipartOptions, RetryConfig, WriteMultipart,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::keys::SigningKeys;
use crate::config::{Config, StorageBackend, StorageConfig};

/// Path of the local backend's signed-URL route (the token follows).
pub const LOCAL_URL_PATH: &str = "/api/v1/storage/local/";

/// The storage adapter chosen by configuration. Cheap to clone.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    bucket: String,
    backend: Backend,
    backups: BackupTarget,
}

/// Where database backups (`jobs::backup`) are kept: the main store, or with `backup.s3_bucket` a
/// bucket of their own (on AWS the backups bucket with Object Lock).
#[derive(Clone)]
struct BackupTarget {
    store: Arc<dyn ObjectStore>,
    /// `Some` when backups have their own bucket.
    bucket: Option<String>,
}

#[derive(Clone)]
enum Backend {
    Local {
        signer: LocalUrlSigner,
        base_url: String,
    },
    S3 {
        s3: Arc<AmazonS3>,
    },
}

/// A request a client makes straight to storage: method, URL, headers it must send, expiry.
#[derive(Debug, Clone)]
pub struct PresignedRequest {
    pub method: &'static str,
    pub url: String,
    /// Headers the client must send exactly as given (they are part of the signature).
    pub headers: BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

/// Why a storage operation failed, as far as callers need to tell.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the object does not exist")]
    NotFound,
    #[error("this storage backend does not support {0}")]
    Unsupported(&'static str),
    #[error("object storage: {0}")]
    Store(#[source] object_store::Error),
    #[error("object storage: {0}")]
    Other(String),
}

impl From<object_store::Error> for StorageError {
    fn from(err: object_store::Error) -> Self {
        match err {
            object_store::Error::NotFound { .. } => StorageError::NotFound,
            other => StorageError::Store(other),
        }
    }
}

impl Storage {
    pub fn from_config(config: &Config) -> anyhow::Result<Storage> {
        let settings = &config.storage;
        match settings.backend {
            StorageBackend::Local => {
                let dir = config.data_path(&settings.local_dir);
                std::fs::create_dir_all(&dir).map_err(|err| {
                    anyhow::anyhow!("cannot create the storage folder {}: {err}", dir.display())
                })?;
                let store: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(&dir)?);
                let signer = LocalUrlSigner::from_config(config)?;
                Ok(Storage {
                    backups: BackupTarget::from_config(config, &store)?,
                    store,
                    bucket: settings.bucket.clone(),
                    backend: Backend::Local {
                        signer,
                        base_url: config.public_base_url(),
                    },
                })
            }
            StorageBackend::S3 => {
                let s3 = Arc::new(s3_client(settings, &settings.bucket, None).map_err(|err| {
                    anyhow::anyhow!(
                        "configuration key `storage`: cannot set up the S3 client: {err}"
                    )
                })?);
                let store: Arc<dyn ObjectStore> = s3.clone();
                Ok(Storage {
                    backups: BackupTarget::from_config(config, &store)?,
                    store,
                    bucket: settings.bucket.clone(),
                    backend: Backend::S3 { s3 },
                })
            }
        }
    }

    /// The store database backups are written to, listed, restored and pruned from (see
    /// `backup.s3_bucket`).
    pub fn backup_store(&self) -> &Arc<dyn ObjectStore> {
        &self.backups.store
    }

    /// The bucket of their own that backups go to, or `None` when they share the main store.
    pub fn backup_bucket(&self) -> Option<&str> {
        self.backups.bucket.as_deref()
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn backend(&self) -> StorageBackend {
        match self.backend {
            Backend::Local { .. } => StorageBackend::Local,
            Backend::S3 { .. } => StorageBackend::S3,
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Local { .. } => "local",
            Backend::S3 { .. } => "s3",
        }
    }

    pub fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    /// Whether large files can be uploaded in presigned parts (S3 only; the local backend takes one PUT).
    pub fn supports_multipart(&self) -> bool {
        matches!(self.backend, Backend::S3 { .. })
    }

    /// Proves the store answers by listing its top level.
    pub async fn check(&self) -> Result<(), object_store::Error> {
        self.store.list_with_delimiter(None).await.map(|_| ())
    }

    /// A URL the client PUTs the file's bytes to, with the content type bound to the signature.
    /// The local backend also binds the exact size.
    pub async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        ttl: Duration,
    ) -> Result<PresignedRequest, StorageError> {
        let expires_at = expiry(ttl);
        let headers = BTreeMap::from([("Content-Type".to_owned(), content_type.to_owned())]);
        let url = match &self.backend {
            Backend::S3 { s3 } => {
                let value = HeaderValue::from_str(content_type)
                    .map_err(|err| StorageError::Other(err.to_string()))?;
                let options = SignedUrlOptions::default()
                    .with_signed_header(HeaderName::from_static("content-type"), value);
                s3.signed_url_opts(Method::PUT, &object_path(key)?, ttl, &options)
                    .await?
                    .to_string()
            }
            Backend::Local { signer, base_url } => {
                let claims = LocalUrlClaims {
                    v: 1,
                    method: LocalMethod::Put,
                    key: key.to_owned(),
                    content_type: content_type.to_owned(),
                    size: Some(size),
                    file_name: None,
                    exp: expires_at.timestamp(),
                };
                format!("{base_url}{LOCAL_URL_PATH}{}", signer.sign(&claims)?)
            }
        };
        Ok(PresignedRequest {
            method: "PUT",
            url,
            headers,
            expires_at,
        })
    }

    /// A URL that downloads the object as an attachment named `file_name` (RFC 5987 encoded).
    pub async fn presign_get(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
        ttl: Duration,
    ) -> Result<PresignedRequest, StorageError> {
        let expires_at = expiry(ttl);
        let url = match &self.backend {
            Backend::S3 { s3 } => {
                let options = SignedUrlOptions::default().with_query([
                    (
                        "response-content-disposition",
                        content_disposition(file_name),
                    ),
                    ("response-content-type", content_type.to_owned()),
                ]);
                s3.signed_url_opts(Method::GET, &object_path(key)?, ttl, &options)
                    .await?
                    .to_string()
            }
            Backend::Local { signer, base_url } => {
                let claims = LocalUrlClaims {
                    v: 1,
                    method: LocalMethod::Get,
                    key: key.to_owned(),
                    content_type: content_type.to_owned(),
                    size: None,
                    file_name: Some(file_name.to_owned()),
                    exp: expires_at.timestamp(),
                };
                format!("{base_url}{LOCAL_URL_PATH}{}", signer.sign(&claims)?)
            }
        };
        Ok(PresignedRequest {
            method: "GET",
            url,
            headers: BTreeMap::new(),
            expires_at,
        })
    }

    /// Starts an S3 multipart upload; the object gets `content_type` when completed.
    pub async fn start_multipart(
        &self,
        key: &str,
        content_type: &str,
    ) -> Result<String, StorageError> {
        let Backend::S3 { s3 } = &self.backend else {
            return Err(StorageError::Unsupported("multipart uploads"));
        };
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, content_type.to_owned().into());
        let options = PutMultipartOptions {
            attributes,
            ..PutMultipartOptions::default()
        };
        Ok(s3
            .create_multipart_opts(&object_path(key)?, options)
            .await?)
    }

    /// A URL for one part (numbered from 1) of a multipart upload.
    pub async fn presign_part(
        &self,
        key: &str,
        upload_id: &str,
        part_number: u32,
        ttl: Duration,
    ) -> Result<PresignedRequest, StorageError> {
        let Backend::S3 { s3 } = &self.backend else {
            return Err(StorageError::Unsupported("multipart uploads"));
        };
        let options = SignedUrlOptions::default().with_query([
            ("partNumber", part_number.to_string()),
            ("uploadId", upload_id.to_owned()),
        ]);
        let url = s3
            .signed_url_opts(Method::PUT, &object_path(key)?, ttl, &options)
            .await?
            .to_string();
        Ok(PresignedRequest {
            method: "PUT",
            url,
            headers: BTreeMap::new(),
            expires_at: expiry(ttl),
        })
    }

    /// Assembles the parts (ETags in part order) into the object.
    pub async fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        etags: Vec<String>,
    ) -> Result<(), StorageError> {
        let Backend::S3 { s3 } = &self.backend else {
            return Err(StorageError::Unsupported("multipart uploads"));
        };
        let parts = etags
            .into_iter()
            .map(|content_id| PartId { content_id })
            .collect();
        s3.complete_multipart(&object_path(key)?, &upload_id.to_owned(), parts)
            .await?;
        Ok(())
    }

    /// Discards a multipart upload and its parts (an upload already gone is not an error).
    pub async fn abort_multipart(&self, key: &str, upload_id: &str) -> Result<(), StorageError> {
        let Backend::S3 { s3 } = &self.backend else {
            return Ok(());
        };
        match s3
            .abort_multipart(&object_path(key)?, &upload_id.to_owned())
            .await
        {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// The object's metadata, or `None` when it does not exist.
    pub async fn head(&self, key: &str) -> Result<Option<ObjectMeta>, StorageError> {
        match self.store.head(&object_path(key)?).await {
            Ok(meta) => Ok(Some(meta)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// SHA-256 of the stored object (lowercase hex), computed by streaming it.
    pub async fn sha256_hex(&self, key: &str) -> Result<String, StorageError> {
        let mut stream = self.store.get(&object_path(key)?).await?.into_stream();
        let mut hasher = Sha256::new();
        while let Some(chunk) = stream.next().await {
            hasher.update(&chunk?);
        }
        Ok(hex(&hasher.finalize()))
    }

    /// Deletes the object; one that is already gone counts as deleted.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.store.delete(&object_path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Local backend: checks a signed-URL token for `method`.
    pub fn verify_local_token(
        &self,
        token: &str,
        method: LocalMethod,
    ) -> Result<LocalUrlClaims, LocalUrlError> {
        let Backend::Local { signer, .. } = &self.backend else {
            return Err(LocalUrlError::NotLocal);
        };
        let claims = signer.verify(token)?;
        if claims.method != method {
            return Err(LocalUrlError::WrongMethod);
        }
        if claims.exp < Utc::now().timestamp() {
            return Err(LocalUrlError::Expired);
        }
        Ok(claims)
    }

    /// Local backend: writes a request body of exactly `size` bytes to `key`. The object appears
    /// only once every byte arrived (written to a staging file, then renamed).
    pub async fn write_local<S, E>(
        &self,
        key: &str,
        mut body: S,
        size: u64,
    ) -> Result<(), LocalWriteError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        if !matches!(self.backend, Backend::Local { .. }) {
            return Err(LocalWriteError::Storage(StorageError::Unsupported(
                "local uploads",
            )));
        }
        let path = object_path(key).map_err(LocalWriteError::Storage)?;
        let upload = self
            .store
            .put_multipart(&path)
            .await
            .map_err(|err| LocalWriteError::Storage(err.into()))?;
        let mut writer = WriteMultipart::new(upload);
        let mut received: u64 = 0;
        let outcome = loop {
            match body.next().await {
                None if received == size => break Ok(()),
                None => {
                    break Err(LocalWriteError::TooShort {
                        received,
                        expected: size,
                    });
                }
                Some(Err(err)) => break Err(LocalWriteError::Body(err.to_string())),
                Some(Ok(chunk)) => {
                    received += chunk.len() as u64;
                    if received > size {
                        break Err(LocalWriteError::TooLong { expected: size });
                    }
                    writer.put(chunk);
                }
            }
        };
        match outcome {
            Ok(()) => {
                writer
                    .finish()
                    .await
                    .map_err(|err| LocalWriteError::Storage(err.into()))?;
                Ok(())
            }
            Err(err) => {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(error = %abort, "could not discard a partial local upload");
                }
                Err(err)
            }
        }
    }

    /// Local backend: the stored object, for the signed download route.
    pub async fn read_local(&self, key: &str) -> Result<GetResult, StorageError> {
        if !matches!(self.backend, Backend::Local { .. }) {
            return Err(StorageError::Unsupported("local downloads"));
        }
        Ok(self.store.get(&object_path(key)?).await?)
    }
}

impl BackupTarget {
    fn from_config(config: &Config, main: &Arc<dyn ObjectStore>) -> anyhow::Result<BackupTarget> {
        let Some(bucket) = &config.backup.s3_bucket else {
            return Ok(BackupTarget {
                store: main.clone(),
                bucket: None,
            });
        };
        // S3 Object Lock refuses uploads without a Content-MD5 or x-amz-checksum-* header:
        // every PUT and part carries x-amz-checksum-sha256.
        let s3 = s3_client(&config.storage, bucket, Some(Checksum::SHA256)).map_err(|err| {
            anyhow::anyhow!(
                "configuration key `backup.s3_bucket`: cannot set up the S3 client: {err}"
            )
        })?;
        Ok(BackupTarget {
            store: Arc::new(s3),
            bucket: Some(bucket.clone()),
        })
    }
}

/// An S3 client for `bucket` with the endpoint, region, addressing style and credentials of
/// `settings`.
fn s3_client(
    settings: &StorageConfig,
    bucket: &str,
    checksum: Option<Checksum>,
) -> anyhow::Result<AmazonS3> {
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region(&settings.region)
        .with_virtual_hosted_style_request(!settings.path_style)
        // Fail fast: a request waits for storage, so a dead endpoint must not hold it for minutes.
        .with_retry(RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(2),
                base: 2.0,
            },
            max_retries: 2,
            retry_timeout: Duration::from_secs(15),
        })
        .with_client_options(
            ClientOptions::new()
                .with_connect_timeout(Duration::from_secs(5))
                .with_timeout(Duration::from_secs(120)),
        );
    if let Some(endpoint) = &settings.endpoint {
        let endpoint = endpoint.trim_end_matches('/');
        // object_store wants the bucket in a virtual-hosted endpoint; AWS SDKs add it themselves.
        let endpoint = if settings.path_style {
            endpoint.to_owned()
        } else {
            virtual_hosted_endpoint(endpoint, bucket)?
        };
        builder = builder
            .with_allow_http(endpoint.starts_with("http://"))
            .with_endpoint(endpoint);
    }
    if let (Some(id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
        builder = builder
            .with_access_key_id(id)
            .with_secret_access_key(secret.expose_secret());
    }
    if let Some(checksum) = checksum {
        builder = builder.with_checksum_algorithm(checksum);
    }
    Ok(builder.build()?)
}

/// The origin of the presigned URLs the S3 backend hands to browsers (`None` for the local backend,
/// whose URLs point at this server): the web app's Content-Security-Policy must let it connect
/// there, or the browser refuses every upload and download.
pub fn presigned_origin(config: &Config) -> Option<String> {
    let settings = &config.storage;
    if settings.backend != StorageBackend::S3 {
        return None;
    }
    let base = match &settings.endpoint {
        Some(endpoint) if settings.path_style => endpoint.clone(),
        Some(endpoint) => virtual_hosted_endpoint(endpoint, &settings.bucket).ok()?,
        None if settings.path_style => format!("https://s3.{}.amazonaws.com", settings.region),
        None => format!(
            "https://{}.s3.{}.amazonaws.com",
            settings.bucket, settings.region
        ),
    };
    let origin = url::Url::parse(&base).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

fn virtual_hosted_endpoint(endpoint: &str, bucket: &str) -> anyhow::Result<String> {
    let mut url = url::Url::parse(endpoint)?;
    let host = url
        .host_str()
        .ok_or_else(|| anyhow::anyhow!("storage.endpoint has no host"))?
        .to_owned();
    url.set_host(Some(&format!("{bucket}.{host}")))?;
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The object_store path of a key (keys are built by `object_key`, so they are always valid).
fn object_path(key: &str) -> Result<Path, StorageError> {
    Path::parse(key).map_err(|err| StorageError::Other(format!("invalid object key: {err}")))
}

fn expiry(ttl: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::seconds(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 1000))
}

/// The seed's key layout: `tenant_id={tenant}/entity={type}/entity_id={id}/{random}.{ext}`. The
/// random part is 128 random bits, so keys are never guessed and never collide.
pub fn object_key(tenant: &str, entity_type: &str, entity_id: Uuid, extension: &str) -> String {
    format!(
        "tenant_id={tenant}/entity={entity_type}/entity_id={entity_id}/{}.{extension}",
        Uuid::new_v4().simple()
    )
}

/// The tenant a key belongs to (its first segment), if it follows the layout.
pub fn tenant_of_key(key: &str) -> Option<&str> {
    key.strip_prefix("tenant_id=")?
        .split_once('/')
        .map(|(tenant, _)| tenant)
}

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<RFC 5987 percent-encoding>`.
pub fn content_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(file_name.len() * 3);
    for byte in file_name.bytes() {
        // RFC 5987 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------------------------
// The local backend's signed URLs
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LocalMethod {
    #[serde(rename = "PUT")]
    Put,
    #[serde(rename = "GET")]
    Get,
}

/// What a local signed URL allows: one method on one key, until `exp` (Unix seconds). An upload
/// also fixes the content type and exact size; a download fixes the name it is saved under.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocalUrlClaims {
    pub v: u8,
    #[serde(rename = "m")]
    pub method: LocalMethod,
    #[serde(rename = "k")]
    pub key: String,
    #[serde(rename = "ct")]
    pub content_type: String,
    #[serde(rename = "sz", default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(rename = "fn", default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    pub exp: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LocalUrlError {
    #[error("the storage link is malformed")]
    Malformed,
    #[error("the storage link's signature is invalid")]
    BadSignature,
    #[error("the storage link has expired")]
    Expired,
    #[error("the storage link does not allow this method")]
    WrongMethod,
    #[error("local storage links are not served: the S3 backend is configured")]
    NotLocal,
}

#[derive(Debug, thiserror::Error)]
pub enum LocalWriteError {
    #[error("the body is larger than the {expected} bytes the upload link allows")]
    TooLong { expected: u64 },
    #[error("the body ended after {received} of the {expected} bytes the upload link requires")]
    TooShort { received: u64, expected: u64 },
    #[error("the upload was interrupted: {0}")]
    Body(String),
    #[error(transparent)]
    Storage(StorageError),
}

/// HMAC-SHA256 over the token's payload, keyed by a key derived from the server's token secret.
#[derive(Clone)]
struct LocalUrlSigner {
    key: Arc<secrecy::SecretBox<Vec<u8>>>,
}

/// Domain separation: this key signs nothing but local storage URLs. The pseudo-tenant contains a
/// character no tenant slug may hold, so it can never equal a tenant's access-token key.
const LOCAL_URL_KEY_TENANT: &str = "#storage";
const LOCAL_URL_KEY_ID: &str = "local-url/v1";
const LOCAL_URL_MAC_LABEL: &[u8] = b"pmo/local-storage-url/v1\0";

impl LocalUrlSigner {
    fn from_config(config: &Config) -> anyhow::Result<LocalUrlSigner> {
        // The same server secret as access tokens (configured, or the development secret file),
        // through the same derivation, under a label of its own.
        let keys = SigningKeys::from_config(config)?;
        Ok(LocalUrlSigner {
            key: Arc::new(secrecy::SecretBox::new(Box::new(
                keys.derive(LOCAL_URL_KEY_TENANT, LOCAL_URL_KEY_ID),
            ))),
        })
    }

    fn mac(&self) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.key.expose_secret())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(LOCAL_URL_MAC_LABEL);
        mac
    }

    /// `<base64url(JSON claims)>.<base64url(HMAC)>`: one URL path segment.
    fn sign(&self, claims: &LocalUrlClaims) -> Result<String, StorageError> {
        let payload = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(claims).map_err(|err| StorageError::Other(err.to_string()))?,
        );
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        Ok(format!("{payload}.{signature}"))
    }

    fn verify(&self, token: &str) -> Result<LocalUrlClaims, LocalUrlError> {
        let (payload, signature) = token.split_once('.').ok_or(LocalUrlError::Malformed)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| LocalUrlError::Malformed)?;
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        // Constant-time comparison; nothing in the payload is trusted before it passes.
        mac.verify_slice(&signature)
            .map_err(|_| LocalUrlError::BadSignature)?;
        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| LocalUrlError::Malformed)?;
        let claims: LocalUrlClaims =
            serde_json::from_slice(&json).map_err(|_| LocalUrlError::Malformed)?;
        if claims.v != 1 {
            return Err(LocalUrlError::Malformed);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn presigned_origins_follow_the_addressing_style() {
        let origin = |endpoint: Option<&str>, path_style: bool| {
            let mut config = Config::default();
            config.storage.backend = StorageBackend::S3;
            config.storage.bucket = "files".to_owned();
            config.storage.region = "eu-west-1".to_owned();
            config.storage.endpoint = endpoint.map(str::to_owned);
            config.storage.path_style = path_style;
            presigned_origin(&config)
        };
        assert_eq!(
            origin(None, false).as_deref(),
            Some("https://files.s3.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            origin(None, true).as_deref(),
            Some("https://s3.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            origin(Some("http://127.0.0.1:3900/"), true).as_deref(),
            Some("http://127.0.0.1:3900")
        );
        assert_eq!(
            origin(Some("https://minio.example.com"), false).as_deref(),
            Some("https://files.minio.example.com")
        );
        assert_eq!(presigned_origin(&Config::default()), None, "local backend");
    }

    fn signer() -> LocalUrlSigner {
        let keys = SigningKeys::from_secret(b"a-test-secret-of-at-least-32-characters!".to_vec());
        LocalUrlSigner {
            key: Arc::new(secrecy::SecretBox::new(Box::new(
                keys.derive(LOCAL_URL_KEY_TENANT, LOCAL_URL_KEY_ID),
            ))),
        }
    }

    fn claims() -> LocalUrlClaims {
        LocalUrlClaims {
            v: 1,
            method: LocalMethod::Put,
            key: "tenant_id=acme/entity=project/entity_id=00000000-0000-0000-0000-000000000001/ab.pdf".to_owned(),
            content_type: "application/pdf".to_owned(),
            size: Some(10),
            file_name: None,
            exp: Utc::now().timestamp() + 60,
        }
    }

    #[test]
    fn local_tokens_round_trip_and_refuse_tampering() {
        let signer = signer();
        let token = signer.sign(&claims()).unwrap();
        assert_eq!(signer.verify(&token).unwrap().key, claims().key);

        // Another key with the same signature.
        let mut other = claims();
        other.key = other.key.replace("acme", "evil");
        let forged = format!(
            "{}.{}",
            signer.sign(&other).unwrap().split_once('.').unwrap().0,
            token.split_once('.').unwrap().1
        );
        assert_eq!(
            signer.verify(&forged).unwrap_err(),
            LocalUrlError::BadSignature
        );
        assert_eq!(
            signer.verify("no-dot").unwrap_err(),
            LocalUrlError::Malformed
        );
        assert!(signer.verify(&format!("{token}x")).is_err());
    }

    #[test]
    fn keys_and_dispositions() {
        let id = Uuid::nil();
        let key = object_key("acme", "project", id, "pdf");
        assert!(
            key.starts_with(
                "tenant_id=acme/entity=project/entity_id=00000000-0000-0000-0000-000000000000/"
            ),
            "{key}"
        );
        assert!(
            key.ends_with(".pdf")
                && key.len() == "tenant_id=acme/entity=project/entity_id=".len() + 36 + 1 + 32 + 4
        );
        assert_eq!(tenant_of_key(&key), Some("acme"));
        assert!(Path::parse(&key).is_ok());
        assert_eq!(
            content_disposition("Rapport d'été \"final\".pdf"),
            "attachment; filename=\"Rapport d'_t_ _final_.pdf\"; filename*=UTF-8''Rapport%20d%27%C3%A9t%C3%A9%20%22final%22.pdf"
        );
    }
}
