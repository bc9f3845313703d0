import { pino } from "pino";

export type Logger = pino.Logger;

/** Structured JSON logs on stderr, so stdout stays free for command output (exports). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "tenantgate" } }, pino.destination(2));
}
