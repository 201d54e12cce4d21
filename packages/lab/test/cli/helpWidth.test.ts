import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

describe('help output', () => {
  it('fits 100 columns for the top level and every command', async () => {
    const lines: string[] = [];
    const out = (s: string): void => void lines.push(...s.split('\n'));
    await main(['--help'], out, out);
    for (const c of ['compare', 'tune', 'report', 'conformance', 'halfprec', 'worker']) expect(await main([c, '--help'], out, out)).toBe(0);
    expect(lines.length).toBeGreaterThan(60);
    expect(lines.filter((l) => l.length > 100)).toEqual([]);
  });
});
