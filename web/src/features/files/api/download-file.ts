import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** `GET /api/v1/artifact/{id}/download`: a short-lived link that saves the file under its name. */
export async function getDownloadLink(artifactId: string) {
  return unwrap(await api.GET('/api/v1/artifact/{id}/download', { params: { path: { id: artifactId } } }));
}

/** Asks for a fresh link and follows it (the answer is `Content-Disposition: attachment`, so the
 * page stays where it is). Links expire within minutes, so they are never cached. */
export function useDownloadFile() {
  return useMutation({
    mutationFn: getDownloadLink,
    onSuccess: (link) => {
      const anchor = document.createElement('a');
      anchor.href = link.url;
      anchor.download = link.file_name;
      anchor.rel = 'noopener';
      anchor.style.display = 'none';
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
    },
  });
}
