/** A mistake the user can fix (bad config, bad arguments): printed as one line per problem, exit 2. */
export class UserError extends Error {
  readonly lines: string[];
  readonly exitCode: number;
  constructor(lines: string | string[], exitCode = 2) {
    const all = Array.isArray(lines) ? lines : [lines];
    super(all.join("\n"));
    this.lines = all;
    this.exitCode = exitCode;
  }
}

/** A config file that does not parse or validate. */
export class ConfigError extends UserError {}

/** Something went wrong at run time (tmux missing, a lock held): exit 1, one line. */
export class RuntimeError extends UserError {
  constructor(line: string) {
    super(line, 1);
  }
}

/** Arguments a verb does not take: one `agents: ...` line, then the verb's usage line as is. Exit 2. */
export class UsageError extends UserError {
  constructor(
    line: string,
    readonly usage: string,
  ) {
    super(line, 2);
  }
}
