import type { Command } from '../main.js';
export const command: Command = {
  name: 'tune',
  summary: 'placeholder',
  usage: 'rootfree tune',
  async run(): Promise<number> {
    throw new Error('not implemented yet');
  },
};
