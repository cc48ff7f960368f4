/** "Name" <address>, the display form of a person in To: (quotes in the name dropped). */
export function mailbox(p: { name: string; email: string }): string {
  return `"${p.name.replace(/"/g, '')}" <${p.email}>`;
}
