import { Combobox, Group, Kbd, Loader, Text, TextInput, useCombobox } from '@mantine/core';
import { useDebouncedValue, useHotkeys } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { Search } from 'lucide-react';
import { useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { EntityIcon } from '@/lib/icons';
import { paths } from '@/lib/paths';
import { entityTypesQueryOptions, findType } from '@/lib/registry';
import { type SearchHit, useSearch } from '../api/search';

/** Search across everything the user may see (GET /api/v1/search); `/` or Ctrl+K focuses it. */
export function GlobalSearch() {
  const [text, setText] = useState('');
  const [debounced] = useDebouncedValue(text, 200);
  const results = useSearch(debounced);
  const types = useQuery(entityTypesQueryOptions());
  const navigate = useNavigate();
  const input = useRef<HTMLInputElement>(null);
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });

  useHotkeys([
    ['mod+K', () => input.current?.focus()],
    ['/', () => input.current?.focus()],
  ]);

  const hits: SearchHit[] = debounced.trim().length >= 2 ? (results.data ?? []) : [];
  const go = (key: string) => {
    const hit = hits.find((h) => `${h.entity_type}/${h.id}` === key);
    if (!hit) return;
    combobox.closeDropdown();
    setText('');
    input.current?.blur();
    void navigate(paths.detail(hit.entity_type, hit.id));
  };

  return (
    <Combobox store={combobox} onOptionSubmit={go} withinPortal position="bottom-start">
      <Combobox.Target>
        <TextInput
          ref={input}
          aria-label="Search everything"
          placeholder="Search everything"
          leftSection={<Search size={16} aria-hidden />}
          rightSection={results.isFetching ? <Loader size={14} /> : <Kbd size="xs" visibleFrom="md">/</Kbd>}
          rightSectionWidth={36}
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            combobox.openDropdown();
            combobox.updateSelectedOptionIndex();
          }}
          onFocus={() => combobox.openDropdown()}
          onBlur={() => combobox.closeDropdown()}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setText('');
              input.current?.blur();
            }
          }}
          w={{ base: 150, xs: 220, sm: 300 }}
        />
      </Combobox.Target>
      <Combobox.Dropdown hidden={text.trim().length < 2}>
        <Combobox.Options aria-label="Search results" mah={360} style={{ overflowY: 'auto' }}>
          {hits.length === 0 ? (
            <Combobox.Empty>{results.isFetching || debounced !== text ? 'Searching…' : 'Nothing found'}</Combobox.Empty>
          ) : (
            hits.map((hit) => {
              const type = findType(types.data, hit.entity_type);
              return (
                <Combobox.Option key={`${hit.entity_type}/${hit.id}`} value={`${hit.entity_type}/${hit.id}`}>
                  <Group gap="sm" wrap="nowrap">
                    <EntityIcon name={type?.icon} size={16} aria-hidden />
                    <div style={{ minWidth: 0 }}>
                      <Text size="sm" truncate>
                        {hit.name}
                      </Text>
                      <Text size="xs" c="dimmed" truncate>
                        {type?.label ?? hit.entity_type}
                        {hit.code ? ` · ${hit.code}` : ''}
                      </Text>
                    </div>
                  </Group>
                </Combobox.Option>
              );
            })
          )}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}
