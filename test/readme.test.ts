/** The README's code is copied from tested examples, and its commands are the real ones. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { TESTED } from '../src/generators/metrics/targets/tested.js';
import { REPO } from './support/helpers.js';

const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
const blocks = (language: string) =>
  [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!);

describe('README', () => {
  it('shows Python copied verbatim from the tested example nodes', () => {
    const examples = ['examples/orders_handlers/node.py', 'examples/orders_effect/node.py'].map((file) =>
      readFileSync(path.join(REPO, file), 'utf8'),
    );
    const python = blocks('python');
    expect(python.length).toBeGreaterThan(1);
    // The handler node first: it is how today's ONEX nodes are written.
    expect(examples[0]).toContain(python[0]!);
    for (const block of python)
      expect(
        examples.some((example) => example.includes(block)),
        block,
      ).toBe(true);
  });

  it('shows TypeScript copied verbatim from the tested example service', () => {
    const example = readFileSync(path.join(REPO, 'examples/orders_service_ts/service.ts'), 'utf8');
    const typescript = blocks('ts');
    expect(typescript.length).toBeGreaterThan(0);
    for (const block of typescript) expect(example).toContain(block);
  });

  it('starts with exactly the two commands: the generator and the tests', () => {
    const commands = blocks('sh')[0]!.trim().split('\n');
    expect(commands.map((line) => line.split('#')[0]!.trim())).toEqual(['npm install && npx plop metrics', 'npm test']);
    const ci = readFileSync(path.join(REPO, '.ci/run'), 'utf8');
    expect(
      ci
        .split('\n')
        .filter((line) => line && !line.startsWith('#') && !line.startsWith('set ') && !line.startsWith('cd ')),
    ).toEqual(['npm test']);
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.test).toBe('scripts/test');
  });

  it('gives the same versions in its next steps as the generator prints and the tests install', () => {
    const toolchain = JSON.parse(readFileSync(path.join(REPO, 'test/toolchain/package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    for (const [name, version] of [
      ['psutil', TESTED.psutil],
      ['omnibase-infra', TESTED.omnibaseInfra],
      ['pytest', TESTED.pytest],
      ['@platformatic/kafka', TESTED.platformaticKafka],
      ['tsx', TESTED.tsx],
      ['vitest', TESTED.vitest],
    ] as const) {
      expect(readme, name).toMatch(new RegExp(`${name.replace('/', '\\/')}(==|@)${version.replaceAll('.', '\\.')}`));
    }
    for (const name of ['@platformatic/kafka', 'tsx', 'vitest'] as const) {
      expect(toolchain.devDependencies[name], name).toBe(
        name === '@platformatic/kafka' ? TESTED.platformaticKafka : TESTED[name],
      );
    }
    const dev = readFileSync(path.join(REPO, 'requirements-dev.txt'), 'utf8');
    expect(dev).toContain(`psutil==${TESTED.psutil}`);
    expect(dev).toContain(`types-psutil==${TESTED.typesPsutil}`);
    const onex = readFileSync(path.join(REPO, 'requirements-onex.txt'), 'utf8');
    expect(onex).toContain(`omnibase-infra==${TESTED.omnibaseInfra}`);
    expect(onex).toContain(`pytest==${TESTED.pytest}`);
  });
});

describe('the repository', () => {
  it('cites no document a reader of it does not have (design briefs, their sections)', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);
    const citing = tracked.filter((file) => {
      if (file === 'test/readme.test.ts' || /\.(tgz|png|jar)$/.test(file)) return false;
      const text = readFileSync(path.join(REPO, file), 'utf8');
      return /\bBRIEF\b|§|the original design/.test(text);
    });
    expect(citing).toEqual([]);
  });
});
