/** Exit codes of every entry point. */
export const EXIT_OK = 0;
/** Refused or failed: a conflict, an unsafe or unwritable destination. */
export const EXIT_FAILED = 1;
/** Invalid answers or usage. */
export const EXIT_USAGE = 2;

let usageErrorSeen = false;
let hooked = false;

/**
 * Under the plop CLI, plop itself exits 1 on any failure. When the failure was invalid
 * answers, this turns that exit into 2. An `exit` listener may change `process.exitCode`
 * before the process really exits; other exit codes are left alone.
 */
export function markUsageError(): void {
  usageErrorSeen = true;
  if (hooked) return;
  hooked = true;
  process.once('exit', (code) => {
    if (code === EXIT_FAILED && usageErrorSeen) process.exitCode = EXIT_USAGE;
  });
}
