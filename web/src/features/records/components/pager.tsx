import { Button, Group, Text } from '@mantine/core';
import { ChevronLeft, ChevronRight } from 'lucide-react';
import { formatInteger } from '@/lib/format';

interface Props {
  page: number;
  pageSize: number;
  shown: number;
  total: number | undefined;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  label: string;
}

export function Pager({ page, pageSize, shown, total, hasPrevious, hasNext, onPrevious, onNext, label }: Props) {
  const first = shown === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = (page - 1) * pageSize + shown;
  return (
    <Group justify="space-between" gap="sm" wrap="wrap">
      <Text size="sm" c="dimmed" aria-live="polite">
        {shown === 0
          ? `No ${label}`
          : total !== undefined
            ? `${formatInteger(first)}–${formatInteger(last)} of ${formatInteger(total)} ${label}`
            : `${formatInteger(first)}–${formatInteger(last)} ${label}`}
      </Text>
      <Group gap="xs" role="navigation" aria-label="Pages">
        <Button variant="default" size="xs" leftSection={<ChevronLeft size={14} aria-hidden />} disabled={!hasPrevious} onClick={onPrevious}>
          Previous
        </Button>
        <Text size="sm" aria-label={`Page ${page}`}>
          Page {page}
        </Text>
        <Button variant="default" size="xs" rightSection={<ChevronRight size={14} aria-hidden />} disabled={!hasNext} onClick={onNext}>
          Next
        </Button>
      </Group>
    </Group>
  );
}
