//! The artifact API's shapes and the rules its input must follow.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::config::StorageConfig;
use crate::entity::EntityType;

/// A file record. Its bytes live in object storage and are reached through presigned URLs only.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Artifact {
    pub id: Uuid,
    pub code: String,
    /// Display name (defaults to the file name of the first upload).
    pub name: String,
    pub descr: Option<String>,
    /// document, template, image, video, spreadsheet, presentation, archive or other.
    pub artifact_type: String,
    /// The original file name, as uploaded (unicode kept).
    pub file_name: String,
    /// Normalised extension of the file name (`bin` when it has none usable).
    pub file_format: Option<String>,
    pub content_type: String,
    /// Declared size; verified against the stored object at completion.
    pub file_size_bytes: Option<i64>,
    /// SHA-256 (hex) of the stored bytes, when the upload declared one (verified at completion).
    pub sha256: Option<String>,
    /// `pending` (waiting for the bytes), `available` or `failed`.
    pub upload_status: String,
    pub uploaded_ts: Option<DateTime<Utc>>,
    /// The record the file is attached to.
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    /// The first version of this file; every version shares it.
    pub root_artifact_id: Uuid,
    /// 1 for the first upload, then 2, 3, … along the chain.
    pub file_version: i32,
    pub is_latest_version: bool,
    pub active_flag: bool,
    pub created_ts: DateTime<Utc>,
    pub updated_ts: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    /// Who uploaded this version.
    pub created_by_name: Option<String>,
    pub version: i32,
}

/// The columns selected into `Artifact`, plus the two that never leave the server.
pub const ARTIFACT_COLUMNS: &str = "id, code, name, descr, artifact_type, file_name, file_format, content_type, \
    file_size_bytes, sha256, upload_status, uploaded_ts, entity_type::text AS entity_type, entity_id, root_artifact_id, \
    file_version, is_latest_version, active_flag, created_ts, updated_ts, created_by, \
    (SELECT e.name FROM app.d_employee e WHERE e.tenant_id = d_artifact.tenant_id AND e.id = d_artifact.created_by) AS created_by_name, \
    version, storage_key, metadata";

/// A row as stored: the public record plus its object key and metadata.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArtifactRow {
    #[sqlx(flatten)]
    pub artifact: Artifact,
    pub storage_key: String,
    pub metadata: Value,
}

impl ArtifactRow {
    /// The entity the file is attached to, if it has one.
    pub fn owner(&self) -> Option<(EntityType, Uuid)> {
        let entity = self.artifact.entity_type.as_deref()?.parse().ok()?;
        Some((entity, self.artifact.entity_id?))
    }

    /// The multipart upload behind a pending S3 upload of a large file.
    pub fn multipart(&self) -> Option<MultipartState> {
        serde_json::from_value(self.metadata.get(MULTIPART_METADATA_KEY)?.clone()).ok()
    }
}

/// Where a pending multipart upload is remembered: `metadata.upload` of the artifact row (removed
/// at completion).
pub const MULTIPART_METADATA_KEY: &str = "upload";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MultipartState {
    pub multipart_upload_id: String,
    pub part_size_bytes: u64,
    pub part_count: u32,
}

/// Start an upload: declare the file, get where to send it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadRequest {
    /// The type of the record the file is attached to (one that holds files: project, task,
    /// client, office, form, wiki).
    pub entity_type: String,
    pub entity_id: Uuid,
    /// The original name, unicode allowed; no path separators, control characters or `..`.
    pub file_name: String,
    /// Media type the bytes will be sent with (e.g. `application/pdf`).
    pub content_type: String,
    /// Exact size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the bytes (hex), checked at completion when given.
    pub sha256: Option<String>,
    /// Display name; defaults to the file name.
    pub name: Option<String>,
    pub descr: Option<String>,
}

impl UploadRequest {
    pub fn file(&self) -> FileDeclaration {
        FileDeclaration {
            file_name: self.file_name.clone(),
            content_type: self.content_type.clone(),
            size_bytes: self.size_bytes,
            sha256: self.sha256.clone(),
        }
    }
}

/// Start a new version of an existing file: declare the new bytes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVersionRequest {
    /// The new version's original name (it may differ from the previous one's).
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: Option<String>,
}

impl NewVersionRequest {
    pub fn file(&self) -> FileDeclaration {
        FileDeclaration {
            file_name: self.file_name.clone(),
            content_type: self.content_type.clone(),
            size_bytes: self.size_bytes,
            sha256: self.sha256.clone(),
        }
    }
}

/// The file about to be uploaded, as the client declares it.
#[derive(Debug, Clone)]
pub struct FileDeclaration {
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: Option<String>,
}

/// A declaration that passed validation.
#[derive(Debug, Clone)]
pub struct ValidFile {
    pub file_name: String,
    pub extension: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: Option<String>,
    pub artifact_type: &'static str,
}

