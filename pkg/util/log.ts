// Structured JSON logging for every component (pino). One logger per process,
// children per subsystem: `log.child({ component: "scheduler", controller: "replicaset" })`.
import { type Logger, pino } from "pino";

export type { Logger };

export function newLogger(component: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ level, base: { component }, timestamp: pino.stdTimeFunctions.isoTime });
}
