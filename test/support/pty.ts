/**
 * A small driver for programs run in a pseudo-terminal, the way a person uses them:
 * wait for a prompt's text, type, press keys. Matching ignores ANSI escape codes; a
 * failed wait reports what the terminal shows.
 */
import { spawn, type IPty } from '@lydell/node-pty';

export const KEY = {
  enter: '\r',
  up: '\x1b[A',
  down: '\x1b[B',
  space: ' ',
  backspace: '\x7f',
  ctrlC: '\x03',
} as const;

export interface PtyExit {
  exitCode: number;
  signal: number;
}

export interface PtyOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  cols?: number;
  rows?: number;
}

// CSI, OSC (ended by BEL or ST) and two-character escapes.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * A minimal terminal screen: enough of VT100 (cursor moves, erase line/display) to show
 * what inquirer, plop and npm leave on screen. Lines scroll without limit.
 */
class Screen {
  private lines: string[][] = [[]];
  private row = 0;
  private col = 0;

  constructor(private readonly cols: number) {}

  feed(data: string): void {
    let i = 0;
    while (i < data.length) {
      const ch = data[i]!;
      if (ch === '\x1b') {
        const csi = /^\x1b\[([0-?]*)[ -/]*([@-~])/.exec(data.slice(i, i + 32));
        if (csi) {
          this.csi(csi[1]!, csi[2]!);
          i += csi[0].length;
          continue;
        }
        const other = /^\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|^\x1b[@-Z\\-_]/.exec(data.slice(i, i + 256));
        i += other ? other[0].length : 1;
        continue;
      }
      if (ch === '\r') this.col = 0;
      else if (ch === '\n') this.moveTo(this.row + 1, this.col);
      else if (ch === '\b') this.col = Math.max(0, this.col - 1);
      else if (ch >= ' ') {
        if (this.col >= this.cols) this.moveTo(this.row + 1, 0);
        const line = this.line(this.row);
        while (line.length < this.col) line.push(' ');
        line[this.col] = ch;
        this.col += 1;
      }
      i += 1;
    }
  }

  private line(row: number): string[] {
    while (this.lines.length <= row) this.lines.push([]);
    return this.lines[row]!;
  }

  private moveTo(row: number, col: number): void {
    this.row = Math.max(0, row);
    this.col = Math.max(0, Math.min(col, this.cols));
    this.line(this.row);
  }

  private csi(params: string, final: string): void {
    const n = Number.parseInt(params.replace(/^\?/, ''), 10);
    const count = Number.isNaN(n) ? 1 : n;
    switch (final) {
      case 'A':
        this.moveTo(this.row - count, this.col);
        break;
      case 'B':
        this.moveTo(this.row + count, this.col);
        break;
      case 'C':
        this.moveTo(this.row, this.col + count);
        break;
      case 'D':
        this.moveTo(this.row, this.col - count);
        break;
      case 'E':
        this.moveTo(this.row + count, 0);
        break;
      case 'F':
        this.moveTo(this.row - count, 0);
        break;
      case 'G':
        this.moveTo(this.row, count - 1);
        break;
      case 'K': {
        const line = this.line(this.row);
        const mode = Number.isNaN(n) ? 0 : n;
        if (mode === 0) line.length = Math.min(line.length, this.col);
        else if (mode === 1) for (let c = 0; c <= this.col && c < line.length; c++) line[c] = ' ';
        else line.length = 0;
        break;
      }
      case 'J': {
        const mode = Number.isNaN(n) ? 0 : n;
        if (mode === 0) {
          this.line(this.row).length = Math.min(this.line(this.row).length, this.col);
          this.lines.length = this.row + 1;
        } else if (mode === 2 || mode === 3) {
          this.lines = [[]];
          this.moveTo(0, 0);
        }
        break;
      }
      default:
        break; // colours, cursor visibility, ...: nothing to draw
    }
  }

  /** The last `rows` lines, trailing blanks trimmed. */
  text(rows: number): string {
    const lines = this.lines.map((line) => line.join('').trimEnd());
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    return lines.slice(-rows).join('\n');
  }
}

export class PtySession {
  private readonly pty: IPty;
  private readonly screen: Screen;
  private readonly rows: number;
  private raw = '';
  /** Offset in the ANSI-stripped output up to which text has been matched. */
  private cursor = 0;
  private exitInfo: PtyExit | undefined;
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<PtyExit>;

