import { Stepper } from '@mantine/core';
import type { FieldInfo } from '@/lib/registry';
import { useDatalabel } from '@/lib/datalabels';

/** Where a record stands in its stage datalabel, in the datalabel's order. */
export function StageStepper({ field, value }: { field: FieldInfo; value: unknown }) {
  const datalabel = field.kind.type === 'datalabel' ? field.kind.datalabel : null;
  const values = useDatalabel(datalabel);
  if (!values.data) return null;
  const stages = values.data.filter((v) => v.active_flag || v.key === value);
  const active = stages.findIndex((v) => v.key === value);
  return (
    <nav aria-label={field.label}>
      <Stepper active={active} size="xs" allowNextStepsSelect={false} iconSize={24} styles={{ steps: { flexWrap: 'wrap', rowGap: 8 } }}>
        {stages.map((stage, i) => (
          <Stepper.Step
            key={stage.key}
            label={stage.name}
            aria-current={i === active ? 'step' : undefined}
            color={i === active ? undefined : 'gray'}
          />
        ))}
      </Stepper>
    </nav>
  );
}
