import { structureSuite } from './suite.js';

structureSuite(['diagonal'], [1, 2, 5, 10]);
