/**
 * Compiling generated code in bulk: every Python file in one Python process (`compile`
 * of its bytes, which is what `py_compile` does short of writing the .pyc), every
 * TypeScript file through `ts.transpileModule` in this process.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { REPO, runAsync, venvBin } from '../../support/helpers.js';

export const PYCHECK = path.join(REPO, 'test', 'reliability', 'support', 'pycheck.py');

export interface PythonJob {
  compile?: string[];
  configs?: string[];
  shapes?: [string, string][];
}

export interface PythonReport {
  compile: Record<string, string>;
  configs: Record<string, Record<string, unknown>>;
  shapes: Record<string, string>;
}

/** Runs `pycheck.py` over a job in one Python process (async: it may take a while). */
export async function checkPython(job: PythonJob, scratch: string): Promise<PythonReport> {
  mkdirSync(scratch, { recursive: true });
  const jobFile = path.join(scratch, 'pycheck-job.json');
  writeFileSync(jobFile, JSON.stringify(job));
  const result = await runAsync(venvBin('python'), [PYCHECK, jobFile], { timeout: 240_000 });
  if (result.code !== 0) throw new Error(`pycheck failed (exit ${result.code}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as PythonReport;
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  strict: true,
};

/** Syntax errors of a TypeScript module: the diagnostics of `transpileModule` (it parses, then emits). */
export function typescriptErrors(content: string, fileName = 'module.ts'): string[] {
  const transpiled = ts.transpileModule(content, {
    compilerOptions: COMPILER_OPTIONS,
    reportDiagnostics: true,
    fileName,
  });
  return (transpiled.diagnostics ?? []).map(
    (diagnostic) => `${diagnostic.start ?? 0}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
  );
}

/** Syntax errors found by the parser alone (what `transpileModule` reports, at a tenth of its cost). */
export function typescriptParseErrors(content: string, fileName = 'module.ts'): string[] {
  const source = ts.createSourceFile(fileName, content, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const diagnostics = (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
  return diagnostics.map(
    (diagnostic) => `${diagnostic.start ?? 0}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
  );
}

/**
 * The shape of a TypeScript module: every AST node's kind, with identifiers and
 * numbers spelled out and string literals masked. Two renders with the same shape
 * differ only inside string literals (and comments, which have no nodes).
 */
export function typescriptShape(content: string): string {
  const source = ts.createSourceFile('shape.ts', content, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const parts: string[] = [];
  const visit = (node: ts.Node, depth: number) => {
    let text = '';
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) text = node.text;
    else if (ts.isNumericLiteral(node)) text = node.text;
    else if (ts.isTemplateLiteralToken(node)) text = node.text;
    parts.push(`${depth}:${ts.SyntaxKind[node.kind]}${text ? `=${text}` : ''}`);
    ts.forEachChild(node, (child) => visit(child, depth + 1));
  };
  visit(source, 0);
  return parts.join('\n');
}

/** The exported constants of a generated `config.ts`, by running its transpiled JavaScript. */
export function typescriptConfigValues(content: string): Record<string, unknown> {
  const js = ts.transpileModule(content, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS },
  }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  vm.runInNewContext(js, { module, exports: module.exports }, { timeout: 1000 });
  return module.exports;
}

/** Code points of a string (or of each string in a list): what "exact value" means. */
export function codePoints(value: unknown): unknown {
  // The string iterator yields whole code points, and lone surrogates as themselves.
  if (typeof value === 'string') return [...value].map((ch) => ch.codePointAt(0));
  if (Array.isArray(value)) return value.map(codePoints);
  return value;
}
