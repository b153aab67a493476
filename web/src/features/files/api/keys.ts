// Query keys of files (the version chain of an artifact). Records of type `artifact` themselves
// are cached by the records feature; the app's composition invalidates those.
export const fileKeys = {
  all: ['files'] as const,
  /** Every version of the chain the file belongs to (any version's id answers the same chain). */
  versions: (rootId: string) => ['files', 'versions', rootId] as const,
};
