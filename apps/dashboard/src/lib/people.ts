/** A person as versions carry them (proposer, reviewer): "Name (email)", or the email alone. */
export function personLabel(person: { email: string; name: string | null } | null | undefined, missing = '—'): string {
  if (!person) return missing;
  return person.name ? `${person.name} (${person.email})` : person.email;
}

/** The short form for tables: the name, else the email. */
export function personShort(person: { email: string; name: string | null } | null | undefined, missing = '—'): string {
  return person ? (person.name ?? person.email) : missing;
}