/// Why a declaration is refused: per-field problems (422), too large (413) or a media type that is
/// not accepted (415).
#[derive(Debug)]
pub enum FileRefusal {
    Invalid(serde_json::Map<String, Value>),
    TooLarge { max: u64 },
    TypeNotAllowed { content_type: String },
}

impl FileDeclaration {
    pub fn validate(
        &self,
        settings: &StorageConfig,
        fields: &mut serde_json::Map<String, Value>,
    ) -> Result<ValidFile, FileRefusal> {
        if let Err(reason) = check_file_name(&self.file_name) {
            fields.insert("file_name".into(), json!(reason));
        }
        let content_type = normalise_content_type(&self.content_type);
        if content_type.is_none() {
            fields.insert(
                "content_type".into(),
                json!("must be a media type such as application/pdf"),
            );
        }
        match self.size_bytes {
            n if n < 0 => {
                fields.insert(
                    "size_bytes".into(),
                    json!("must be a positive number of bytes"),
                );
            }
            0 => {
                fields.insert("size_bytes".into(), json!("empty files cannot be uploaded"));
            }
            _ => {}
        }
        let sha256 = self.sha256.as_deref().map(str::to_ascii_lowercase);
        if sha256
            .as_deref()
            .is_some_and(|s| s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            fields.insert("sha256".into(), json!("must be 64 hexadecimal characters"));
        }
        if !fields.is_empty() {
            return Err(FileRefusal::Invalid(std::mem::take(fields)));
        }
        let (Some(content_type), Ok(size)) = (content_type, u64::try_from(self.size_bytes)) else {
            return Err(FileRefusal::Invalid(std::mem::take(fields)));
        };
        if size > settings.max_upload_bytes {
            return Err(FileRefusal::TooLarge {
                max: settings.max_upload_bytes,
            });
        }
        if !content_type_allowed(&content_type, &settings.allowed_content_types) {
            return Err(FileRefusal::TypeNotAllowed { content_type });
        }
        let extension = file_extension(&self.file_name);
        let artifact_type = artifact_type_for(&content_type, &extension);
        Ok(ValidFile {
            file_name: self.file_name.clone(),
            extension,
            content_type,
            size,
            sha256,
            artifact_type,
        })
    }
}

/// Names are kept as given (unicode included), but never anything a path or a terminal could
/// misread: no `/`, `\`, `..`, control characters or bidirectional overrides.
pub fn check_file_name(name: &str) -> Result<(), &'static str> {
    if name.trim().is_empty() {
        return Err("required");
    }
    if name.chars().count() > 255 {
        return Err("must be at most 255 characters");
    }
    if name.contains(['/', '\\']) {
        return Err("must not contain path separators (/ or \\)");
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters");
    }
    if name.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')) {
        return Err("must not contain bidirectional control characters");
    }
    if name.contains("..") {
        return Err("must not contain '..'");
    }
    Ok(())
}

/// The key's extension: the file name's last extension, lowercased, when it is 1–16 ASCII letters
/// and digits; otherwise `bin`.
pub fn file_extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .filter(|ext| {
            (1..=16).contains(&ext.len())
                && ext
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        .unwrap_or_else(|| "bin".to_owned())
}

/// `type/subtype` (lowercased) with optional parameters kept as sent; None when malformed.
pub fn normalise_content_type(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() || value.len() > 255 || !value.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return None;
    }
    let (essence, params) = match value.split_once(';') {
        Some((essence, params)) => (essence.trim(), Some(params.trim())),
        None => (value, None),
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let (kind, subtype) = essence.split_once('/')?;
    if !token(kind) || !token(subtype) {
        return None;
    }
    let essence = essence.to_ascii_lowercase();
    Some(match params {
        Some(params) if !params.is_empty() => format!("{essence}; {params}"),
        _ => essence,
    })
}

/// The `type/subtype` part of a content type.
pub fn essence(content_type: &str) -> &str {
    content_type
        .split(';')
        .next()
        .unwrap_or(content_type)
        .trim()
}

pub fn content_type_allowed(content_type: &str, allowed: &[String]) -> bool {
    let essence = essence(content_type);
    let kind = essence.split('/').next().unwrap_or(essence);
    allowed.iter().any(|pattern| match pattern.split_once('/') {
        Some(("*", "*")) => true,
        Some((pattern_kind, "*")) => pattern_kind == kind,
        _ => pattern == essence,
    })
}

/// A sensible `artifact_type` from the media type and extension.
pub fn artifact_type_for(content_type: &str, extension: &str) -> &'static str {
    let essence = essence(content_type);
    let contains = |needle: &str| essence.contains(needle);
    if essence.starts_with("image/") {
        "image"
    } else if essence.starts_with("video/") {
        "video"
    } else if contains("spreadsheet")
        || contains("ms-excel")
        || essence == "text/csv"
        || matches!(extension, "xlsx" | "xls" | "ods" | "csv")
    {
        "spreadsheet"
    } else if contains("presentation")
        || contains("ms-powerpoint")
        || matches!(extension, "pptx" | "ppt" | "odp")
    {
        "presentation"
    } else if contains("zip")
        || contains("compressed")
        || contains("tar")
        || contains("rar")
        || matches!(extension, "zip" | "7z" | "gz" | "tgz" | "tar" | "rar")
    {
        "archive"
    } else if essence == "application/pdf"
        || essence.starts_with("text/")
        || contains("msword")
        || contains("wordprocessingml")
        || contains("opendocument.text")
        || essence == "application/rtf"
    {
        "document"
    } else {
        "other"
    }
}

