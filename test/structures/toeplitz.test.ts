import { structureSuite } from './suite.js';

structureSuite(['trilToeplitz', 'triuToeplitz'], [1, 2, 7, 16]);
