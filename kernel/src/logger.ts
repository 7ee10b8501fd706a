/**
 * The logging shape the kernel client needs. It matches pino's methods, so the
 * server passes its own logger in; the kernel package itself depends on no logger.
 */
export interface KernelLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: KernelLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
