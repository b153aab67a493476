// Query keys of form submissions (the form record itself is cached by the records feature).
export const formKeys = {
  all: ['forms'] as const,
  /** Every page of a form's submissions, newest first. */
  submissions: (formId: string) => ['forms', formId, 'submissions'] as const,
};