  constructor(
    readonly command: string,
    readonly args: readonly string[],
    options: PtyOptions,
  ) {
    const cols = options.cols ?? 200;
    this.rows = options.rows ?? 50;
    this.screen = new Screen(cols);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...process.env, ...options.env })) {
      if (value !== undefined) env[key] = value;
    }
    this.pty = spawn(command, [...args], { name: 'xterm-256color', cols, rows: this.rows, cwd: options.cwd, env });
    this.pty.onData((data) => {
      this.raw += data;
      this.screen.feed(data);
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      this.pty.onExit((info) => {
        // node-pty may report the exit before the last output is read: let it drain.
        setTimeout(() => {
          this.exitInfo = { exitCode: info.exitCode, signal: info.signal ?? 0 };
          this.notify();
          resolve(this.exitInfo);
        }, 100);
      });
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Everything printed so far, without ANSI codes. */
  output(): string {
    return stripAnsi(this.raw);
  }

  /** What the terminal shows now (the last screenful). */
  screenText(): string {
    return this.screen.text(this.rows);
  }

  private report(what: string): string {
    return `${what}\n--- ${this.command} ${this.args.join(' ')} — terminal so far ---\n${this.screenText()}\n--- end ---`;
  }

  /**
   * Resolves with `probe()` once it returns a value, re-checking on every output; rejects
   * (showing the terminal) on timeout or when the process exits first.
   */
  private waitFor<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const first = probe();
      if (first !== undefined) {
        resolve(first);
        return;
      }
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = () => {
        const found = probe();
        if (found !== undefined) {
          finish();
          resolve(found);
        } else if (this.exitInfo) {
          finish();
          reject(new Error(this.report(`exited (code ${this.exitInfo.exitCode}) before showing ${what}`)));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(this.report(`timed out after ${timeoutMs} ms waiting for ${what}`)));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /**
   * Waits until `pattern` appears in the output after the previous match, then moves
   * past it. Resolves with the output from the previous match to the end of this one.
   */
  expect(pattern: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const regex = pattern instanceof RegExp ? new RegExp(pattern.source, pattern.flags.replace('g', '')) : undefined;
    /** End of the first match in `rest`, or -1. */
    const endOf = (rest: string): number => {
      if (typeof pattern === 'string') {
        const at = rest.indexOf(pattern);
        return at < 0 ? -1 : at + pattern.length;
      }
      const match = regex?.exec(rest);
      return match ? match.index + match[0].length : -1;
    };
    return this.waitFor(
      () => {
        const rest = this.output().slice(this.cursor);
        const end = endOf(rest);
        if (end < 0) return undefined;
        this.cursor += end;
        return rest.slice(0, end);
      },
      JSON.stringify(String(pattern)),
      timeoutMs,
    );
  }

  /** Waits until what the terminal shows satisfies `test` (e.g. a checkbox state). */
  waitForScreen(test: (screen: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
    return this.waitFor(
      () => {
        const screen = this.screenText();
        return test(screen) ? screen : undefined;
      },
      what,
      timeoutMs,
    );
  }

  write(data: string): void {
    this.pty.write(data);
  }

  /** Waits for the prompt `text`, then types `answer` and presses enter. */
  async answer(text: string | RegExp, answer = ''): Promise<string> {
    const seen = await this.expect(text);
    this.write(`${answer}${KEY.enter}`);
    return seen;
  }

  /** Waits for the exit (killing the process after `timeoutMs`). */
  async exit(timeoutMs = 30_000): Promise<PtyExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(this.report(`did not exit within ${timeoutMs} ms`)));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the process (and its process group) if it still runs. */
  kill(): void {
    if (this.exitInfo) return;
    try {
      process.kill(-this.pty.pid, 'SIGKILL');
    } catch {
      try {
        this.pty.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

export function spawnPty(command: string, args: readonly string[], options: PtyOptions): PtySession {
  return new PtySession(command, args, options);
}
