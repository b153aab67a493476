// The bytes go straight to storage (a presigned URL), not through the API client: no token, and
// XMLHttpRequest because fetch reports no upload progress.
import { type PutBytes, StorageError } from '../lib/upload';

export const putBytes: PutBytes = (step, body, onSent) =>
  new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(step.method, step.url);
    for (const [name, value] of Object.entries(step.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onSent(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve({ etag: xhr.getResponseHeader('ETag') });
      else reject(new StorageError(xhr.status));
    };
    xhr.onerror = () => reject(new StorageError(0));
    xhr.onabort = () => reject(new StorageError(0));
    xhr.send(body);
  });
