/** One problem in a config: where, and why (ConfigError lists them). */
export interface ConfigProblem {
  /** Dotted path, e.g. `providers[0].clientId`. */
  readonly path: string;
  readonly message: string;
}
