import { Anchor, Badge, Code, Group, Text } from '@mantine/core';
import { Check, Minus } from 'lucide-react';
import { Link } from 'react-router';
import { DatalabelBadge } from '@/components/ui/datalabel-badge';
import { formatDate, formatDecimal, formatInteger, formatMoney, formatTimestamp, humanize, textOf } from '@/lib/format';
import { paths } from '@/lib/paths';
import type { FieldInfo } from '@/lib/registry';

interface Props {
  field: FieldInfo;
  record: Record<string, unknown>;
  /** Lists are compact: long text is cut to one line. */
  compact?: boolean;
}

const empty = (
  <Text span c="dimmed">
    —
  </Text>
);

function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export function FieldValue({ field, record, compact = false }: Props) {
  const value = record[field.name];
  if (value === null || value === undefined || value === '') return empty;
  const displayName = record[`${field.name}_name`];
  const kind = field.kind;

  switch (kind.type) {
    case 'datalabel':
      return (
        <DatalabelBadge
          datalabel={kind.datalabel}
          value={value}
          name={typeof displayName === 'string' ? displayName : textOf(value)}
        />
      );
    case 'reference': {
      const label = typeof displayName === 'string' && displayName !== '' ? displayName : 'Open';
      return (
        <Anchor component={Link} to={paths.detail(kind.target, textOf(value))} size="sm">
          {label}
        </Anchor>
      );
    }
    case 'boolean':
      return value === true ? (
        <Check size={16} aria-label="yes" color="var(--mantine-color-green-7)" />
      ) : (
        <Minus size={16} aria-label="no" color="var(--mantine-color-dimmed)" />
      );
    case 'money':
      return (
        <Text span size="sm" className="pmo-nowrap" style={{ fontVariantNumeric: 'tabular-nums' }}>
          {formatMoney(value as string)}
        </Text>
      );
    case 'decimal':
      return (
        <Text span size="sm" style={{ fontVariantNumeric: 'tabular-nums' }}>
          {formatDecimal(value as string, kind.scale)}
        </Text>
      );
    case 'integer':
      return (
        <Text span size="sm" style={{ fontVariantNumeric: 'tabular-nums' }}>
          {typeof value === 'number' ? formatInteger(value) : textOf(value)}
        </Text>
      );
    case 'date':
      return (
        <Text span size="sm" className="pmo-nowrap">
          {formatDate(textOf(value))}
        </Text>
      );
    case 'timestamp':
      return (
        <Text span size="sm" className="pmo-nowrap">
          {formatTimestamp(textOf(value))}
        </Text>
      );
    case 'tags': {
      const tags = Array.isArray(value) ? value.map(String) : [];
      if (tags.length === 0) return empty;
      const shown = compact ? tags.slice(0, 2) : tags;
      return (
        <Group gap={4} wrap={compact ? 'nowrap' : 'wrap'}>
          {shown.map((tag) => (
            <Badge key={tag} variant="outline" color="blue" radius="sm" tt="none" fw={500}>
              {tag}
            </Badge>
          ))}
          {shown.length < tags.length && (
            <Text span size="xs" c="dimmed">
              +{tags.length - shown.length}
            </Text>
          )}
        </Group>
      );
    }
    case 'json':
      if (typeof value === 'object' && Object.keys(value).length === 0) return empty;
      return compact ? (
        <Code>{JSON.stringify(value).slice(0, 40)}</Code>
      ) : (
        <Code block>{JSON.stringify(value, null, 2)}</Code>
      );
    case 'email':
      return (
        <Anchor href={`mailto:${textOf(value)}`} size="sm">
          {textOf(value)}
        </Anchor>
      );
    case 'url': {
      const href = safeHref(textOf(value));
      return href ? (
        <Anchor href={href} target="_blank" rel="noopener noreferrer" size="sm">
          {textOf(value)}
        </Anchor>
      ) : (
        <Text span size="sm">
          {textOf(value)}
        </Text>
      );
    }
    case 'enum':
      return (
        <Text span size="sm" className="pmo-nowrap">
          {humanize(textOf(value))}
        </Text>
      );
    case 'long_text':
      return compact ? (
        <Text span size="sm" lineClamp={1} maw={320}>
          {textOf(value)}
        </Text>
      ) : (
        <Text size="sm" className="pmo-pre">
          {textOf(value)}
        </Text>
      );
    default:
      return (
        <Text span size="sm">
          {typeof displayName === 'string' ? displayName : typeof value === 'object' ? JSON.stringify(value) : textOf(value)}
        </Text>
      );
  }
}
