import { structureSuite } from './suite.js';

structureSuite(['trilTopLeftDiagonal', 'trilBottomRightDiagonal', 'triuTopLeftDiagonal', 'triuBottomRightDiagonal'], [1, 2, 7]);
