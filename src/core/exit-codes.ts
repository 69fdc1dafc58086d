/** Exit codes of every entry point. */
export const EXIT_OK = 0;
/** Refused or failed: a conflict, an unsafe or unwritable destination. */
export const EXIT_FAILED = 1;
/** Invalid answers or usage. */
export const EXIT_USAGE = 2;