/// Where and how to send the bytes.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadResponse {
    /// The new record, in `pending` state until the upload is completed.
    pub artifact: Artifact,
    pub upload: UploadInstructions,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UploadMode {
    /// One request: send the whole file to `url`.
    Single,
    /// Several requests: send each part to its URL and keep the `ETag` header of each answer.
    Multipart,
}

/// The upload steps: send the bytes straight to storage, then `POST complete_url`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadInstructions {
    pub mode: UploadMode,
    /// Always `PUT`.
    pub method: String,
    /// Single uploads: where to send the file.
    pub url: Option<String>,
    /// Headers to send exactly as given (they are part of the signature).
    pub headers: BTreeMap<String, String>,
    /// Multipart uploads: one URL per part, in order.
    pub parts: Vec<UploadPart>,
    pub part_size_bytes: Option<u64>,
    /// The URLs stop working at this time.
    pub expires_at: DateTime<Utc>,
    /// Confirm the upload here (`POST`, with the parts' ETags for a multipart upload).
    pub complete_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadPart {
    /// 1, 2, 3, …
    pub part_number: u32,
    pub url: String,
    /// Bytes of the file this part carries (every part but the last is `part_size_bytes`).
    pub size_bytes: u64,
}

/// Confirmation of an upload. Single uploads send no body (or `{}`); multipart uploads list every
/// part's ETag.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    #[serde(default)]
    pub parts: Vec<CompletedPart>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletedPart {
    pub part_number: u32,
    /// The `ETag` header storage answered the part's upload with.
    pub etag: String,
}

/// A short-lived link that downloads the file under its original name.
#[derive(Debug, Serialize, ToSchema)]
pub struct DownloadResponse {
    pub url: String,
    /// Always `GET`.
    pub method: String,
    pub expires_at: DateTime<Utc>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: Option<i64>,
}

/// Every version of a file, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionList {
    pub data: Vec<Artifact>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert!(check_file_name("Rapport d'été 2024 — 東京.pdf").is_ok());
        for bad in [
            "",
            "  ",
            "a/b.pdf",
            "a\\b.pdf",
            "a\0b",
            "a\nb",
            "x\u{7f}",
            "..",
            "../x.pdf",
            "a..b",
            "evil\u{202E}fdp.exe",
        ] {
            assert!(check_file_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_file_name(&"é".repeat(255)).is_ok());
        assert!(check_file_name(&"é".repeat(256)).is_err());
    }

    #[test]
    fn extensions() {
        assert_eq!(file_extension("Report.PDF"), "pdf");
        assert_eq!(file_extension("archive.tar.gz"), "gz");
        assert_eq!(file_extension("README"), "bin");
        assert_eq!(file_extension("photo.jpég"), "bin");
        assert_eq!(file_extension("x.abcdefghijklmnopq"), "bin");
        assert_eq!(file_extension("trailing."), "bin");
    }

    #[test]
    fn content_types() {
        assert_eq!(
            normalise_content_type(" Text/Plain; charset=UTF-8 ").as_deref(),
            Some("text/plain; charset=UTF-8")
        );
        assert_eq!(
            normalise_content_type("application/pdf").as_deref(),
            Some("application/pdf")
        );
        for bad in [
            "",
            "pdf",
            "text/",
            "/plain",
            "text/plain\r\nX: y",
            "tëxt/plain",
        ] {
            assert_eq!(normalise_content_type(bad), None, "{bad:?}");
        }
        let allowed = vec!["image/*".to_owned(), "application/pdf".to_owned()];
        assert!(content_type_allowed("image/png", &allowed));
        assert!(content_type_allowed("application/pdf", &allowed));
        assert!(!content_type_allowed("text/html", &allowed));
        assert!(content_type_allowed("text/html", &["*/*".to_owned()]));
        assert_eq!(artifact_type_for("application/pdf", "pdf"), "document");
        assert_eq!(
            artifact_type_for("application/octet-stream", "xlsx"),
            "spreadsheet"
        );
        assert_eq!(
            artifact_type_for("application/octet-stream", "bin"),
            "other"
        );
    }
}
