import { startUpload } from '../api/upload-file';
import type { Artifact } from '../lib/upload';
import { FileUploader } from './file-uploader';

interface Props {
  ownerType: string;
  ownerId: string;
  onUploaded: (artifact: Artifact) => void;
}

/** "Upload file" on a record that holds files: each file becomes an artifact attached to it. */
export function UploadFiles({ ownerType, ownerId, onUploaded }: Props) {
  return (
    <FileUploader
      label="Upload file"
      multiple
      start={(file) => startUpload({ type: ownerType, id: ownerId }, file)}
      onUploaded={onUploaded}
    />
  );
}
