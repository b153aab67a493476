import { ActionIcon, Alert, Button, Center, Group, Loader, Paper, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { formatTimestamp } from '@/lib/format';
import { DatalabelBadge } from '@/components/ui/datalabel-badge';
import { type DatalabelValue, useDatalabel } from '@/lib/datalabels';
import { useDecideSubmission, useSubmissions, useSubmitForm } from '../api/submissions';
import {
  type AnswerRow,
  type Submission,
  answerPairs,
  dataFromRows,
  decisionErrorText,
  errorFacts,
  isOpen,
  newRow,
  rowsFromSchema,
  submitErrorText,
} from '../lib/submissions';

interface Props {
  formId: string;
  /** The form definition (`form_schema`); its fields prefill the answer rows. */
  schema: unknown;
  /** Edit on the form: every submission is listed and pending ones can be decided. */
  canDecide: boolean;
  /** A deleted form takes no new submissions. */
  canSubmit: boolean;
}

function NewSubmission({ formId, schema }: { formId: string; schema: unknown }) {
  const [rows, setRows] = useState<AnswerRow[]>(() => rowsFromSchema(schema));
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const submit = useSubmitForm(formId);

  const change = (id: string, patch: Partial<AnswerRow>) => {
    setRows((current) => current.map((row) => (row.id === id ? { ...row, ...patch } : row)));
    setSent(false);
  };

  const send = () => {
    const built = dataFromRows(rows);
    if (!built.ok) {
      setRowErrors(built.errors);
      setMessage(built.message);
      return;
    }
    setRowErrors({});
    setMessage(null);
    submit.mutate(built.data, {
      onSuccess: () => {
        setRows(rowsFromSchema(schema));
        setSent(true);
      },
      // The rows stay as typed, so nothing is lost.
      onError: (error) => setMessage(submitErrorText(errorFacts(error))),
    });
  };

  return (
    <Stack
      component="form"
      aria-label="New submission"
      gap="xs"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <Title order={3} size="h5">
        New submission
      </Title>
      <Stack gap="xs" component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
        {rows.map((row, index) => {
          const n = index + 1;
          return (
            <Group component="li" key={row.id} gap="xs" align="flex-start" wrap="wrap" data-testid="answer-row">
              <TextInput
                aria-label={`Field name ${String(n)}`}
                placeholder="Field name"
                value={row.name}
                onChange={(event) => change(row.id, { name: event.currentTarget.value })}
                description={row.label}
                error={rowErrors[row.id]}
                style={{ flex: '1 1 160px' }}
              />
              <TextInput
                aria-label={`Answer ${String(n)}`}
                placeholder="Answer"
                value={row.value}
                onChange={(event) => change(row.id, { value: event.currentTarget.value })}
                style={{ flex: '2 1 220px' }}
                mt={row.label ? 22 : 0}
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                size="lg"
                mt={row.label ? 22 : 0}
                aria-label={`Remove row ${String(n)}`}
                disabled={rows.length === 1}
                onClick={() => setRows((current) => current.filter((r) => r.id !== row.id))}
              >
                <Trash2 size={16} aria-hidden />
              </ActionIcon>
            </Group>
          );
        })}
      </Stack>
      {message && (
        <Alert color="red" role="alert" title="Not sent">
          {message}
        </Alert>
      )}
      {sent && (
        <Text size="sm" role="status">
          Submitted: it waits for approval.
        </Text>
      )}
      <Group gap="xs">
        <Button variant="default" leftSection={<Plus size={14} aria-hidden />} onClick={() => setRows((current) => [...current, newRow()])}>
          Add row
        </Button>
        <Button type="submit" loading={submit.isPending}>
          Submit
        </Button>
      </Group>
    </Stack>
  );
}

/** Approve / Reject with optional notes. A refusal is reported to the row, which keeps showing it
 * after the list reloaded (a 409 closes the submission, and this part with it). */
function Decision({ formId, submission, setError }: { formId: string; submission: Submission; setError: (error: string | null) => void }) {
  const [notes, setNotes] = useState('');
  const decide = useDecideSubmission(formId);
  const send = (decision: 'approved' | 'rejected') => {
    setError(null);
    decide.mutate(
      { submissionId: submission.id, decision, notes },
      { onError: (caught) => setError(decisionErrorText(errorFacts(caught))) },
    );
  };
  const pending = decide.isPending ? decide.variables.decision : null;
  return (
    <Stack gap="xs">
      <Textarea
        label="Decision notes (optional)"
        value={notes}
        onChange={(event) => setNotes(event.currentTarget.value)}
        autosize
        minRows={1}
        maxRows={4}
        maxLength={2000}
      />
      <Group gap="xs">
        <Button size="xs" loading={pending === 'approved'} disabled={decide.isPending} onClick={() => send('approved')}>
          Approve
        </Button>
        <Button size="xs" color="red" variant="outline" loading={pending === 'rejected'} disabled={decide.isPending} onClick={() => send('rejected')}>
          Reject
        </Button>
      </Group>
    </Stack>
  );
}

function SubmissionRow({
  formId,
  submission,
  statuses,
  canDecide,
}: {
  formId: string;
  submission: Submission;
  statuses: DatalabelValue[] | undefined;
  canDecide: boolean;
}) {
  const submitted = submission.submitted_ts ?? submission.created_ts;
  const who = submission.submitted_by_name ?? 'Someone';
  const answers = answerPairs(submission.data);
  const [decisionError, setDecisionError] = useState<string | null>(null);
  return (
    <Paper component="li" withBorder radius="sm" p="sm" aria-label={`Submission by ${who}, ${formatTimestamp(submitted)}`} data-testid="submission">
      <Stack gap={6}>
        <Group gap="xs" justify="space-between" wrap="wrap">
          <Text size="sm">
            <Text span fw={700}>
              {who}
            </Text>{' '}
            <Text span size="xs" c="dimmed">
              {formatTimestamp(submitted)}
            </Text>
          </Text>
          <DatalabelBadge
            datalabel="form_approval_status"
            value={submission.approval_status}
            name={submission.approval_status_name}
            testId="approval-status"
          />
        </Group>
        {answers.length === 0 ? (
          <Text size="sm" c="dimmed">
            No answers
          </Text>
        ) : (
          <Text size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="answers">
            {answers.map(([name, value], index) => (
              <span key={name}>
                {index > 0 && ' · '}
                <Text span fw={600} inherit>
                  {name}:
                </Text>{' '}
                {value}
              </span>
            ))}
          </Text>
        )}
        {(submission.approved_by_name ?? submission.approval_notes) && (
          <Text size="sm" data-testid="decision">
            {submission.approval_status_name}
            {submission.approved_by_name ? ` by ${submission.approved_by_name}` : ''}
            {submission.approved_ts ? `, ${formatTimestamp(submission.approved_ts)}` : ''}
            {submission.approval_notes ? ` — “${submission.approval_notes}”` : ''}
          </Text>
        )}
        {canDecide && isOpen(statuses, submission.approval_status) && (
          <Decision formId={formId} submission={submission} setError={setDecisionError} />
        )}
        {decisionError && (
          <Alert color="red" role="alert" withCloseButton closeButtonLabel="Dismiss" onClose={() => setDecisionError(null)}>
            {decisionError}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}

/** A form's submissions: a new one (answer rows), and the list, newest first, with approval. */
export function FormSubmissions({ formId, schema, canDecide, canSubmit }: Props) {
  const submissions = useSubmissions(formId);
  const statuses = useDatalabel('form_approval_status');
  const rows = submissions.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="submissions-title">
      <Stack gap="md">
        <Title order={2} size="h4" id="submissions-title">
          Submissions
        </Title>
        {canSubmit && <NewSubmission formId={formId} schema={schema} />}
        {submissions.isPending ? (
          <Center py="md">
            <Loader size="sm" aria-label="Loading the submissions" />
          </Center>
        ) : submissions.isError ? (
          <Alert color="red" title="The submissions could not be loaded">
            {submissions.error.message}
          </Alert>
        ) : rows.length === 0 ? (
          <Text size="sm" c="dimmed">
            No submissions yet.
          </Text>
        ) : (
          <Stack gap="xs" component="ul" aria-label="Submissions" m={0} p={0} style={{ listStyle: 'none' }}>
            {rows.map((submission) => (
              <SubmissionRow key={submission.id} formId={formId} submission={submission} statuses={statuses.data} canDecide={canDecide} />
            ))}
          </Stack>
        )}
        {submissions.hasNextPage && (
          <Group>
            <Button variant="default" loading={submissions.isFetchingNextPage} onClick={() => void submissions.fetchNextPage()}>
              Load more
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
