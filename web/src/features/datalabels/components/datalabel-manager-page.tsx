import { Box, Grid, NavLink, Select, Stack, Text, Title } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import type { DatalabelName } from '@/lib/datalabels';
import { paths } from '@/lib/paths';
import { useDocumentTitle } from '@/lib/use-document-title';
import { DATALABEL_NAMES, datalabelTitle } from '../lib/datalabel-names';
import { AddLabelForm } from './add-label-form';
import { DatalabelTable } from './datalabel-table';

/** The tenant's value lists: rename, recolour, reorder, add, deactivate (administrators). */
export function DatalabelManagerPage({ datalabel }: { datalabel: DatalabelName }) {
  const title = datalabelTitle(datalabel);
  const navigate = useNavigate();
  useDocumentTitle(`Datalabels: ${title}`);
  return (
    <Stack gap="md">
      <div>
        <Title order={1}>Datalabels</Title>
        <Text c="dimmed" size="sm">
          The value lists records choose from. Renaming or recolouring a label changes every record that uses it; a
          label still in use cannot be deactivated.
        </Text>
      </div>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 3 }}>
          {/* Narrow screens: one list box instead of a screenful of links above the table. */}
          <Select
            hiddenFrom="md"
            label="Datalabel"
            data={DATALABEL_NAMES.map((name) => ({ value: name, label: datalabelTitle(name) }))}
            value={datalabel}
            onChange={(name) => {
              if (name) void navigate(paths.datalabels(name));
            }}
            allowDeselect={false}
            searchable
            comboboxProps={{ withinPortal: true }}
          />
          <Box component="nav" aria-label="Datalabels" visibleFrom="md">
            {DATALABEL_NAMES.map((name) => (
              <NavLink
                key={name}
                component={Link}
                to={paths.datalabels(name)}
                label={datalabelTitle(name)}
                active={name === datalabel}
                aria-current={name === datalabel ? 'page' : undefined}
                styles={{ root: { borderRadius: 'var(--mantine-radius-sm)' } }}
              />
            ))}
          </Box>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 9 }}>
          <Stack gap="md">
            <Title order={2} size="h3">
              {title}
            </Title>
            {/* key: another datalabel is another table (no edit state carried over). */}
            <DatalabelTable key={datalabel} datalabel={datalabel} />
            <AddLabelForm key={`add-${datalabel}`} datalabel={datalabel} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
