import type { AuditEntry } from "./audit-log.js";

const CSV_COLUMNS = [
  "id",
  "at",
  "action",
  "actor_type",
  "actor_id",
  "account_id",
  "ip",
  "zedtoken",
  "updates",
] as const;

/**
 * One CSV field (RFC 4180). A field a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
 * tab, carriage return first) is prefixed with `'`: an audit export opened in a spreadsheet must
 * not execute what a user typed into a relationship or a name.
 */
export function csvField(value: string | null): string {
  if (value === null) return "";
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(entry: AuditEntry): string {
  return `${[
    entry.id,
    entry.at,
    entry.action,
    entry.actor.type,
    entry.actor.id,
    entry.actor.accountId,
    entry.ip,
    entry.zedtoken,
    JSON.stringify(entry.updates),
  ]
    .map(csvField)
    .join(",")}\r\n`;
}

export const csvHeader = () => `${CSV_COLUMNS.join(",")}\r\n`;

export const jsonLine = (entry: AuditEntry) => `${JSON.stringify(entry)}\n`;
