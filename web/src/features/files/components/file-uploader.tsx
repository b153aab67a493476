import { ActionIcon, Button, Group, Progress, Stack, Text } from '@mantine/core';
import { CheckCircle2, Upload, X } from 'lucide-react';
import { type DragEvent, useRef, useState } from 'react';
import { formatBytes } from '@/lib/format';
import { uploadFile } from '../api/upload-file';
import { type Artifact, type FileFacts, type UploadResponse, uploadErrorText } from '../lib/upload';

type Phase = 'sending' | 'done' | 'failed';

interface UploadItem {
  key: number;
  name: string;
  size: number;
  percent: number;
  phase: Phase;
  error: string | null;
}

interface Props {
  /** The button's text, e.g. "Upload file". */
  label: string;
  multiple: boolean;
  /** Declares one file to the API (a new file, or a new version) and answers the upload steps. */
  start: (file: FileFacts) => Promise<UploadResponse>;
  /** After each completed upload (the file is available). */
  onUploaded: (artifact: Artifact) => void;
  disabled?: boolean;
}

function statusText(item: UploadItem): string {
  if (item.phase === 'done') return 'Uploaded';
  if (item.phase === 'failed') return 'Failed';
  return item.percent >= 100 ? 'Finishing…' : `${String(item.percent)} %`;
}

function UploadRow({ item, onDismiss }: { item: UploadItem; onDismiss: () => void }) {
  const colour = item.phase === 'failed' ? 'red' : item.phase === 'done' ? 'teal' : 'blue';
  return (
    <Stack gap={4} component="li" data-testid="upload-item" data-phase={item.phase}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
          {item.phase === 'done' && <CheckCircle2 size={16} aria-hidden color="var(--mantine-color-teal-text)" style={{ flexShrink: 0 }} />}
          <Text size="sm" fw={600} truncate="end">
            {item.name}
          </Text>
        </Group>
        <Group gap={4} wrap="nowrap" style={{ flexShrink: 0 }}>
          <Text size="xs" c="dimmed" className="pmo-nowrap">
            {formatBytes(item.size)} · {statusText(item)}
          </Text>
          {item.phase !== 'sending' && (
            <ActionIcon variant="subtle" color="gray" size="sm" aria-label={`Dismiss ${item.name}`} onClick={onDismiss}>
              <X size={14} aria-hidden />
            </ActionIcon>
          )}
        </Group>
      </Group>
      <Progress.Root size="sm">
        <Progress.Section value={item.percent} color={colour} aria-label={`Upload of ${item.name}`} />
      </Progress.Root>
      {item.error && (
        <Text size="sm" c="red" role="alert">
          {item.error}
        </Text>
      )}
    </Stack>
  );
}

/** A drop zone with a file button; each file gets a progress bar, then "Uploaded" or the reason it
 * failed (the API's 413/415/422 answers as sentences). */
export function FileUploader({ label, multiple, start, onUploaded, disabled = false }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const counter = useRef(0);
  const [items, setItems] = useState<UploadItem[]>([]);
  const [over, setOver] = useState(false);

  const patch = (key: number, change: Partial<UploadItem>) =>
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...change } : item)));

  const add = (files: readonly File[]) => {
    const chosen = multiple ? files : files.slice(0, 1);
    for (const file of chosen) {
      counter.current += 1;
      const key = counter.current;
      setItems((list) => [...list, { key, name: file.name, size: file.size, percent: 0, phase: 'sending', error: null }]);
      uploadFile(start, file, (percent) => patch(key, { percent })).then(
        (artifact) => {
          patch(key, { percent: 100, phase: 'done' });
          onUploaded(artifact);
        },
        (error: unknown) => patch(key, { phase: 'failed', error: uploadErrorText(error) }),
      );
    }
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    if (!disabled) add([...event.dataTransfer.files]);
  };

  return (
    <Stack gap="sm">
      <div
        className="pmo-dropzone"
        data-over={over || undefined}
        data-disabled={disabled || undefined}
        onDragOver={(event) => {
          event.preventDefault();
          event.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
          setOver(true);
        }}
        onDragLeave={(event) => {
          // Moving onto the button inside also "leaves" the box; only leaving the box counts.
          if (!(event.relatedTarget instanceof Node && event.currentTarget.contains(event.relatedTarget))) setOver(false);
        }}
        onDrop={onDrop}
      >
        <Group gap="sm" justify="center" wrap="wrap">
          <Upload size={18} aria-hidden />
          <Text size="sm" c="dimmed">
            {multiple ? 'Drop files here, or' : 'Drop a file here, or'}
          </Text>
          <Button size="xs" leftSection={<Upload size={14} aria-hidden />} onClick={() => input.current?.click()} disabled={disabled}>
            {label}
          </Button>
        </Group>
        <input
          ref={input}
          type="file"
          hidden
          multiple={multiple}
          tabIndex={-1}
          aria-hidden
          onChange={(event) => {
            add([...(event.currentTarget.files ?? [])]);
            event.currentTarget.value = ''; // the same file again is a new upload
          }}
        />
      </div>
      {items.length > 0 && (
        <Stack gap="sm" component="ul" aria-label="Uploads" m={0} p={0} style={{ listStyle: 'none' }}>
          {items.map((item) => (
            <UploadRow key={item.key} item={item} onDismiss={() => setItems((list) => list.filter((i) => i.key !== item.key))} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
