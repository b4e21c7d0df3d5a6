/**
 * What a command ends with: its exit code (0, or 1 when a check failed), the JSON object written
 * under --json, the lines written for a person, and for a failed check the code and message.
 */
export interface Outcome {
  exit: 0 | 1;
  data: Record<string, unknown>;
  text: string[];
  error?: { code: string; message: string };
}
