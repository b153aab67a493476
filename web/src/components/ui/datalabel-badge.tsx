import { Badge, alpha } from '@mantine/core';
import { useDatalabel } from '@/lib/datalabels';

/** A datalabel value's name as a badge tinted with the value's colour (grey while the list loads). */
export function DatalabelBadge({ datalabel, value, name, testId }: { datalabel: string; value: unknown; name: string; testId?: string }) {
  const values = useDatalabel(datalabel);
  const color = values.data?.find((v) => v.key === value)?.color_code ?? 'var(--mantine-color-gray-6)';
  // The label's own colour tints the badge and marks its dot; the text keeps the body colour,
  // so it stays readable (WCAG AA) whatever colour an administrator picked.
  const tinted = color.startsWith('#');
  return (
    <Badge
      variant="default"
      radius="sm"
      tt="none"
      fw={600}
      data-testid={testId}
      leftSection={<span aria-hidden style={{ width: 8, height: 8, borderRadius: 99, background: color, display: 'inline-block' }} />}
      styles={{
        root: {
          overflow: 'visible',
          flexShrink: 0,
          color: 'var(--mantine-color-text)',
          background: tinted ? alpha(color, 0.14) : undefined,
          borderColor: tinted ? alpha(color, 0.45) : undefined,
        },
        label: { overflow: 'visible' },
      }}
    >
      {name}
    </Badge>
  );
}
