/** What the domain needs of a logger (pino's is one); tests may pass their own. */
export interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
